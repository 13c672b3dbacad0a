"""nbval runs the notebooks one after the other; they share one embedded lab instead of each booting
its own (a lab that is already running is used and left alone). ``BONDKIT_NB_SHARED_LAB=0`` turns this
off, and each notebook then starts and stops its own lab, as it does in JupyterLab.

nbval's cells are not test functions, so fixtures do not reach them: the lab is started by the first
cell's set-up hook and stopped when the session ends.

The committed notebooks are a live build: each lab cell's output ends with "(live: ...)". Where the
notebooks run without the lab (``BONDKIT_NB_LAB=off``, or a machine that cannot run it) the same cells
must end with the recorded line instead, exactly. Every such output keeps both lines in its metadata
(``bondkit.provenance``, written by ``Observed`` and ``Action``), so here the expected output is the
committed one with its live line replaced by its own recorded line; nothing about the provenance is
masked, and a stale output that says "live" in a recorded build (or the reverse) fails.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any

_shared: list[contextlib.AbstractContextManager] = []
_mode: dict[str, bool] = {}


def _lab_is_live(shared: Any) -> bool:
    """Whether the notebooks' lab cells will run live: the shared lab is up, or, with sharing turned
    off, each notebook can start its own."""
    import os

    from bondkit.lab import unavailable_reason
    from bondkit.notebook.session import lab_switched_off

    if shared is not None:
        return True
    if lab_switched_off() or os.environ.get("BONDKIT_NB_SHARED_LAB", "1") != "0":
        return False
    return unavailable_reason() is None


def pytest_runtest_setup(item):
    if not _shared:
        from bondkit.notebook import shared_lab

        manager = shared_lab()
        lab = manager.__enter__()
        _shared.append(manager)
        _mode["live"] = _lab_is_live(lab)
    if not _mode.get("live", True):
        expect_recorded(item)


def expect_recorded(item: Any) -> None:
    """Make ``item``'s reference outputs (an nbval cell) the ones a recorded run prints."""
    cell = getattr(item, "cell", None)
    for output in getattr(cell, "outputs", None) or []:
        lines = ((output.get("metadata") or {}).get("bondkit") or {}).get("provenance")
        if not lines or not lines.get("recorded") or lines.get("shown") != lines.get("live"):
            continue
        data = output.get("data") or {}
        live, recorded = f"({lines['live']})", f"({lines['recorded']})"
        if "text/plain" in data:
            data["text/plain"] = _replace(data["text/plain"], live, recorded)
        if "text/html" in data:
            data["text/html"] = _replace(data["text/html"], html.escape(live), html.escape(recorded))
        lines["shown"] = lines["recorded"]


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, list):
        value = "".join(value)
    return value.replace(old, new)


def pytest_sessionfinish(session, exitstatus):
    while _shared:
        _shared.pop().__exit__(None, None, None)


def pytest_configure(config):
    """Under pytest-xdist each worker runs its notebooks on a lab of its own, in a private folder made
    for it (the notebooks' kernels inherit the choice), so that two workers never share one lab."""
    import os
    import tempfile

    if os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("BONDKIT_LAB_DIR"):
        folder = tempfile.mkdtemp(prefix="bondkit-nbval-")
        os.environ["BONDKIT_LAB_DIR"] = os.path.join(folder, "lab")
        config.add_cleanup(lambda: os.path.isdir(folder) and not os.listdir(folder) and os.rmdir(folder))
