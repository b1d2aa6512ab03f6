"""Request ids, structured request logs, body size limit and security headers (pure ASGI)."""

from __future__ import annotations

import json
import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("jisr.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Sent only when the node's public address is https (a browser ignores it over plain http, and
# sending it from a node reached over http would be a promise the node does not keep).
HSTS_HEADER = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def wants_hsts(public_url: str | None) -> bool:
    """HSTS when the node is served over TLS: ``JISR_PUBLIC_URL`` is an https address."""
    return public_url is not None and public_url.lower().startswith("https://")


class RequestContextMiddleware:
    """Gives every request an id (or keeps a well-formed incoming X-Request-ID) and logs it;
    adds the security headers (and HSTS when ``hsts``)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS_HEADER] if hsts else SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                existing = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in existing)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.unbind_contextvars("request_id")


class BodyLimitMiddleware:
    """Refuses bodies over ``limit`` bytes with 413 problem+json, before the handler reads them.

    Paths under ``exempt_prefixes`` (attachment uploads, federation inbox) or matching
    ``exempt_paths`` (console forms with files) set their own limits.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        exempt_prefixes: tuple[str, ...] = (),
        exempt_paths: re.Pattern[str] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt_prefixes
        self.exempt_paths = exempt_paths

    def _exempt(self, path: str) -> bool:
        if path.startswith(self.exempt):
            return True
        return self.exempt_paths is not None and self.exempt_paths.match(path) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send)
            return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    refused = True
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLargeError:
            if refused:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": "https://jisr.example/problems/payload_too_large",
                "title": "Payload too large",
                "status": 413,
                "detail": f"request body exceeds {self.limit} bytes",
                "code": "payload_too_large",
                "instance": scope["path"],
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLargeError(Exception):
    pass
