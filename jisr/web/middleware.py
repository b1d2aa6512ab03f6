"""Headers and error pages for everything the console serves (pure ASGI).

Console responses carry a strict Content-Security-Policy: scripts, styles, fonts and images only
from the node itself, no inline script or style, no framing, forms only to the node. The API
(``/api``, ``/federation``) answers JSON and is left alone, as are the OpenAPI docs.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jisr.api.problems import ERROR_RENDERER
from jisr.web.errors import page_for

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
NOT_CONSOLE = ("/api/", "/federation/", "/openapi.json", "/docs", "/healthz")


def is_console_path(path: str) -> bool:
    return not path.startswith(NOT_CONSOLE)


class ConsoleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_console_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        accept = dict(scope["headers"]).get(b"accept", b"")
        if b"text/html" in accept:
            # Unknown console URLs (no route to set it) still get an HTML error page.
            scope.setdefault("state", {})[ERROR_RENDERER] = page_for

        static = scope["path"].startswith("/static/")

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                if not static:
                    # Pages hold operational data: never kept in a browser or proxy cache.
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_policy)
