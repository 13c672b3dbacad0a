"""What the lab needs from the machine that runs it, and the processes it starts there.

The lab asks for no privilege at all: no root, no namespaces, no taps or bridges, no mounts. Its
processes (UML guests, VDE switches, the slirp plug that carries SSH) are ordinary processes of the
user, each started in a session of its own under Landlock (:mod:`bondkit.lab.confine`), recorded by id,
and ended by id after checking its command line; nothing is ever looked up or ended by name.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bondkit.errors import LabError
from bondkit.i18n import t
from bondkit.lab import confine, rootfs

SLIRP_MODULE = "vdeplug/libvdeplug_slirp.so"
#: The Debian/Ubuntu package that brings each program the lab or its guests' image needs.
PACKAGES = {
    "vde_switch": "vde2", "vde_plug": "vde2", "mke2fs": "e2fsprogs", "ssh-keygen": "openssh-client",
    "sshd": "openssh-server", "ip": "iproute2", "tc": "iproute2", "bridge": "iproute2", "ss": "iproute2",
    "ping": "iputils-ping", "fping": "fping", "modprobe": "kmod", "insmod": "kmod", "lsmod": "kmod",
    "rmmod": "kmod",
    "depmod": "kmod", "bash": "bash", "ps": "procps", "sysctl": "procps", "free": "procps",
    "uptime": "procps", "nsenter": "util-linux", "unshare": "util-linux", "mount": "mount",
    "umount": "mount", "setsid": "util-linux", "flock": "util-linux", "dmesg": "util-linux",
}


def uml_binary() -> str | None:
    return shutil.which("linux.uml") or shutil.which("linux")


def slirp_module_present() -> bool:
    return any(Path(folder, SLIRP_MODULE).exists()
               for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib",
                              f"/usr/lib/{os.uname().machine}-linux-gnu"))


def missing_pieces() -> list[tuple[str, str]]:
    """(what is missing, how to get it) for every piece the lab needs that this machine lacks, in the
    user's language (tool names and commands are not translated). Installing is a one-time step for
    whoever may install packages; running the lab never needs root."""
    if not sys.platform.startswith("linux"):
        return [(t("lab.piece.linux"), t("lab.piece.linux_how"))]
    apt = "sudo apt-get install {}"
    missing: list[tuple[str, str]] = []
    if not uml_binary():
        missing.append((t("lab.piece.uml"), apt.format("user-mode-linux")))
    elif not rootfs.kernel_release():
        missing.append((t("lab.piece.bonding"), apt.format("user-mode-linux")))
    for tool in ("vde_switch", "vde_plug", "mke2fs", "ssh-keygen"):
        if not rootfs.find_program(tool) and not shutil.which(tool):
            missing.append((tool, apt.format(PACKAGES[tool])))
    if not slirp_module_present():
        missing.append((t("lab.piece.slirp"), apt.format("libvdeplug-slirp")))
    for program in rootfs.missing_programs():
        missing.append((program, apt.format(PACKAGES.get(program, "coreutils"))))
    if confine.abi_version() < 1:
        missing.append((t("lab.piece.landlock"), t("lab.piece.landlock_how")))
    return missing


def check_can_run() -> None:
    missing = missing_pieces()
    if missing:
        lines = "\n".join(f"  - {what}: {how}" for what, how in missing)
        raise LabError("lab.missing", pieces=lines)


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
