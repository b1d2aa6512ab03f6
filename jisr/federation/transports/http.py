"""HTTP transport: ``POST {partner}/federation/v1/inbox``; the response is the signed answer."""

from __future__ import annotations

import httpx

from jisr.federation.errors import TransportError
from jisr.federation.partners import PartnerAddress

INBOX_PATH = "/federation/v1/inbox"
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

    async def send(self, partner: PartnerAddress, envelope_id: str, envelope: bytes) -> bytes:
        if not partner.endpoint_url:
            raise TransportError(f"{partner.code} has no endpoint URL")
        url = partner.endpoint_url.rstrip("/") + INBOX_PATH
        try:
            response = await self._client.post(
                url, content=envelope, headers={"content-type": ENVELOPE_MEDIA_TYPE}
            )
        except httpx.HTTPError as exc:
            raise TransportError(f"{partner.code} unreachable: {type(exc).__name__}") from None
        # Answers (acceptances and signed refusals) carry an "ack"; anything else is a failure
        # of the partner's server, to be retried.
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and "ack" in body:
            return response.content
        raise TransportError(f"{partner.code} answered HTTP {response.status_code}")

    async def aclose(self) -> None:
        await self._client.aclose()
