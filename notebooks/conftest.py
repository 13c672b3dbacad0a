"""nbval runs the notebooks one after the other; they share one embedded lab instead of each booting
its own (a lab that is already running is used and left alone). ``BONDKIT_NB_SHARED_LAB=0`` turns this
off, and each notebook then starts and stops its own lab, as it does in JupyterLab.

nbval's cells are not test functions, so fixtures do not reach them: the lab is started by the first
cell's set-up hook and stopped when the session ends.
"""

from __future__ import annotations

import contextlib

_shared: list[contextlib.AbstractContextManager] = []


def pytest_runtest_setup(item):
    if not _shared:
        from bondkit.notebook import shared_lab

        manager = shared_lab()
        manager.__enter__()
        _shared.append(manager)


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
