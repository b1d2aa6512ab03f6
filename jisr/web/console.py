"""Mounting the console on the node's app: static assets, page routers, headers."""

from __future__ import annotations

import os
from collections.abc import Sequence
from os import PathLike

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from jisr.web.middleware import ConsoleMiddleware
from jisr.web.registry import PageArea
from jisr.web.templating import STATIC_DIR


class _VersionedStatic(StaticFiles):
    """Vendored assets; URLs carry a content hash (``static()``), so they may be cached long."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


def install_console(app: FastAPI, areas: Sequence[PageArea]) -> None:
    app.mount("/static", _VersionedStatic(directory=STATIC_DIR), name="static")
    for area in areas:
        app.include_router(area.router)
    app.add_middleware(ConsoleMiddleware)
