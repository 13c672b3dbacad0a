"""The processes the lab starts on this machine, and how it ends them.

The lab asks for no privilege at all: no root, no namespaces, no taps or bridges, no mounts. Its
processes (the guests' engine, VDE switches, the slirp plug that carries SSH) are ordinary processes of
the user, each started in a session of its own under Landlock (:mod:`bondkit.lab.confine`), recorded by id,
and ended by id after checking its command line; nothing is ever looked up or ended by name.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bondkit.lab import confine


def start_confined(command: list[str], writable: list[Path], log: Path, env: dict[str, str] | None = None,
                   ) -> subprocess.Popen[bytes]:
    """Start ``command`` in a session of its own, able to change files only beneath ``writable``."""
    # Run by path, isolated and without site: it needs only the standard library, and starts in 20 ms.
    wrapper = [sys.executable, "-I", "-S", confine.__file__]
    for path in writable:
        wrapper += ["--write", str(path)]
    with open(log, "ab") as out:
        return subprocess.Popen([*wrapper, "--", *command], stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True, env=env)


def process_matches(pid: int, marker: str) -> bool:
    """True when ``pid`` is alive and its command line carries the lab's marker (never a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return status != "Z" and marker in cmdline


def end_process_group(pid: int, marker: str, timeout: float = 2.0) -> None:
    """End a process the lab started (and the children in its group), by id, after checking it is ours."""
    if not process_matches(pid, marker):
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # not the leader of a group of its own
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process_matches(pid, marker):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.02)
