"""HTTP transport: ``POST {partner}/federation/v1/inbox``; the response is the signed answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from jisr.federation.envelope import canonical
from jisr.federation.errors import TransportError
from jisr.federation.partners import PartnerAddress

INBOX_PATH = "/federation/v1/inbox"
BATCH_PATH = "/federation/v1/inbox/batch"
NODE_PATH = "/federation/v1/node"
ENVELOPE_MEDIA_TYPE = "application/vnd.jisr.envelope+json"


class HttpTransport:
    name = "http"

    def __init__(self, timeout: float = 10.0, max_connections: int = 32) -> None:
        self._client = httpx.AsyncClient(
            timeout=timeout,
            limits=httpx.Limits(max_connections=max_connections),
            follow_redirects=False,
            trust_env=False,
        )

    async def send(
        self, partner: PartnerAddress, batch: Sequence[tuple[str, bytes]]
    ) -> list[bytes | None]:
        """One envelope goes to ``/inbox``; several go to ``/inbox/batch`` as a JSON array and
        come back as an array of signed answers, processed in one transaction on the partner."""
        if not partner.endpoint_url:
            raise TransportError(f"{partner.code} has no endpoint URL")
        base = partner.endpoint_url.rstrip("/")
        if len(batch) == 1:
            body = await self._post(partner, base + INBOX_PATH, batch[0][1])
            if isinstance(body, dict) and "ack" in body:
                return [canonical(body)]
        else:
            content = b"[" + b",".join(envelope for _id, envelope in batch) + b"]"
            body = await self._post(partner, base + BATCH_PATH, content)
            if isinstance(body, list) and len(body) == len(batch):
                return [canonical(answer) for answer in body]
        raise TransportError(f"{partner.code} answered without acknowledgements")

    async def _post(self, partner: PartnerAddress, url: str, content: bytes) -> Any:
        try:
            response = await self._client.post(
                url, content=content, headers={"content-type": ENVELOPE_MEDIA_TYPE}
            )
        except httpx.HTTPError as exc:
            raise TransportError(f"{partner.code} unreachable: {type(exc).__name__}") from None
        try:
            return response.json()
        except ValueError:
            raise TransportError(f"{partner.code} answered HTTP {response.status_code}") from None

    async def aclose(self) -> None:
        await self._client.aclose()
