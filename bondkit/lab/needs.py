"""What the lab needs from the machine that runs it, told as (what is missing, how to get it).

Installing is a one-time step for whoever may install packages; running the lab never needs root.
Tool names and commands are not translated, the rest is in the user's language.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bondkit.i18n import t
from bondkit.lab import confine
from bondkit.lab.engine import Engine
from bondkit.lab.tools import find_tool

SLIRP_MODULE = "vdeplug/libvdeplug_slirp.so"
#: The Debian/Ubuntu package that brings each program the lab or its guests' image needs.
PACKAGES = {
    "vde_switch": "vde2", "vde_plug": "vde2", "mke2fs": "e2fsprogs", "ssh-keygen": "openssh-client",
    "ssh": "openssh-client", "sshd": "openssh-server", "ip": "iproute2", "tc": "iproute2",
    "bridge": "iproute2", "ss": "iproute2", "ping": "iputils-ping", "fping": "fping", "modprobe": "kmod",
    "insmod": "kmod", "lsmod": "kmod", "rmmod": "kmod", "depmod": "kmod", "bash": "bash", "ps": "procps",
    "sysctl": "procps", "free": "procps", "uptime": "procps", "nsenter": "util-linux",
    "unshare": "util-linux", "mount": "mount", "umount": "mount", "setsid": "util-linux",
    "flock": "util-linux", "dmesg": "util-linux", "dpkg-deb": "dpkg",
}


def slirp_module_present() -> bool:
    return any(Path(folder, SLIRP_MODULE).exists()
               for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib",
                              f"/usr/lib/{os.uname().machine}-linux-gnu"))


def missing_pieces(engine: Engine | None = None) -> list[tuple[str, str]]:
    """Every piece the lab needs that this machine lacks, the engine's own included."""
    if not sys.platform.startswith("linux"):
        return [(t("lab.piece.linux"), t("lab.piece.linux_how"))]
    if engine is None:
        from bondkit.lab.engine import choose_engine

        engine = choose_engine()
    apt = "sudo apt-get install {}"
    missing = list(engine.missing())
    for tool in ("vde_switch", "vde_plug", "mke2fs", "ssh-keygen", "ssh", "dpkg-deb"):
        if not find_tool(tool):
            missing.append((tool, apt.format(PACKAGES[tool])))
    if not slirp_module_present():
        missing.append((t("lab.piece.slirp"), apt.format("libvdeplug-slirp")))
    from bondkit.lab import rootfs

    for program in rootfs.missing_programs() if engine.native else []:
        missing.append((program, apt.format(PACKAGES.get(program, "coreutils"))))
    if confine.abi_version() < 1:
        missing.append((t("lab.piece.landlock"), t("lab.piece.landlock_how")))
    return missing


def unavailable_reason(engine: Engine | None = None, lang: str | None = None) -> str | None:
    """Why no live lab can run here, in one line of the user's language; None when one can.

    Missing pieces are told first; with every piece at hand, a real boot decides (remembered, see
    :mod:`bondkit.lab.probe`). ``BONDKIT_NB_LAB=off`` and such switches are the callers' to check.
    """
    from bondkit.errors import BondkitError

    try:
        if engine is None:
            from bondkit.lab.engine import choose_engine

            engine = choose_engine()
        missing = missing_pieces(engine)
    except BondkitError as error:
        return t("lab.why.error", lang, error=error.message(lang))
    if missing:
        return t("lab.why.missing", lang, pieces="; ".join(f"{what} ({how})" for what, how in missing))
    from bondkit.lab.probe import probe

    try:
        engine.prepare()
        result = probe(engine)
    except BondkitError as error:
        return t("lab.why.error", lang, error=error.message(lang))
    if not result.ok:
        return t("lab.why.no_boot", lang, detail=result.detail, console=result.console)
    return None


def require_lab() -> bool:
    """``BONDKIT_REQUIRE_LAB=1`` (CI): a machine that cannot run the lab is an error, not a fallback."""
    return os.environ.get("BONDKIT_REQUIRE_LAB", "") not in ("", "0")
