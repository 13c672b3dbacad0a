"""Runs a lab process under Landlock: it changes no file outside the lab's folder, reads only what a
program needs, opens no TCP connection and binds only the ports it is given.

The lab's processes (QEMU running a guest, the VDE switches, the slirp plug that carries SSH) run with
the rights of the user who started the lab. No host folder is shared into a guest and QEMU keeps to its
own seccomp sandbox, so a guest reaches the host only through a flaw in QEMU; Landlock is the layer
beneath, so that even a process gone wrong in that way is held. Landlock needs no privilege and is
allowed by the default seccomp profiles of Docker and Podman. What it holds, by the Landlock ABI of the
kernel (``bondkit lab check`` shows it, :func:`coverage` lists it):

- ABI 1 (Linux 5.13): no file is created, written, renamed or removed outside the folders named with
  ``--write``; files are read and programs run only beneath the system's folders (``/usr``, ``/etc``,
  ``/proc``...), the kit's images and the folders named with ``--read`` or ``--write``: the user's home,
  keys and tokens are out of reach. Processes outside cannot be traced.
- ABI 3 (Linux 6.2): truncating a file outside the folders is refused too (below, it is not).
- ABI 4 (Linux 6.7): no TCP connection at all, and TCP bind only on the ports named with ``--bind``.
- ABI 6 (Linux 6.12): no signal to a process outside, no connection to an abstract unix socket outside.

Never covered: connecting to a named unix socket the user can reach (an ssh-agent, the session bus),
UDP, and what the user's other processes do. A rule's path must be the real path (no symbolic link on
the way) of a folder the process may use, so nobody can steer a rule onto another folder.

Usage (by the lab only): ``python -I -S confine.py [--write PATH] [--read DIR] [--bind PORT] -- PROGRAM
ARGS``; it imports nothing but the standard library, so that it starts at once.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
import struct
import sys
from collections.abc import Sequence
from pathlib import Path

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same number on every architecture
_VERSION = 1 << 0  # LANDLOCK_CREATE_RULESET_VERSION
_PATH_BENEATH, _NET_PORT = 1, 2
_PR_SET_NO_NEW_PRIVS = 38
# Filesystem rights (include/uapi/linux/landlock.h), by the ABI that added them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR, REMOVE_DIR, REMOVE_FILE = (1 << bit for bit in range(6))
MAKE = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
REFER, TRUNCATE = 1 << 13, 1 << 14
READ = EXECUTE | READ_FILE | READ_DIR
#: Rights that may be granted on a single file rather than a folder.
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE
# Network rights (ABI 4) and scopes (ABI 6).
BIND_TCP, CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX, SCOPE_SIGNAL = 1 << 0, 1 << 1
#: What every program needs to read and run: the system's own folders, readable by every user.
SYSTEM_READS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix",
                "/gnu", "/proc", "/sys", "/dev")
#: Devices a lab process may open for writing: they hold none of the user's files.
DEVICES = ("/dev/null", "/dev/ptmx", "/dev/pts", "/dev/kvm")


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


def coverage(abi: int) -> dict[str, bool]:
    """What the confinement holds on a kernel with Landlock ABI ``abi`` (see the module's text)."""
    return {"writes": abi >= 1, "reads": abi >= 1, "truncate": abi >= 3, "tcp": abi >= 4,
            "signals": abi >= 6, "abstract_sockets": abi >= 6}


def _fail(what: str) -> None:
    error = ctypes.get_errno()
    raise OSError(error, f"landlock {what}: {os.strerror(error)}")


def _open_rule_path(path: Path) -> int:
    """An ``O_PATH`` descriptor of ``path`` itself: refused when a symbolic link lies anywhere on the way
    (the system's devices excepted, which root alone can change), so a rule lands where it is meant."""
    absolute = os.path.abspath(path)
    device = absolute.startswith("/dev/")
    fd = os.open(absolute, os.O_PATH | os.O_CLOEXEC | (0 if device else os.O_NOFOLLOW))
    real = os.readlink(f"/proc/self/fd/{fd}")
    # O_PATH with O_NOFOLLOW opens a link itself rather than failing: a link is refused here.
    is_link = stat.S_ISLNK(os.fstat(fd).st_mode)
    if not is_link and (real.startswith("/dev/") if device else real == absolute):
        return fd
    os.close(fd)
    raise OSError(errno.ELOOP, f"{absolute} leads to {real}: rules go only on paths without symbolic links")


def _add_path_rule(libc: ctypes.CDLL, ruleset: int, path: Path, rights: int, *, reads: bool = False) -> None:
    """A rule for ``path``. Write rules go only on a path without symbolic links; a read rule follows
    them (reading was never the way in), and one on a path that is not there is left out."""
    try:
        fd = os.open(os.path.realpath(path), os.O_PATH | os.O_CLOEXEC) if reads else _open_rule_path(path)
    except FileNotFoundError:
        if reads:
            return
        raise
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_RIGHTS
        rule = struct.pack("=Qi", rights, fd)
        if libc.syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_PATH_BENEATH), ctypes.c_char_p(rule),
                        ctypes.c_uint32(0)) < 0:
            _fail(f"add_rule {path}")
    finally:
        os.close(fd)


def restrict(writable: Sequence[Path], readable: Sequence[Path] = (), ports: Sequence[int] = ()) -> int:
    """From now on this process, and all it starts, may change files only beneath ``writable``, read
    only beneath those, ``readable`` and :data:`SYSTEM_READS`, and bind only ``ports``. Returns the ABI."""
    abi = abi_version()
    if abi < 1:
        raise OSError("Landlock is not available on this kernel")
    libc = _libc()
    writes = write_rights(abi)
    handled = writes | READ
    net = BIND_TCP | CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL if abi >= 6 else 0
    attr = struct.pack("=Q", handled)
    if abi >= 4:
        attr += struct.pack("=Q", net)
    if abi >= 6:
        attr += struct.pack("=Q", scoped)
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)),
                           ctypes.c_uint32(0))
    if ruleset < 0:
        _fail("create_ruleset")
    try:
        for folder in SYSTEM_READS:
            _add_path_rule(libc, ruleset, Path(folder), READ, reads=True)
        for path in readable:
            _add_path_rule(libc, ruleset, path, READ, reads=True)
        for path in writable:
            _add_path_rule(libc, ruleset, path, handled)
        for port in ports if net else ():
            rule = struct.pack("=QQ", BIND_TCP, port)
            if libc.syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_NET_PORT), ctypes.c_char_p(rule),
                            ctypes.c_uint32(0)) < 0:
                _fail(f"add_rule port {port}")
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0:
            _fail("no_new_privs")
        if libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) < 0:
            _fail("restrict_self")
    finally:
        os.close(ruleset)
    return abi


def main(argv: list[str]) -> None:
    # /dev/null and pseudo-terminals hold none of the user's files: writing to them stores nothing, and a
    # program the lab runs may open a terminal of its own.
    writable: list[Path] = [p for p in (Path("/dev/null"), Path("/dev/ptmx"), Path("/dev/pts")) if p.exists()]
    readable: list[Path] = []
    ports: list[int] = []
    while argv and argv[0] in ("--write", "--read", "--bind") and len(argv) > 1:
        option, value, argv = argv[0], argv[1], argv[2:]
        if option == "--write":
            writable.append(Path(value))
        elif option == "--read":
            readable.append(Path(value))
        else:
            ports.append(int(value))
    if not argv or argv[0] != "--" or len(argv) < 2:
        raise SystemExit("usage: confine.py [--write PATH] [--read DIR] [--bind PORT] -- PROGRAM ARGS")
    program = shutil.which(argv[1]) or argv[1]
    # The program's own folder, wherever it was installed (BONDKIT_QEMU may name a build of one's own),
    # and the guests' kernel and image that set-up made for every user, beside this Python.
    readable.append(Path(os.path.dirname(os.path.realpath(program))))
    readable.append(Path(sys.prefix) / "share" / "bondkit")
    restrict(writable, readable, ports)
    os.execv(program, argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
