"""Refuses a JSON request body nested too deeply, before FastAPI parses it (pure ASGI).

FastAPI parses a body as JSON when its content type is JSON or absent; Python's parser recurses
per level, so ``[[[[...`` 100,000 deep would fail inside it. Bodies here are already bounded by
``BodyLimitMiddleware`` (this one sits inside it), so buffering one to scan is bounded too.
Streaming paths (attachments, list files, manifests, federation) are not JSON bodies of the API
and are left alone.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jisr.jsonlimits import DEFAULT_MAX_DEPTH, JsonLimitError, check_depth

_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_json(content_type: bytes | None) -> bool:
    if not content_type:
        return True
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (
        media.startswith(b"application/") and media.endswith(b"+json")
    )


class JsonDepthMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str = "/api/",
        exempt_prefixes: tuple[str, ...] = (),
        max_depth: int = DEFAULT_MAX_DEPTH,
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.exempt = exempt_prefixes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _WITH_BODY
            or not scope["path"].startswith(self.prefix)
            or scope["path"].startswith(self.exempt)
            or not _is_json(dict(scope["headers"]).get(b"content-type"))
        ):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = bytearray()
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        try:
            check_depth(bytes(body), self.max_depth)
        except JsonLimitError as exc:
            await _refuse(scope, send, exc)
            return
        pending = iter(messages)

        async def replay() -> Message:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)


async def _refuse(scope: Scope, send: Send, exc: JsonLimitError) -> None:
    body = json.dumps(
        {
            "type": f"https://jisr.example/problems/{exc.code}",
            "title": exc.title,
            "status": exc.http_status,
            "detail": exc.detail,
            "code": exc.code,
            "instance": scope["path"],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": exc.http_status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
