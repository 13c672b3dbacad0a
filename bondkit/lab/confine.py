"""Runs a lab process under Landlock, so that it can change no file outside the lab's own folders.

The lab's processes (QEMU running a guest, the VDE switches, the slirp plug) run with the rights of
the user who started the lab, on the user's own files. No host folder is shared into a guest and QEMU
keeps to its own seccomp sandbox; Landlock is the layer beneath both, so that even a process gone
wrong can change nothing of the user's. Landlock, which needs no privilege and is allowed by the
default seccomp profiles of Docker and Podman, takes the right to create, write, rename or remove files
away from the process and every process it starts, except beneath the folders named here. Reading
stays allowed: a lab process may read what its user may read, but change nothing of it.

Usage (by the lab only): ``python -I -S confine.py --write DIR [--write DIR ...] -- PROGRAM ARGS``; it
imports nothing but the standard library, so that it starts at once.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from pathlib import Path

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same number on every architecture
_VERSION = 1 << 0  # LANDLOCK_CREATE_RULESET_VERSION
_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
# Filesystem rights (include/uapi/linux/landlock.h) that change something, by the ABI that added them.
WRITE_FILE, REMOVE_DIR, REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
MAKE = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
REFER, TRUNCATE = 1 << 13, 1 << 14
#: Rights that may be granted on a single file rather than a folder.
FILE_RIGHTS = WRITE_FILE | TRUNCATE


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The Landlock ABI this kernel offers, or 0 when it has none (too old, or not enabled)."""
    if not sys.platform.startswith("linux"):
        return 0
    version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION))
    return max(int(version), 0)


def write_rights(abi: int) -> int:
    rights = WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    return rights


def _fail(what: str) -> None:
    error = ctypes.get_errno()
    raise OSError(error, f"landlock {what}: {os.strerror(error)}")


def restrict_writes(writable: list[Path]) -> None:
    """From now on this process, and all it starts, may change files only beneath ``writable``."""
    abi = abi_version()
    if abi < 1:
        raise OSError("Landlock is not available on this kernel")
    libc = _libc()
    handled = write_rights(abi)
    attr = struct.pack("=Q", handled)
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)),
                           ctypes.c_uint32(0))
    if ruleset < 0:
        _fail("create_ruleset")
    try:
        for path in writable:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rights = handled if path.is_dir() else handled & FILE_RIGHTS
                rule = struct.pack("=Qi", rights, fd)
                if libc.syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_PATH_BENEATH),
                                ctypes.c_char_p(rule), ctypes.c_uint32(0)) < 0:
                    _fail(f"add_rule {path}")
            finally:
                os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0:
            _fail("no_new_privs")
        if libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) < 0:
            _fail("restrict_self")
    finally:
        os.close(ruleset)


def main(argv: list[str]) -> None:
    # /dev/null and pseudo-terminals hold none of the user's files: writing to them stores nothing, and a
    # program the lab runs may open a terminal of its own.
    writable: list[Path] = [p for p in (Path("/dev/null"), Path("/dev/ptmx"), Path("/dev/pts")) if p.exists()]
    while argv and argv[0] == "--write":
        writable.append(Path(argv[1]))
        argv = argv[2:]
    if not argv or argv[0] != "--" or len(argv) < 2:
        raise SystemExit("usage: confine.py --write DIR ... -- PROGRAM ARGS")
    restrict_writes(writable)
    os.execvp(argv[1], argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
