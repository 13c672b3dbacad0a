"""How Python reaches the lab's JavaScript in the same worker, and how it waits for it.

The guests run on the worker's own event loop. A plain Python call that blocked the thread would stop
them too; JSPI (``pyodide.ffi.run_sync``) instead suspends the Python stack and lets the loop run
until the answer is there, so a cell can call ``run()`` without ``await``. Browsers without JSPI get
a message that says to write ``await ....arun(...)``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable
from typing import Any, TypeVar

from bondkit.errors import LabError

T = TypeVar("T")
#: Where the lab's files are below the site's root (scripts/build_site.py puts them there).
LAB_FOLDER = "bondlab/"


def in_browser() -> bool:
    return sys.platform == "emscripten"


def require_browser() -> None:
    if not in_browser():
        raise LabError("browser.not_in_browser")


def can_wait() -> bool:
    """Whether this browser can wait for JavaScript inside a plain call (JSPI)."""
    if not in_browser():
        return False
    from pyodide.ffi import can_run_sync  # type: ignore[import-not-found]

    return bool(can_run_sync())


def wait(awaitable: Awaitable[T], host: str = "server") -> T:
    """The result of ``awaitable``, waited for synchronously (JSPI)."""
    if not can_wait():
        if hasattr(awaitable, "close"):
            awaitable.close()  # dropped unawaited: closed, so Python does not warn about it
        raise LabError("browser.no_jspi", host=host)
    from pyodide.ffi import run_sync

    result: T = run_sync(awaitable)
    return result


def site_base() -> str:
    """The URL of the lab's folder: the kernel's worker script lies under the site's ``extensions/``."""
    from js import location  # type: ignore[import-not-found]

    href = str(location.href)
    root = href.split("/extensions/")[0] if "/extensions/" in href else href.rsplit("/", 2)[0]
    return root.rstrip("/") + "/" + LAB_FOLDER


async def import_lab(base: str) -> Any:
    """The lab's JavaScript module (``web.mjs``), imported into this worker."""
    from pyodide.code import run_js  # type: ignore[import-not-found]

    return await run_js(f"import({json.dumps(base + 'web.mjs')})")
