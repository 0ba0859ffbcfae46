"""Loads line-bot-sdk with its argument validators built on first use instead of at import.

Each Messaging API method is wrapped in pydantic's `validate_arguments`, which builds a model per
method when the module loads: about 0.5 s of the SDK's 0.7 s import, paid at every server start
for some 280 methods of which the bot calls five.  While the SDK's modules load, the decorator
they import is swapped for one that builds the same validator the first time a method is called,
so validation is unchanged, only later; the original is put back straight after.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()


def lazy_validate_arguments(func: Any = None, *, config: Any = None) -> Any:
    from pydantic.v1.decorator import validate_arguments

    if func is None:
        return functools.partial(lazy_validate_arguments, config=config)
    built: list[Callable[..., Any]] = []

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not built:
            with _lock:
                if not built:
                    built.append(validate_arguments(func, config=config))
        return built[0](*args, **kwargs)

    return wrapper


def load() -> None:
    """Import the parts of the SDK the bot uses (once; later calls do nothing)."""
    if "linebot.v3.messaging" in sys.modules:
        return
    import pydantic.v1

    original = pydantic.v1.validate_arguments
    pydantic.v1.validate_arguments = lazy_validate_arguments
    try:
        import linebot.v3.messaging
        import linebot.v3.webhooks  # noqa: F401
    finally:
        pydantic.v1.validate_arguments = original


load()
