"""A 50 MB attachment goes up and comes down without the node holding it in memory.

The app is driven as a raw ASGI application (the test client buffers whole bodies), and the
bound is on memory, measured with ``tracemalloc``: its peak must stay far below the file size.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from jisr.node import create_app
from jisr.settings import load_settings
from tests.exchange.conftest import message_fields
from tests.exchange.test_api import prepare_node
from tests.nodes import make_node

CHUNK = 64 * 1024
SIZE = 50 * 1024 * 1024


def _chunks() -> Iterator[bytes]:
    for index in range(SIZE // CHUNK):
        yield hashlib.sha256(index.to_bytes(8, "big")).digest() * (CHUNK // 32)


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def _upload(app: FastAPI, token: str) -> tuple[int, dict[str, Any]]:
    chunks = _chunks()
    status = 0
    body = b""

    async def receive() -> dict[str, Any]:
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/octet-stream"),
        (b"content-length", str(SIZE).encode()),
    ]
    await app(_scope("POST", "/api/v1/attachments", headers), receive, send)
    return status, json.loads(body)


async def _download(app: FastAPI, token: str, sha: str) -> tuple[int, str, int, dict[str, str]]:
    digest = hashlib.sha256()
    received = 0
    status = 0
    headers: dict[str, str] = {}

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)  # the client never disconnects
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, received, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            digest.update(chunk)
            received += len(chunk)

    auth = [(b"authorization", f"Bearer {token}".encode())]
    await app(_scope("GET", f"/api/v1/attachments/{sha}", auth), receive, send)
    return status, digest.hexdigest(), received, headers


def test_fifty_megabytes_up_and_down_in_bounded_memory(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    token = prepare_node(node.data_dir, db_url)["liaison"]
    app = create_app(load_settings(node.data_dir))
    expected = hashlib.sha256()
    for chunk in _chunks():
        expected.update(chunk)

    tracemalloc.start()
    try:
        status, body = asyncio.run(_upload(app, token))
        _current, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        got = asyncio.run(_download(app, token, body.get("sha256", "")))
        _current, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert status == 201, body
    assert body["sha256"] == expected.hexdigest() and body["size"] == SIZE
    d_status, d_digest, d_size, headers = got
    assert (d_status, d_digest, d_size) == (200, expected.hexdigest(), SIZE)
    assert headers["content-disposition"].startswith("attachment")
    # Far below the 50 MB that went through: a few chunks' worth plus the app's own objects.
    assert upload_peak < SIZE // 8, f"upload peaked at {upload_peak} bytes"
    assert download_peak < SIZE // 8, f"download peaked at {download_peak} bytes"


async def _slow_upload_beside_a_write(app: FastAPI, token: str) -> tuple[int, int]:
    """Start an upload, and while its body is still coming, send a message (a write)."""
    halfway = asyncio.Event()
    resume = asyncio.Event()
    sent = {"n": 0}
    statuses: dict[str, int] = {}

    async def upload_receive() -> dict[str, Any]:
        sent["n"] += 1
        if sent["n"] == 2:
            halfway.set()
            await resume.wait()
        more = sent["n"] < 4
        return {"type": "http.request", "body": b"z" * CHUNK, "more_body": more}

    def sender(name: str) -> Any:
        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses[name] = message["status"]

        return send

    async def write_receive() -> dict[str, Any]:
        body = json.dumps(message_fields()).encode()
        return {"type": "http.request", "body": body, "more_body": False}

    auth = (b"authorization", f"Bearer {token}".encode())
    upload = asyncio.create_task(
        app(_scope("POST", "/api/v1/attachments", [auth]), upload_receive, sender("upload"))
    )
    await halfway.wait()
    json_type = (b"content-type", b"application/json")
    await asyncio.wait_for(
        app(_scope("POST", "/api/v1/messages", [auth, json_type]), write_receive, sender("write")),
        timeout=20,
    )
    resume.set()
    await upload
    return statuses["write"], statuses["upload"]


def test_an_upload_in_progress_does_not_block_other_writers(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    token = prepare_node(node.data_dir, db_url)["liaison"]
    app = create_app(load_settings(node.data_dir))
    assert asyncio.run(_slow_upload_beside_a_write(app, token)) == (201, 201)
