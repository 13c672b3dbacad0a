"""The guests' kernel: Debian's cloud kernel for the guests' architecture, unpacked, never installed.

Debian's ``linux-image-cloud-*`` kernels are small (about 27 MB), boot under QEMU with NVMe built in,
and ship ``bonding.ko`` and every network module the lab loads, signed by Debian. Set-up fetches the
package with apt (the machine's own sources and keys, no root needed: ``apt-get download`` writes to the
current folder), unpacks it with ``dpkg-deb -x`` and indexes its modules with ``depmod``. A guest of
another architecture than the machine's (arm64 guests on an x86-64 machine) is fetched through a
private apt state of that architecture beside the kernel, so the machine's own apt set-up is untouched.

``python -m bondkit.lab.rootfs`` fetches it with the root image.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bondkit.errors import LabError
from bondkit.lab import places
from bondkit.lab.tools import find_tool


@dataclass(frozen=True)
class Arch:
    """What differs between guest architectures: Debian's name, QEMU's program and machine, the console."""

    name: str  # as ``uname -m`` says it
    debian: str
    qemu: str
    qemu_package: str
    machine: tuple[str, ...]
    console: str


ARCHES = {
    "x86_64": Arch("x86_64", "amd64", "qemu-system-x86_64", "qemu-system-x86", ("-M", "q35"), "ttyS0"),
    "aarch64": Arch("aarch64", "arm64", "qemu-system-aarch64", "qemu-system-arm",
                    ("-M", "virt", "-cpu", "max,pauth-impdef=on"), "ttyAMA0"),
}
ALIASES = {"amd64": "x86_64", "x86-64": "x86_64", "arm64": "aarch64"}


def machine_arch() -> str:
    machine = platform.machine()
    return ALIASES.get(machine, machine)


def guest_arch(name: str | None = None) -> Arch:
    """The guests' architecture: ``BONDKIT_LAB_ARCH`` (x86_64/amd64, aarch64/arm64), else this machine's."""
    wanted = name or os.environ.get("BONDKIT_LAB_ARCH") or machine_arch()
    arch = ARCHES.get(ALIASES.get(wanted, wanted))
    if arch is None:
        raise LabError("lab.bad_arch", arch=wanted, choices=", ".join(sorted(ARCHES)))
    return arch


@dataclass(frozen=True)
class GuestKernel:
    """An unpacked kernel package: the image QEMU boots and the modules the root image takes."""

    root: Path  # the package's files, as dpkg-deb -x laid them out
    release: str

    @property
    def image(self) -> Path:
        return self.root / "boot" / f"vmlinuz-{self.release}"

    @property
    def modules(self) -> Path:
        return self.root / "lib" / "modules" / self.release


def folder_name(arch: Arch) -> str:
    return f"kernel-{arch.debian}"


def find_kernel(arch: Arch) -> GuestKernel | None:
    """The kernel set-up unpacked for every user, or the one in this user's cache; None if neither."""
    for base in places.image_folders():
        kernel = _unpacked(base / folder_name(arch))
        if kernel:
            return kernel
    return None


def _unpacked(folder: Path) -> GuestKernel | None:
    for image in sorted(folder.glob("boot/vmlinuz-*"), reverse=True):
        release = image.name.removeprefix("vmlinuz-")
        kernel = GuestKernel(folder, release)
        if (kernel.modules / "modules.dep").is_file() and (
                kernel.modules / "kernel/drivers/net/bonding/bonding.ko").is_file():
            return kernel
    return None


def apt_options(arch: Arch, state: Path | None) -> list[str]:
    """apt's options: downloads made as the user who asks (root's go through no ``_apt`` sandbox that
    could not write to the user's folder), and for another architecture than the machine's, a private
    state folder of that architecture."""
    options = ["-q", f"-oAPT::Sandbox::User={_current_user()}"]
    if state is not None:
        options += [f"-oAPT::Architecture={arch.debian}", f"-oAPT::Architectures::={arch.debian}",
                    f"-oDir::State={state}", "-oDir::State::status=/dev/null",
                    f"-oDir::Cache={state / 'cache'}", "-oDebug::NoLocking=1"]
    return options


def _current_user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def private_apt_state(arch: Arch, work: Path) -> Path | None:
    """A private apt state for ``arch`` when it is not this machine's (made and filled), else None."""
    if arch.name == machine_arch():
        return None
    state = work / "apt-state"
    for folder in (state / "lists" / "partial", state / "cache" / "archives" / "partial"):
        folder.mkdir(parents=True, exist_ok=True)
    run(["apt-get", *apt_options(arch, state), "update"], "apt-get update")
    return state


def run(command: list[str], what: str, cwd: Path | None = None) -> str:
    if not shutil.which(command[0]):
        raise LabError("lab.fetch_failed", what=what, error=f"{command[0]}: not found")
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if result.returncode != 0:
        raise LabError("lab.fetch_failed", what=what, error=(result.stderr or result.stdout).strip()[-600:])
    return result.stdout


def download(packages: list[str], arch: Arch, into: Path, state: Path | None) -> list[Path]:
    """``apt-get download`` of ``packages`` into ``into``; returns the .deb files."""
    run(["apt-get", *apt_options(arch, state), "download", *packages],
        "apt-get download " + " ".join(packages), cwd=into)
    return sorted(into.glob("*.deb"))


def kernel_package(arch: Arch, state: Path | None) -> str:
    """The versioned package that ``linux-image-cloud-ARCH`` depends on (``apt-cache depends``)."""
    meta = f"linux-image-cloud-{arch.debian}"
    command = ["apt-cache", *apt_options(arch, state), "depends", meta]
    for line in run(command, f"apt-cache depends {meta}").splitlines():
        name = line.strip().removeprefix("Depends:").strip()
        if name.startswith("linux-image-") and name != meta:
            return name
    raise LabError("lab.fetch_failed", what=meta, error="no kernel package")


def fetch(arch: Arch, base: Path) -> GuestKernel:
    """Fetch and unpack the kernel into ``base/kernel-ARCH`` (atomically: a half-made one is never found)."""
    places.image_folder(base)
    target = base / folder_name(arch)
    with tempfile.TemporaryDirectory(prefix=".kernel-", dir=base) as work_name:
        work = Path(work_name)
        state = private_apt_state(arch, work)
        debs = download([kernel_package(arch, state)], arch, work, state)
        unpacked = work / "unpacked"
        for deb in debs:
            run(["dpkg-deb", "-x", str(deb), str(unpacked)], f"dpkg-deb -x {deb.name}")
        release = next(unpacked.glob("boot/vmlinuz-*")).name.removeprefix("vmlinuz-")
        depmod = find_tool("depmod")
        run([str(depmod) if depmod else "depmod", "-b", str(unpacked), release], "depmod")
        for sub in ("boot", "lib"):  # every user of the machine reads the shared copy
            os.chmod(unpacked / sub, 0o755)
        shutil.rmtree(unpacked / "usr", ignore_errors=True)
        os.chmod(unpacked, 0o755)
        if target.exists():
            shutil.rmtree(target)
        unpacked.rename(target)
    kernel = _unpacked(target)
    if kernel is None:
        raise LabError("lab.fetch_failed", what=str(target), error="bonding.ko not found")
    return kernel


def ensure_kernel(arch: Arch) -> GuestKernel:
    return find_kernel(arch) or fetch(arch, places.user_folder())

