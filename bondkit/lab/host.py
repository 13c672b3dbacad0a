"""What the lab does on the machine that runs it: checks, the lab namespace, processes.

Everything here acts inside the lab's own network namespace (``ip netns exec``) or on processes the lab
started, found by the ids it recorded; nothing is ever looked up or ended by name.
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

#: Host uid the UML guests run as: with it, the host's files are read-only to a guest whatever the
#: guest does with its mounts (only the lab's own guest directories belong to it).
GUEST_UID = 64123
UML_MODULES = Path("/usr/lib/uml/modules")


def uml_binary() -> str | None:
    return shutil.which("linux.uml") or shutil.which("linux")


def missing_pieces() -> list[tuple[str, str]]:
    """(what is missing, how to get it) for every piece the lab needs that this machine lacks, in the
    user's language (tool names and commands are not translated)."""
    missing: list[tuple[str, str]] = []
    if not sys.platform.startswith("linux"):
        return [(t("lab.piece.linux"), t("lab.piece.linux_how"))]
    apt = "sudo apt-get install {}"
    if not uml_binary():
        missing.append((t("lab.piece.uml"), apt.format("user-mode-linux")))
    elif not any(UML_MODULES.glob("*/kernel/drivers/net/bonding/bonding.ko")):
        missing.append((t("lab.piece.bonding"), apt.format("user-mode-linux")))
    for tool, package in (("ip", "iproute2"), ("tc", "iproute2"), ("bridge", "iproute2"),
                          ("ssh-keygen", "openssh-client"), ("setpriv", "util-linux"),
                          ("nsenter", "util-linux"), ("modprobe", "kmod"), ("ping", "iputils-ping")):
        if not any((shutil.which(tool), Path("/usr/sbin", tool).exists(), Path("/sbin", tool).exists())):
            missing.append((tool, apt.format(package)))
    if not Path("/usr/sbin/sshd").exists():
        missing.append(("sshd", apt.format("openssh-server")))
    if os.geteuid() != 0:
        missing.append((t("lab.piece.root"), t("lab.piece.root_how")))
    if not Path("/dev/net/tun").exists():
        missing.append(("/dev/net/tun", "sudo modprobe tun"))
    return missing


def check_can_run() -> None:
    missing = missing_pieces()
    if missing:
        lines = "\n".join(f"  - {what}: {how}" for what, how in missing)
        raise LabError("lab.missing", pieces=lines)


def run(*args: str, namespace: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a host command, inside the lab namespace when one is given."""
    command = ["ip", "netns", "exec", namespace, *args] if namespace else list(args)
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise LabError("lab.host_command_failed", command=" ".join(command), error=result.stderr.strip())
    return result


def namespace_exists(name: str) -> bool:
    return Path("/run/netns", name).exists()


def create_namespace(name: str) -> None:
    run("ip", "netns", "add", name)
    run("ip", "link", "set", "lo", "up", namespace=name)
    # No router solicitations or DAD chatter from the lab's own bridges.
    run("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", namespace=name, check=False)
    run("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1", namespace=name, check=False)


def delete_namespace(name: str) -> None:
    """Deleting the namespace removes every bridge and tap the lab made inside it."""
    if namespace_exists(name):
        run("ip", "netns", "del", name, check=False)


def add_bridge(namespace: str, name: str, address: str | None = None) -> None:
    run("ip", "link", "add", name, "type", "bridge", namespace=namespace)
    if address:
        run("ip", "addr", "add", address, "dev", name, namespace=namespace)
    run("ip", "link", "set", name, "up", namespace=namespace)


def add_tap(namespace: str, name: str, bridge: str) -> None:
    run("ip", "tuntap", "add", "dev", name, "mode", "tap", "user", str(GUEST_UID), namespace=namespace)
    run("ip", "link", "set", name, "master", bridge, namespace=namespace)
    run("ip", "link", "set", name, "up", namespace=namespace)


def set_port_forwarding(namespace: str, tap: str, forwarding: bool) -> None:
    """A switch port that stops forwarding while its link stays up (STP state disabled/forwarding)."""
    run("bridge", "link", "set", "dev", tap, "state", "3" if forwarding else "0", namespace=namespace)


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
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process_matches(pid, marker):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.02)
