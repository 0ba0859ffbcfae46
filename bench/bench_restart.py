"""Restart to healthy: how long webhooks go unanswered after the server is killed and started again.

    python bench/bench_restart.py [--restarts 5] [--database sqlite|postgresql] [--no-telegram]

`pmqa-bot serve` runs on a fresh database with LINE and Telegram on (Telegram in webhook mode
against the tests' fake Bot API in this process, so start-up pays for getMe, setMyCommands and
setWebhook as in production, minus the internet).  The first start creates the schema; then the
server is killed with SIGKILL and started again, `--restarts` times, and each restart is timed
from the new process's spawn to the first 200 from `/healthz` (polled every 10 ms); the time until
the new process accepts a TCP connection at all (before that, connections are refused) is printed too.

Two floors are measured in the same run, on the same machine: `python -c pass` (an interpreter
start) and a bare uvicorn + Starlette app answering `/healthz`; the figures are printed as ratios
to the bare app, which is what a restart cannot beat.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from serving import _free_port, scratch_database  # bench/ is the script's folder

from tests.fakes.telegram_api import FakeTelegramApi

TOKEN = "123456:BENCH-TOKEN"
SECRET = "bench-secret"
BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def healthz(request):
    return JSONResponse({"status": "ok"})

uvicorn.run(Starlette(routes=[Route("/healthz", healthz)]), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning")
"""


async def _time_to_healthy(command: list[str], port: int, env: dict[str, str], cwd: str,
                           give_up: float = 60.0) -> tuple[float, float, subprocess.Popen[bytes]]:
    """(seconds until a TCP connection is accepted, seconds until /healthz answers 200, the process)."""
    url = f"http://127.0.0.1:{port}/healthz"
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL)  # noqa: ASYNC220
    accepted: float | None = None
    async with httpx.AsyncClient(timeout=30.0) as probe:
        while time.perf_counter() - started < give_up:
            if accepted is None:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    accepted = time.perf_counter() - started
                except OSError:
                    pass
            if accepted is not None:
                try:
                    if (await probe.get(url)).status_code == 200:
                        return accepted, time.perf_counter() - started, process
                except httpx.TransportError:
                    pass
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited with {process.returncode} before it was healthy")
            await asyncio.sleep(0.01)
    process.kill()
    raise TimeoutError(f"{command} not healthy after {give_up:.0f} s")


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(30)


def _python_pass(times: int) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--no-telegram", action="store_true", help="LINE only (no Bot API calls at start)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PMQA_", "LINE_", "TELEGRAM_"))}
    async with scratch_database(args.database, Path(workdir)) as url, FakeTelegramApi(token=TOKEN) as fake:
        env = {**base_env, "PMQA_DATABASE_URL": url, "PMQA_LOG_LEVEL": "WARNING", "PMQA_REMINDERS": "true",
               "LINE_CHANNEL_SECRET": "bench-secret", "LINE_CHANNEL_ACCESS_TOKEN": "bench-token",
               "LINE_API_BASE_URL": "http://127.0.0.1:9"}
        if not args.no_telegram:
            env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
                    "TELEGRAM_WEBHOOK_SECRET": SECRET, "PMQA_PUBLIC_URL": "https://bench.invalid",
                    "PTB_TIMEDELTA": "true"}
        port = _free_port()
        serve = [sys.executable, "-m", "bot", "serve", "--port", str(port)]

        floor_pass = _python_pass(5)
        bare = []
        for _ in range(3):
            bare_port = _free_port()
            _, spent, process = await _time_to_healthy([sys.executable, "-c", BARE_APP, str(bare_port)], bare_port,
                                                       base_env, workdir)
            _kill(process)
            bare.append(spent)
        floor_app = statistics.median(bare)

        _, first, process = await _time_to_healthy(serve, port, env, workdir)
        restarts, refused = [], []
        for _ in range(args.restarts):
            _kill(process)
            accepted, spent, process = await _time_to_healthy(serve, port, env, workdir)
            restarts.append(spent)
            refused.append(accepted)
        _kill(process)

    channels = "LINE" if args.no_telegram else "LINE + Telegram (webhook, fake Bot API)"
    median = statistics.median(restarts)
    print(f"restart to healthy, {args.database}, {channels}, {args.restarts} SIGKILL restarts:")
    print(f"  floor: python -c pass {floor_pass * 1000:.0f} ms; bare uvicorn app healthy {floor_app * 1000:.0f} ms")
    print(f"  first start (creates the schema): {first * 1000:.0f} ms ({first / floor_app:.1f}x the bare app)")
    print(f"  restart: median {median * 1000:.0f} ms, max {max(restarts) * 1000:.0f} ms "
          f"({median / floor_app:.1f}x the bare app, {median / floor_pass:.1f}x python -c pass)")
    print(f"  connections refused after a restart for: median {statistics.median(refused) * 1000:.0f} ms, "
          f"max {max(refused) * 1000:.0f} ms (later ones wait in the listen queue and are answered when healthy)")


if __name__ == "__main__":
    asyncio.run(main())
