"""Every configuration format bondkit reads and writes, behind one door.

``load`` takes what a student points at (a file, a list of files, a directory such as
/etc/sysconfig/network-scripts or /etc/netplan) and works out each file's format from its name or, failing
that, its first line; ``render`` writes a BondSpec in any format; a conversion is the two in a row, so
meaning can only be lost where a format cannot say something, and then ``render`` says so.

Whatever a path names, reading it cannot hang or exhaust the reader: only regular files are opened (a
FIFO, a device or a socket is refused before it is opened), each at most MAX_FILE_BYTES and all of one
command line at most MAX_TOTAL_BYTES, and netplan's YAML is bounded as it is composed (see
``netplan.NODE_BUDGET``).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from bondkit.errors import ConfigError
from bondkit.formats import ifcfg, iproute, netplan, nmcli
from bondkit.formats.common import decode, lines
from bondkit.formats.losses import Loss
from bondkit.spec import BondSpec, Note

FORMATS: dict[str, ModuleType] = {"ifcfg": ifcfg, "netplan": netplan, "nmcli": nmcli, "ip": iproute}

_IFCFG_NAME = re.compile(r"(ifcfg|route6?)-.+")
_CONFIG_SUFFIXES = (".yaml", ".yml", ".sh", ".nmcli", ".ip", ".batch")
_BACKUP_SUFFIXES = ("~", ".bak", ".orig", ".rpmsave", ".rpmnew", ".swp", ".old")
_KEY_VALUE = re.compile(r"(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=")

Paths = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]

#: The largest file read, and the most read from one command line: a network-scripts directory or
#: /etc/netplan holds a few kilobytes; a path that names a log, an image or a disk stops at once.
MAX_FILE_BYTES = 1 << 20
MAX_TOTAL_BYTES = 4 << 20
#: What a path that is not a regular file is (a FIFO would block a reader for ever, a device never ends).
_KINDS = ((stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "char"), (stat.S_ISBLK, "block"), (stat.S_ISSOCK, "socket"))


def detect(source: str, text: str) -> str:
    """A file's format: from its name when that is conventional, else from its first meaningful line."""
    base = os.path.basename(source)
    if _IFCFG_NAME.fullmatch(base):
        return "ifcfg"
    if base.endswith((".yaml", ".yml")):
        return "netplan"
    for number, line in enumerate(lines(text, source), 1):
        words = line.split()
        if not words or words[0].startswith("#") or words[0] in ("set", "modprobe"):
            continue
        first = words[1] if words[0] == "sudo" and len(words) > 1 else words[0]
        if first == "nmcli":
            return "nmcli"
        if first == "ip" or iproute.batch_line(words):
            return "ip"
        if line.startswith(("network:", "---", "%YAML")):
            return "netplan"
        if _KEY_VALUE.match(line.strip()):
            return "ifcfg"
        raise ConfigError("formats.unknown_format", source=source, line=number)
    raise ConfigError("formats.empty", source=source, line=1)


def parse_text(text: str, source: str = "<text>", fmt: str | None = None,
               notes: list[Note] | None = None) -> list[BondSpec]:
    """Bonds in one text, its format given or detected (an ifcfg text holds one interface's file)."""
    fmt = fmt or detect(source, text)
    if fmt not in FORMATS:
        raise ConfigError("formats.unknown_target", value=fmt, choices=", ".join(FORMATS))
    return FORMATS[fmt].parse(text, source=source, notes=notes)


def file_mode(fmt: str, name: str) -> int:
    """The permissions a rendered file needs where it is installed.

    netplan warns about (and newer releases refuse) configuration files that others can read, since
    they may hold secrets; scripts must be executable.
    """
    if fmt == "netplan":
        return 0o600
    return 0o755 if name.endswith(".sh") else 0o644


def config_files(path: Path, seen: set[tuple[int, int]] | None = None) -> list[Path]:
    """The configuration files under a directory (and its subdirectories, one host each), passing over
    other scripts (network-scripts holds ifup-*), backups, hidden files and anything that is not a
    regular file; a directory reached twice (a symlink loop) is read once."""
    seen = set() if seen is None else seen
    try:
        info = path.stat()
        entries = sorted(path.iterdir())
    except OSError as exc:
        raise ConfigError("formats.cannot_read", source=str(path), problem=exc.strerror or str(exc)) from None
    if (info.st_dev, info.st_ino) in seen:
        return []
    seen.add((info.st_dev, info.st_ino))
    found = []
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name.endswith(_BACKUP_SUFFIXES):
            continue
        if entry.is_dir():
            found += config_files(entry, seen)
        elif entry.is_file() and (_IFCFG_NAME.fullmatch(name) or name.endswith(_CONFIG_SUFFIXES)):
            found.append(entry)
    return found


def _kind(mode: int) -> str | None:
    return next((kind for test, kind in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "other")


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit``: a FIFO, a device or a socket is refused before it is
    opened (and again after, in case it was swapped), and a larger file before it is read."""
    source = str(path)
    try:
        info = os.stat(path)
        kind = _kind(info.st_mode)
        if kind:
            raise ConfigError(f"formats.not_regular.{kind}", source=source)
        if info.st_size > limit:
            raise ConfigError("formats.too_big", source=source, size=info.st_size, limit=limit)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            kind = _kind(os.fstat(fd).st_mode)
            if kind:
                raise ConfigError(f"formats.not_regular.{kind}", source=source)
            with os.fdopen(fd, "rb", closefd=False) as stream:
                data = stream.read(limit + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ConfigError("formats.cannot_read", source=source, problem=exc.strerror or str(exc)) from None
    if len(data) > limit:
        raise ConfigError("formats.too_big", source=source, size=len(data), limit=limit)
    return data


def _read_text(path: Path, budget: list[int]) -> str:
    """A file as text; ``budget`` is what is left of MAX_TOTAL_BYTES for this command line."""
    data = read_bytes(path)
    budget[0] -= len(data)
    if budget[0] < 0:
        raise ConfigError("formats.too_much", source=str(path), limit=MAX_TOTAL_BYTES)
    return decode(data, str(path))


def read(paths: Paths, *, lint: bool = False) -> tuple[list[BondSpec], list[Note]]:
    """Bonds from files and directories, and the notes that belong to no bond.

    ifcfg and netplan files are joined per directory (a bond and its slaves may be in separate files,
    as in /etc/sysconfig/network-scripts and /etc/netplan); nmcli and ip scripts stand alone. With
    ``lint`` true, problems that do not stop reading become notes instead of errors.
    """
    items = [Path(p) for p in ([paths] if isinstance(paths, str | os.PathLike) else list(paths))]
    specs: list[BondSpec] = []
    notes: list[Note] = []
    budget = [MAX_TOTAL_BYTES]
    for path in items:
        if not os.path.lexists(path):
            raise ConfigError("formats.no_such_path", source=str(path))
        if not path.exists():
            raise ConfigError("formats.dangling_link", source=str(path))
    for path in (p for p in items if p.is_dir()):
        found, noted = _read_files(config_files(path), notes if lint else None, budget)
        if not found and not noted:
            raise ConfigError("formats.no_bond", source=str(path))
        specs += found
    # Files named one by one are read together, so that ifcfg-bond0 and its slaves' files meet.
    specs += _read_files([p for p in items if not p.is_dir()], notes if lint else None, budget)[0]
    if not specs and not notes:
        raise ConfigError("formats.no_bond", source=", ".join(str(i) for i in items))
    return specs, notes


def _read_files(files: list[Path], notes: list[Note] | None,
                budget: list[int]) -> tuple[list[BondSpec], int]:
    before = len(notes) if notes is not None else 0
    groups: dict[tuple[str, str], dict[str, str]] = {}
    specs: list[BondSpec] = []
    for file in files:
        text = _read_text(file, budget)
        fmt = detect(str(file), text)
        if fmt in ("ifcfg", "netplan"):
            groups.setdefault((fmt, str(file.parent)), {})[str(file)] = text
        else:
            specs += FORMATS[fmt].parse(text, source=str(file), notes=notes)
    for (fmt, _), group in groups.items():
        specs += FORMATS[fmt].parse(group, notes=notes)
    return specs, (len(notes) - before if notes is not None else 0)


def load(paths: Paths) -> list[BondSpec]:
    """Bonds from files and directories; any problem is a ConfigError naming its file and line."""
    return read(paths)[0]


def _module(fmt: str) -> ModuleType:
    if fmt not in FORMATS:
        raise ConfigError("formats.unknown_target", value=fmt, choices=", ".join(FORMATS))
    return FORMATS[fmt]


def render(spec: BondSpec, fmt: str, whole: bool = False) -> dict[str, str]:
    """``{file name: text}`` for one bond in format ``fmt`` (one of FORMATS).

    Without ``whole``, only the bond (its slaves, VLANs and bridge) is written, and an option the format
    has no word for (netplan and peer_notif_delay, ip and DHCP) is a ConfigError, as it always was. With
    ``whole`` (a conversion of whole configuration files), the files' other interfaces are written too,
    and what the format cannot say is left out, for ``losses`` to name.
    """
    return _module(fmt).render(spec, whole=whole)


def losses(spec: BondSpec, fmt: str) -> list[Loss]:
    """Every setting of ``spec`` that format ``fmt`` cannot carry, with where it was read."""
    return _module(fmt).cannot_say(spec)


def render_all(specs: Iterable[BondSpec], fmt: str, whole: bool = False) -> dict[str, str]:
    """Files for several bonds together; two bonds that would write the same file are an error."""
    files: dict[str, str] = {}
    for spec in specs:
        for name, text in render(spec, fmt, whole).items():
            if name in files:
                raise ConfigError("formats.out_conflict", file=name)
            files[name] = text
    return files


@dataclass
class Conversion:
    """A conversion's result: the files, the bonds they came from, and what could not be carried."""

    target: str
    specs: list[BondSpec]
    files: dict[str, str]
    lost: list[Loss] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.lost


def convert_all(paths: Paths, to: str) -> Conversion:
    """Parse then render every bond in ``paths`` as ``to``, listing (never dropping quietly) what ``to``
    cannot say."""
    _module(to)
    specs = load(paths)
    files = render_all(specs, to, whole=True)
    return Conversion(to, specs, files, [loss for spec in specs for loss in losses(spec, to)])


def convert(paths: Paths, to: str) -> dict[str, str]:
    """Parse then render: the files ``to`` needs for every bond found in ``paths`` (see ``convert_all``
    for what could not be carried)."""
    return convert_all(paths, to).files


__all__ = ["FORMATS", "Conversion", "Loss", "convert", "convert_all", "detect", "load", "losses",
           "parse_text", "read", "render", "render_all"]
