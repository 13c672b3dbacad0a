"""What the lab asks of the engine that runs its guests, and which engine a machine gets.

The lab (:mod:`bondkit.lab.lab`) owns the topology, the switches, the keys, SSH and the faults that act
inside a guest; an engine only turns a :class:`GuestPlan` into a running machine and pulls a NIC's
cable. Failover runs, apply and the notebooks see the lab alone, so an engine can be swapped without
them knowing (QEMU today, in :mod:`bondkit.lab.qemu`; a browser's emulator can be another).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

#: A lab host's memory: what its programs use (about 30 MB) with room for the page cache; every MB
#: of it is resident on this machine, for each guest of each student.
DEFAULT_MEMORY_MB = 80


@dataclass(frozen=True)
class NicPlan:
    """One virtual NIC: its MAC address, the switch socket its cable goes to and, when the lab wants
    to name the switch's ports after its NICs, the port number to plug into (else the next free one)."""

    mac: str
    switch: Path
    port: int | None = None


@dataclass(frozen=True)
class GuestPlan:
    """Everything an engine needs to start one lab host."""

    name: str
    directory: Path  # the guest's own folder: the only place its engine process may write
    marker: str  # on the engine process's command line, so it is recognised by id and this
    memory_mb: int
    mgmt: NicPlan | None
    data: tuple[NicPlan, ...]
    #: Files handed to the guest read-only at boot (its settings and keys), by the name the guest uses.
    files: dict[str, Path] = field(default_factory=dict)
    console: Path = Path("/dev/null")
    kernel_args: tuple[str, ...] = ()


class Engine(Protocol):
    """A way to run lab guests. Implementations: :class:`bondkit.lab.qemu.QemuEngine`."""

    name: str
    #: Whether the guests run this machine's own programs (their root image is made from them); guests
    #: of another architecture bring theirs.
    native: bool

    def missing(self) -> list[tuple[str, str]]:
        """(what, how to get it) for every piece this engine lacks on this machine, in the user's language."""
        ...

    def prepare(self) -> None:
        """Make sure the guests' kernel and root image are at hand (fetched or built once)."""
        ...

    def start(self, guest: GuestPlan) -> subprocess.Popen[bytes]:
        """Start ``guest`` confined (see :mod:`bondkit.lab.confine`); return at once."""
        ...

    def set_carrier(self, guest: GuestPlan, nic: int, up: bool) -> None:
        """Pull (``up=False``) or plug back data NIC ``nic`` (1-based) of a running guest: its carrier."""
        ...

    def start_capture(self, guest: GuestPlan, files: Mapping[tuple[int, str], Path]) -> None:
        """Write every frame that data NICs of a running guest send (``"out"``) or receive (``"in"``)
        into pcap files: ``files[(nic, direction)]``, ``nic`` 1-based, each file inside the guest's own
        folder. All of them start together, so their time stamps share one clock."""
        ...

    def stop_capture(self, guest: GuestPlan, keys: Iterable[tuple[int, str]]) -> None:
        """Stop the captures :meth:`start_capture` began (those not running are passed over); their
        files are complete when this returns."""
        ...

    def describe(self) -> dict[str, str]:
        """What this engine is on this machine (program, version, acceleration, kernel, architecture):
        shown by ``bondkit lab check`` and part of the key under which a boot probe is remembered."""
        ...


def choose_engine(name: str | None = None) -> Engine:
    """The engine for this machine: ``BONDKIT_LAB_ENGINE`` names one, else QEMU (the only one that boots on
    every CPU and architecture a student or a class has; see README, "How the lab works")."""
    from bondkit.errors import LabError

    wanted = name or os.environ.get("BONDKIT_LAB_ENGINE") or "qemu"
    if wanted == "qemu":
        from bondkit.lab.qemu import QemuEngine

        return QemuEngine()
    raise LabError("lab.bad_engine", engine=wanted, choices="qemu")
