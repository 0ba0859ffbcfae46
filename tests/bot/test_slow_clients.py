"""Slow clients against the real server (`pmqa-bot serve` in a subprocess): with a low connection cap,
many connections that dribble their headers or their body neither starve `/healthz` nor a signed
LINE webhook, are closed by the server, and leave a few log lines, not one per connection."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.line_webhook import body, follow_event, sign

SECRET = "slow-secret"
CAP = 20
SLOW_HEADS = 45  # more than the cap on their own
SLOW_BODIES = 10  # opened first, under the cap, so they reach the body stage
GIVE_UP = 60.0  # seconds: generous; no timing is asserted


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = _free_port()
    env = {**os.environ, "PMQA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'slow.db'}",
           "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": "slow-token",
           "LINE_API_BASE_URL": f"http://127.0.0.1:{_free_port()}", "PMQA_REMINDERS": "false",
           "PMQA_LOG_LEVEL": "INFO", "PMQA_MAX_CONNECTIONS": str(CAP), "PMQA_HEADER_TIMEOUT": "2",
           "PMQA_BODY_TIMEOUT": "2"}
    for key in ("TELEGRAM_BOT_TOKEN", "PMQA_PUBLIC_URL", "PMQA_MAX_BODY_BYTES", "PMQA_KEEPALIVE_TIMEOUT"):
        env.pop(key, None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=tmp_path,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _until_ok(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2), log)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _until_ok(request: object, log: Path) -> httpx.Response:
    deadline = time.monotonic() + GIVE_UP
    while time.monotonic() < deadline:
        try:
            response: httpx.Response = request()  # type: ignore[operator]
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("no 200 in time:\n" + log.read_text()[-3000:])


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server ends the connection (after an answer or none) within GIVE_UP seconds."""
    sock.settimeout(GIVE_UP)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


def test_slow_clients_are_closed_and_do_not_starve_good_requests(served: tuple[int, Path]) -> None:
    port, log = served
    slow: list[socket.socket] = []
    try:
        for _ in range(SLOW_BODIES):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"POST /webhooks/line HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1000\r\n\r\n{\"destination\":")  # 985 bytes short
            slow.append(sock)
        for _ in range(SLOW_HEADS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"POST /webhooks/line HTTP/1.1\r\nHost: x\r\nX-Line-Sig")  # and never the rest
            slow.append(sock)

        assert _until_ok(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5), log).json() == {
            "status": "ok"}
        raw = body(follow_event("U" + "a" * 32, "reply-token"))
        _until_ok(lambda: httpx.post(f"http://127.0.0.1:{port}/webhooks/line", content=raw, timeout=5,
                                     headers={"X-Line-Signature": sign(raw, SECRET),
                                              "Content-Type": "application/json"}), log)
        assert all(_closed_by_server(sock) for sock in slow)
    finally:
        for sock in slow:
            sock.close()

    text = log.read_text()
    assert "Traceback" not in text
    cap_lines = text.count("over the cap of 20 open connections")
    head_lines = text.count("sent no complete request head")
    body_lines = text.count("did not arrive within 2 s")
    assert 1 <= cap_lines <= 3, text[-3000:]  # some of the 55 were over the cap: a line or two, not dozens
    assert 1 <= head_lines <= 3, text[-3000:]
    assert 1 <= body_lines <= 3, text[-3000:]
