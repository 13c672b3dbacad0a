"""Whether this user may run guests on KVM, and what QEMU is told either way.

KVM needs a guest of the machine's own architecture and a ``/dev/kvm`` this user can open and that
answers; many machines have the device but keep it for root, a container has none. Without it QEMU
translates the guest's code itself (TCG): slower, the same on every CPU, and needing nothing.
"""

from __future__ import annotations

import fcntl
import os

from bondkit.lab.qemu.kernel import Arch, machine_arch

KVM = "/dev/kvm"
_KVM_GET_API_VERSION = 0xAE00


def kvm_usable(arch: Arch) -> bool:
    if arch.name != machine_arch() or os.environ.get("BONDKIT_LAB_ACCEL") == "tcg":
        return False
    try:
        fd = os.open(KVM, os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return fcntl.ioctl(fd, _KVM_GET_API_VERSION) == 12
    except OSError:
        return False
    finally:
        os.close(fd)


def accel_options(arch: Arch, kvm: bool) -> list[str]:
    """KVM with the host's CPU model; else TCG with a small translation cache (it is guest code
    translated once: 32 MB holds a lab host's, and every MB of it is resident memory)."""
    if kvm:
        return ["-accel", "kvm", "-cpu", "host"]
    return ["-accel", "tcg,tb-size=32"]
