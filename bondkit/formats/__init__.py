"""Every configuration format bondkit reads and writes, behind one door.

``load`` takes what a student points at (a file, a list of files, a directory such as
/etc/sysconfig/network-scripts or /etc/netplan) and works out each file's format from its name or, failing
that, its first line; ``render`` writes a BondSpec in any format; a conversion is the two in a row, so
meaning can only be lost where a format cannot say something, and then ``render`` says so.
"""

from __future__ import annotations

import os
import re
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
_CONFIG_SUFFIXES = (".yaml", ".yml", ".sh", ".nmcli", ".ip")
_BACKUP_SUFFIXES = ("~", ".bak", ".orig", ".rpmsave", ".rpmnew", ".swp", ".old")
_KEY_VALUE = re.compile(r"(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=")

Paths = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


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
        if first == "ip":
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


def config_files(path: Path) -> list[Path]:
    """The configuration files under a directory (and its subdirectories, one host each), passing over
    other scripts (network-scripts holds ifup-*), backups and hidden files."""
    found = []
    for entry in sorted(path.iterdir()):
        name = entry.name
        if name.startswith(".") or name.endswith(_BACKUP_SUFFIXES):
            continue
        if entry.is_dir():
            found += config_files(entry)
        elif entry.is_file() and (_IFCFG_NAME.fullmatch(name) or name.endswith(_CONFIG_SUFFIXES)):
            found.append(entry)
    return found


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError("formats.cannot_read", source=str(path), problem=exc.strerror or str(exc)) from None
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
    for path in items:
        if not path.exists():
            raise ConfigError("formats.no_such_path", source=str(path))
    for path in (p for p in items if p.is_dir()):
        found, noted = _read_files(config_files(path), notes if lint else None)
        if not found and not noted:
            raise ConfigError("formats.no_bond", source=str(path))
        specs += found
    # Files named one by one are read together, so that ifcfg-bond0 and its slaves' files meet.
    specs += _read_files([p for p in items if not p.is_dir()], notes if lint else None)[0]
    if not specs and not notes:
        raise ConfigError("formats.no_bond", source=", ".join(str(i) for i in items))
    return specs, notes


def _read_files(files: list[Path], notes: list[Note] | None) -> tuple[list[BondSpec], int]:
    before = len(notes) if notes is not None else 0
    groups: dict[tuple[str, str], dict[str, str]] = {}
    specs: list[BondSpec] = []
    for file in files:
        text = _read_text(file)
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
