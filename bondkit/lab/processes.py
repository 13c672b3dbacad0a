"""The processes the lab starts on this machine, and how it ends them.

The lab asks for no privilege at all: no root, no namespaces, no taps or bridges, no mounts. Its
processes (the guests' engine, VDE switches, the slirp plug that carries SSH) are ordinary processes of
the user, each started in a session of its own under Landlock (:mod:`bondkit.lab.confine`), recorded by id,
and ended by id after checking its command line; nothing is ever looked up or ended by name.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from bondkit.lab import confine, places

#: The lab folder whose processes are being started: every path they may write must resolve inside it.
_WITHIN: contextvars.ContextVar[Path | None] = contextvars.ContextVar("bondkit_lab_folder", default=None)


@contextlib.contextmanager
def confined_within(folder: Path) -> Iterator[None]:
    """While the lab in ``folder`` starts its processes (the engine's included), refuse any write rule
    that does not resolve inside that folder."""
    token = _WITHIN.set(Path(os.path.realpath(folder)))
    try:
        yield
    finally:
        _WITHIN.reset(token)


def start_confined(command: list[str], writable: list[Path], log: Path, env: dict[str, str] | None = None,
                   *, ports: Sequence[int] = ()) -> subprocess.Popen[bytes]:
    """Start ``command`` in a session of its own, able to change files only beneath ``writable``, to read
    only those, the system's folders and the lab's images, and to bind only the TCP ``ports``.

    Each writable path other than a device must be in a folder of this user's that nobody else may
    write to, placed where nobody else can swap it (:mod:`bondkit.lab.places`); it goes to Landlock by
    its real path, which :mod:`bondkit.lab.confine` opens again without following any link."""
    # Run by path, isolated and without site: it needs only the standard library, and starts in 20 ms.
    wrapper = [sys.executable, "-I", "-S", confine.__file__]
    for path in writable:
        wrapper += ["--write", str(_rule_path(Path(path)))]
    for folder in places.image_folders():
        wrapper += ["--read", str(folder)]
    for port in ports:
        wrapper += ["--bind", str(int(port))]
    with open(log, "ab") as out:
        return subprocess.Popen([*wrapper, "--", *command], stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True, env=env)


def _rule_path(path: Path) -> Path:
    """``path`` as Landlock is to be given it: a device as it is, anything else once its folder passed
    the checks, by its real path."""
    absolute = Path(os.path.abspath(path))
    if str(absolute) in confine.DEVICES:
        return absolute
    if absolute.is_symlink():
        raise places.unsafe(absolute, "not_directory")
    folder = absolute if absolute.is_dir() else absolute.parent
    places.check_private(folder)
    real = places.check_ancestors(folder)
    lab = _WITHIN.get()
    if lab is not None and real != lab and lab not in real.parents:
        raise places.unsafe(folder, "outside")
    return real if folder == absolute else real / absolute.name


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
