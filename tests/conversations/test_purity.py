"""Architecture: the conversation core and the criteria are pure.  No I/O frameworks, no
async, no reading the clock - time arrives in ``ctx.now`` so every step is reproducible."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import conversations
import criteria

PACKAGES = [Path(conversations.__file__).parent, Path(criteria.__file__).parent]
FORBIDDEN_MODULES = {
    "asyncio", "sqlalchemy", "telegram", "linebot", "starlette", "httpx", "aiohttp",
    "random", "secrets",  # machine.py: "No I/O, no clock, no randomness"
}
CLOCK_CALLS = {
    "datetime.now", "datetime.utcnow", "datetime.today", "date.today",
    "time.time", "time.time_ns", "time.monotonic", "time.perf_counter",
}


def sources() -> list[Path]:
    files = sorted(p for package in PACKAGES for p in package.rglob("*.py"))
    assert files, "no sources found"
    return files


def dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = dotted(node.value, aliases)
        return None if base is None else f"{base}.{node.attr}"
    return None


def violations(source: str) -> list[str]:
    """What in `source` breaks the purity rules (an empty list when pure)."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local name → "datetime" / "date" / "time" / "time.time" …
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in FORBIDDEN_MODULES:
                    found.append(f"import {alias.name}")
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"from {module} import …")
            for alias in node.names:
                local = alias.asname or alias.name
                if module == "datetime":
                    aliases[local] = alias.name  # "datetime" or "date"
                elif module == "time":
                    aliases[local] = f"time.{alias.name}"
                    if f"time.{alias.name}" in CLOCK_CALLS:
                        found.append(f"from time import {alias.name}")
        elif isinstance(node, ast.AsyncFunctionDef | ast.Await | ast.AsyncFor | ast.AsyncWith):
            found.append(f"async code at line {node.lineno}")
        elif isinstance(node, ast.comprehension) and node.is_async:
            found.append("async comprehension")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = dotted(node.func, aliases)
            if name is None:
                continue
            short = ".".join(name.split(".")[-2:])  # datetime.datetime.now → datetime.now
            if name in CLOCK_CALLS or short in CLOCK_CALLS:
                found.append(f"clock call {name}() at line {node.lineno}")
    return found


@pytest.mark.parametrize("path", sources(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_core_sources_are_pure(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8")) == []


def test_the_core_packages_are_the_ones_checked() -> None:
    names = {f"{p.parent.name}/{p.name}" for p in sources()}
    assert {"conversations/machine.py", "conversations/render.py", "criteria/scoring.py"} <= names


@pytest.mark.parametrize("snippet", [
    "import asyncio",
    "import sqlalchemy.orm",
    "from sqlalchemy.ext.asyncio import AsyncSession",
    "from telegram import Update",
    "import linebot.v3",
    "from starlette.requests import Request",
    "import httpx",
    "import aiohttp",
    "import random",
    "async def f():\n    pass",
    "def f(x):\n    return [y async for y in x]",
    "from datetime import datetime\nx = datetime.now()",
    "import datetime\nx = datetime.datetime.now()",
    "import datetime as dt\nx = dt.datetime.utcnow()",
    "from datetime import date\nx = date.today()",
    "from datetime import datetime as D\nx = D.now(tz=None)",
    "import time\nx = time.time()",
    "import time\nx = time.monotonic()",
    "from time import time\nx = 1",
])
def test_the_checker_catches_each_kind_of_impurity(snippet: str) -> None:
    assert violations(snippet), snippet


@pytest.mark.parametrize("snippet", [
    "from datetime import date, datetime\ndef f(now: datetime) -> date:\n    return now.date()",
    "import re\nx = re.compile('now')",
    "def today(): ...\ntoday()",
])
def test_the_checker_allows_pure_code(snippet: str) -> None:
    assert violations(snippet) == []
