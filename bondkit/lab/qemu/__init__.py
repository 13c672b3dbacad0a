"""The QEMU engine: each lab host is a small virtual machine running Debian's cloud kernel.

QEMU boots on every CPU a student or a class has (it translates the guest's code itself when KVM is
not there for the user) and for arm64 guests as well as x86-64 ones. A guest's disk is the lab's
read-only root image under a throw-away overlay of its own (``snapshot=on``: written in the guest's
folder, gone when it stops), its NICs are virtio-net cards on the lab's VDE switches with the MAC
addresses the topology gives, its settings and keys come in through QEMU's firmware config, read-only.
No host folder is shared into a guest (no 9p, no virtiofs): the guest reaches nothing of the host but
its switches. Pulling a cable is QMP ``set_link``, so the guest's driver really loses its carrier.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from bondkit.errors import LabError
from bondkit.i18n import t
from bondkit.lab import processes, rootfs
from bondkit.lab.engine import GuestPlan
from bondkit.lab.qemu import accel, kernel, qmp
from bondkit.lab.tools import find_tool

#: QEMU's own seccomp filter on top of the lab's confinement: no new privileges, no programs started.
SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"
#: Data NIC N sits in PCI slot 8 + N - 1: the tutorial's enp0s8 and enp0s9 are in slots 8 and 9.
MGMT_SLOT, FIRST_DATA_SLOT = 3, 8
MONITOR = "qmp.sock"  # in the guest's folder


class QemuEngine:
    name = "qemu"

    def __init__(self, arch: str | None = None) -> None:
        self.arch = kernel.guest_arch(arch)
        #: KVM when this user can open it; :meth:`prepare` keeps it only if a guest really boots on it.
        self.kvm = accel.kvm_usable(self.arch)
        self._prepared = False
        #: Guests of the machine's own architecture, whose root image is made from its own programs.
        self.native = self.arch.name == kernel.machine_arch()

    @property
    def program(self) -> Path | None:
        """QEMU for the guests' architecture (``BONDKIT_QEMU`` names another, e.g. a build of one's own)."""
        chosen = os.environ.get("BONDKIT_QEMU")
        return Path(chosen) if chosen else find_tool(self.arch.qemu)

    def missing(self) -> list[tuple[str, str]]:
        apt = "sudo apt-get install {}"
        pieces = []
        if not self.program:
            pieces.append((t("lab.piece.qemu", arch=self.arch.name), apt.format(self.arch.qemu_package)))
        if kernel.find_kernel(self.arch) is None and not find_tool("apt-get"):
            pieces.append((t("lab.piece.kernel", arch=self.arch.debian),
                           f"BONDKIT_LAB_ARCH={self.arch.name} python -m bondkit.lab.rootfs (with apt)"))
        return pieces

    def prepare(self) -> None:
        if self._prepared:
            return
        self._kernel = kernel.ensure_kernel(self.arch)
        self._image = rootfs.ensure_image(self._kernel, self.arch)
        self._prepared = True
        if self.kvm:  # a /dev/kvm that opens may still not run a guest (nested, or an old host kernel)
            from bondkit.lab import probe

            self.kvm = probe.probe(self, deadline=30).ok

    def command(self, guest: GuestPlan) -> list[str]:
        """QEMU's command line for ``guest`` (what :meth:`start` runs)."""
        args = [
            str(self.program), "-name", f"bk-{guest.name}", "-nodefaults", "-no-user-config",
            "-display", "none", *self.arch.machine, *accel.accel_options(self.arch, self.kvm),
            "-m", f"{guest.memory_mb}M", "-smp", "1", "-no-reboot", "-sandbox", SANDBOX,
            "-kernel", str(self._kernel.image),
            "-append", " ".join((f"console={self.arch.console}", "root=/dev/nvme0n1", "rw", "quiet",
                                 "devtmpfs.mount=1", "init=/etc/bondkit/init.sh", "panic=-1",
                                 "module.sig_enforce=1",
                                 *guest.kernel_args, guest.marker)),
            "-drive", f"if=none,id=root,format=raw,snapshot=on,file={self._image}",
            "-device", "nvme,drive=root,serial=bondkit,addr=0x10", "-device", "virtio-rng-pci,addr=0x11",
            "-serial", f"file:{guest.console}",
            "-qmp", f"unix:{guest.directory / MONITOR},server=on,wait=off",
        ]
        nics = [("mgmt", MGMT_SLOT, guest.mgmt)] if guest.mgmt else []
        nics += [(f"nic{i}", FIRST_DATA_SLOT + i - 1, nic) for i, nic in enumerate(guest.data, start=1)]
        for ident, slot, nic in nics:
            port = f",port={nic.port}" if nic.port is not None else ""
            args += ["-netdev", f"vde,id={ident},sock={nic.switch}{port}",
                     "-device", f"virtio-net-pci,netdev={ident},id={ident},mac={nic.mac},addr={slot:#x},"
                     "romfile="]
        for name, path in guest.files.items():
            args += ["-fw_cfg", f"name=opt/bondkit/{name},file={path}"]
        return args

    def start(self, guest: GuestPlan) -> subprocess.Popen[bytes]:
        # The overlay of snapshot=on is made in TMPDIR: the guest's folder, the one place it may write.
        env = {"TMPDIR": str(guest.directory), "HOME": str(guest.directory), "PATH": "/usr/bin:/bin"}
        # libvdeplug makes the NIC's end of each cable as a socket beside the switch's.
        switches = {nic.switch.parent for nic in (*([guest.mgmt] if guest.mgmt else []), *guest.data)}
        kvm = [Path(accel.KVM)] if self.kvm else []
        writable = [guest.directory, guest.console, *sorted(switches), *kvm]
        return processes.start_confined(self.command(guest), writable, guest.directory / "engine.log", env)

    def set_carrier(self, guest: GuestPlan, nic: int, up: bool) -> None:
        qmp.set_link(guest.directory / MONITOR, f"nic{nic}", up)

    def start_capture(self, guest: GuestPlan, files: Mapping[tuple[int, str], Path]) -> None:
        """QEMU's own ``filter-dump`` on each NIC's netdev, added at run time: the guest sees nothing
        of it, and QEMU writes the files from within its confinement (so they must be in the guest's
        folder, the one place it may write)."""
        folder = guest.directory.resolve()
        for path in files.values():
            if path.resolve().parent != folder:
                raise LabError("lab.capture_outside", path=str(path), folder=str(folder))
        qmp.start_dumps(guest.directory / MONITOR,
                        [(f"nic{nic}", direction, path) for (nic, direction), path in files.items()])

    def stop_capture(self, guest: GuestPlan, keys: Iterable[tuple[int, str]]) -> None:
        qmp.stop_dumps(guest.directory / MONITOR, [(f"nic{nic}", direction) for nic, direction in keys])

    def describe(self) -> dict[str, str]:
        program = self.program
        version = ""
        if program:
            with contextlib.suppress(OSError, IndexError, subprocess.TimeoutExpired):
                version = subprocess.run([str(program), "--version"], capture_output=True, text=True,
                                         timeout=10).stdout.splitlines()[0]
        found = kernel.find_kernel(self.arch)
        image = rootfs.find_image(found, self.arch) if found else None
        return {"engine": self.name, "program": str(program or ""), "version": version,
                "arch": self.arch.name, "accel": "kvm" if self.kvm else "tcg",
                "kernel": found.release if found else "", "image": image.name if image else "",
                "image_path": str(image or "")}
