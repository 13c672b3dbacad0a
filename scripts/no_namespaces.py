#!/usr/bin/python3
"""Runs a command under a seccomp filter like a default Docker or Kubernetes container's, in what the
lab cares about: no new namespaces (unshare, setns, clone or clone3 with CLONE_NEW* flags), no mounts,
no pivot_root or chroot, no tun/tap. The lab's tests run under it to show that the lab needs none of them.

Usage: /usr/bin/python3 scripts/no_namespaces.py COMMAND [ARGS...]   (needs Debian's python3-seccomp)
"""

import errno
import os
import sys

import seccomp

CLONE_NEW = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
TUNSETIFF = 0x400454CA


def build_filter() -> seccomp.SyscallFilter:
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    deny = seccomp.ERRNO(errno.EPERM)
    for name in ("unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount",
                 "fsopen", "fsmount", "open_tree"):
        rules.add_rule(deny, name)
    for flag in (bit for bit in (1 << n for n in range(32)) if bit & CLONE_NEW):
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    # As Docker does: clone3 passes its flags in memory a filter cannot read, so it is refused with
    # ENOSYS and the C library falls back to clone, where the flags are checked.
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    rules.add_rule(deny, "ioctl", seccomp.Arg(1, seccomp.EQ, TUNSETIFF))
    return rules


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    build_filter().load()
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
