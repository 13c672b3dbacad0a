"""The root tree of guests of another architecture than the machine's, from Debian's packages of theirs.

A guest of this machine's architecture gets this machine's own programs (:mod:`bondkit.lab.rootfs`); an
arm64 guest on an x86-64 machine cannot run them. Its tree is made of Debian's arm64 packages instead,
found and fetched through the same private apt state of that architecture as its kernel
(:mod:`bondkit.lab.qemu.kernel`): the dependency closure of the packages that bring the lab host's
programs, as ``apt-cache depends --recurse`` gives it, downloaded with ``apt-get download`` and unpacked
with ``dpkg-deb -x``, never installed (no maintainer script runs, and nothing of the machine's own apt or
dpkg set-up changes). Debian 12's packages still ship ``/bin``, ``/sbin`` and ``/lib``: the tree is then
merged into ``/usr``, as on an installed Debian. :func:`bondkit.lab.rootfs.build` lays in the rest (the
lab's /etc, the guest scripts, the kernel's modules) as for a native image.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from bondkit.errors import LabError
from bondkit.lab.qemu import kernel as guest_kernel
from bondkit.lab.qemu.kernel import Arch

#: The packages that bring every program of ``rootfs.REQUIRED`` (``sh`` is dash's, ``getent`` libc-bin's).
PACKAGES = ("bash", "dash", "coreutils", "util-linux", "mount", "procps", "iproute2", "iputils-ping", "fping",
            "kmod", "openssh-server", "sed", "grep", "mawk", "findutils", "diffutils", "hostname", "libc-bin")
#: What a student's terminal habits ask for (``rootfs.OPTIONAL``), small and handy.
OPTIONAL_PACKAGES = ("less", "ncurses-base", "ncurses-bin", "tcpdump", "ethtool", "iputils-arping", "psmisc",
                     "gzip", "tar", "bsdextrautils", "bsdutils", "xxd", "vim-tiny", "nano", "strace", "lsof")
#: Dependencies that only the packages' maintainer scripts use: none runs, so they are left out (with
#: what they alone bring, perl among it). An or-group that names one of them is taken as met.
SCRIPT_ONLY = ("debconf", "cdebconf", "adduser", "ucf", "init-system-helpers", "usrmerge", "usr-is-merged",
               "install-info", "runit-helper", "lsb-base", "dpkg", "perl-base", "sensible-utils")
#: Names that Debian's ``update-alternatives`` makes when a package is configured: (name, program).
ALTERNATIVES = (("awk", "mawk"), ("nawk", "mawk"), ("vi", "vim.tiny"), ("view", "vim.tiny"),
                ("pager", "less"))
#: What a lab host never reads, left out of the image (each package's copyright file stays): manuals,
#: translations, and the C library's character set converters (20 MB; its programs speak C.UTF-8).
UNREAD = ("usr/share/man", "usr/share/info", "usr/share/locale", "usr/share/lintian", "usr/share/bug",
          "usr/share/doc-base", "usr/share/bash-completion", "usr/share/zsh", "usr/lib/*-linux-gnu/gconv")
#: Debian 12's top folders that an installed, merged system has in /usr (and as links to it).
MERGED = ("bin", "sbin", "lib", "lib64")
#: ``apt-cache``'s command for every package that the asked ones need, as far as it goes.
DEPENDS = ("depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks",
           "--no-replaces", "--no-enhances")


def packages() -> tuple[str, ...]:
    """The packages asked for (their dependencies come along)."""
    return (*PACKAGES, *OPTIONAL_PACKAGES)


def recipe(arch: Arch) -> str:
    """What the tree is made of, for the image's name (with the kernel and the guest scripts): the
    packages, not their versions, which only apt knows after an update (an image keeps working when
    Debian updates a package)."""
    return "\n".join([f"{arch.debian} packages " + " ".join(packages()), "left out " + " ".join(SCRIPT_ONLY),
                      "unread " + " ".join(UNREAD), "alternatives " + repr(ALTERNATIVES), ""])


def _bare(name: str) -> str:
    """A package name as apt-cache prints it in a dependency, without ``<>`` (virtual) or ``:any``."""
    return name.strip().strip("<>").split(":")[0]


def parse_depends(text: str) -> dict[str, list[list[tuple[str, list[str]]]]]:
    """``apt-cache depends --recurse``'s output as {package: [or-group, ...]}, each or-group a list of
    (alternative, packages that provide it). A virtual package is a key too, in ``<>``."""
    graph: dict[str, list[list[tuple[str, list[str]]]]] = {}
    deps: list[list[tuple[str, list[str]]]] = []
    group: list[tuple[str, list[str]]] = []
    providers: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            deps = graph.setdefault(line.strip(), [])
            group = []
        elif line.startswith("    "):  # a package that provides the dependency above
            providers.append(line.strip())
        else:
            _, _, name = line.partition(": ")
            providers = []
            group.append((name.strip(), providers))
            if not line.startswith(" |"):  # the last alternative of its group
                deps.append(group)
                group = []
    return graph


def closure(graph: dict[str, list[list[tuple[str, list[str]]]]], roots: tuple[str, ...]) -> list[str]:
    """The real packages that ``roots`` need: of each or-group, the first alternative that is a package
    (else the first package that provides one); one already taken, or left out, meets the group."""
    taken: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in taken or name in SCRIPT_ONLY:
            continue
        taken.add(name)
        for group in graph.get(name, []):
            named = [_bare(alt) for alt, _ in group]
            providers = [_bare(p) for _, found in group for p in found]
            if any(choice in taken or choice in SCRIPT_ONLY for choice in named + providers):
                continue
            real = [_bare(alt) for alt, _ in group if not alt.startswith("<") and _bare(alt) in graph]
            pending.extend((real + [p for p in providers if p in graph])[:1])
    return sorted(taken)


def resolve(arch: Arch, state: Path | None) -> list[str]:
    """The packages to unpack: what :func:`packages` need, resolved in ``arch``'s own package lists."""
    roots = packages()
    text = guest_kernel.run(["apt-cache", *guest_kernel.apt_options(arch, state), *DEPENDS, *roots],
                            "apt-cache depends")
    graph = parse_depends(text)
    missing = [name for name in roots if name not in graph]
    if missing:
        raise LabError("lab.fetch_failed", what="apt-cache depends", error="no package " + ", ".join(missing))
    return closure(graph, roots)


def unpack(debs: list[Path], root: Path) -> None:
    for deb in debs:
        guest_kernel.run(["dpkg-deb", "-x", str(deb), str(root)], f"dpkg-deb -x {deb.name}")


def _guest_path(root: Path, path: Path) -> PurePosixPath:
    return PurePosixPath("/", path.relative_to(root))


def _merged(guest: PurePosixPath) -> PurePosixPath:
    """Where ``guest`` (a path in the guest) is once /bin, /sbin, /lib, /lib64 are merged into /usr."""
    parts = guest.parts
    if len(parts) > 1 and parts[1] in MERGED:
        return PurePosixPath("/usr", *parts[1:])
    return guest


def _move(source: Path, target: Path, root: Path) -> None:
    """Move ``source`` (a file, link or folder of the tree) to ``target``, folders merged entry by entry.
    A relative link is written again so it names the same file from its new place. When both places
    have a file, the one that is not a link stays (a link there would point at the one moved)."""
    if source.is_dir() and not source.is_symlink():
        if target.is_symlink():
            target.unlink()
        target.mkdir(exist_ok=True)
        shutil.copystat(source, target)
        for entry in sorted(source.iterdir()):
            _move(entry, target / entry.name, root)
        source.rmdir()
        return
    if os.path.lexists(target):
        if target.is_symlink() and not source.is_symlink():
            target.unlink()
        else:
            source.unlink()
            return
    if source.is_symlink() and not os.readlink(source).startswith("/"):
        old_parent = _guest_path(root, source.parent)
        meant = PurePosixPath(os.path.normpath(old_parent / os.readlink(source)))
        new_parent = _guest_path(root, target.parent)
        target.symlink_to(os.path.relpath(_merged(meant), new_parent))
        source.unlink()
        return
    source.rename(target)


def merge_usr(root: Path) -> None:
    """/bin, /sbin, /lib, /lib64 moved into /usr and made links to it, as Debian's usrmerge does."""
    for top in MERGED:
        old, new = root / top, root / "usr" / top
        if old.is_symlink():
            continue
        if old.is_dir():
            _move(old, new, root)
        new.mkdir(parents=True, exist_ok=True)
        old.symlink_to(f"usr/{top}")


def inside(root: Path, guest: str, hops: int = 40) -> Path | None:
    """The file that guest path ``guest`` names in the tree, its links followed as the guest would
    (an absolute link means the guest's root, never this machine's); None if it leads nowhere."""
    parts = [part for part in PurePosixPath(guest).parts if part != "/"]
    done = PurePosixPath("/")
    while parts:
        part = parts.pop(0)
        if part == "..":
            done = done.parent
            continue
        candidate = root / (done / part).relative_to("/")
        if candidate.is_symlink():
            hops -= 1
            if hops < 0:
                return None
            link = os.readlink(candidate)
            parts = [p for p in PurePosixPath(link).parts if p != "/"] + parts
            if link.startswith("/"):
                done = PurePosixPath("/")
            continue
        if not os.path.lexists(candidate):
            return None
        done = done / part
    return root / done.relative_to("/")


def _prune(root: Path) -> None:
    for pattern in UNREAD:
        for folder in root.glob(pattern):
            shutil.rmtree(folder, ignore_errors=True)
    docs = root / "usr/share/doc"
    if docs.is_dir():
        for entry in docs.rglob("*"):
            if entry.name != "copyright" and (entry.is_symlink() or entry.is_file()):
                entry.unlink()


def _runnable(root: Path, guest: str) -> bool:
    path = inside(root, guest)
    return path is not None and path.is_file() and os.access(path, os.X_OK)


def _alternatives(root: Path) -> None:
    for name, program in ALTERNATIVES:
        link = root / "usr/bin" / name
        if not os.path.lexists(link) and _runnable(root, f"/usr/bin/{program}"):
            link.symlink_to(program)


def missing_programs(root: Path, names: tuple[str, ...]) -> list[str]:
    """The names none of the guest's program folders has (as a file the guest can run)."""
    return [name for name in names
            if not any(_runnable(root, f"{folder}/{name}") for folder in ("/usr/sbin", "/usr/bin"))]


def populate(root: Path, arch: Arch, required: tuple[str, ...]) -> None:
    """Fill ``root`` with ``arch``'s packages, merged into /usr. ``required`` are the programs the
    tree must have."""
    with tempfile.TemporaryDirectory(prefix=".apt-", dir=root.parent) as work_name:
        work = Path(work_name)
        state = guest_kernel.private_apt_state(arch, work)
        debs = work / "debs"
        debs.mkdir()
        unpack(guest_kernel.download(resolve(arch, state), arch, debs, state), root)
    _prune(root)
    merge_usr(root)
    _alternatives(root)
    missing = missing_programs(root, required)
    if missing:
        raise LabError("lab.rootfs_failed", error=f"no {arch.debian} package gives " + ", ".join(missing))
