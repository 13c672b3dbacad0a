"""What the student asked to apply, and the files that go to the host for it.

Why apart from the bring-up: the input can be ifcfg files, a netplan YAML, an nmcli or ip script, or a
BondSpec made in a notebook, and the host wants its own distribution's format in its own directory.
Files already in the host's format are uploaded byte for byte (the student sees their own file on the
host, comments and all); anything else is rendered from the BondSpec by :mod:`bondkit.formats`.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bondkit import formats
from bondkit.errors import ApplyError
from bondkit.lint import Finding, lint
from bondkit.spec import BondSpec

#: The format each platform reads (the lab reads every format: bondkit parses the uploaded file).
NATIVE = {"network-scripts": "ifcfg", "netplan": "netplan", "networkmanager": "nmcli", "lab": None}
#: Where each format is kept on a host. nmcli and ip scripts have no distribution directory.
DIRECTORIES = {"ifcfg": "/etc/sysconfig/network-scripts", "netplan": "/etc/netplan",
               "nmcli": "/etc/bondkit", "ip": "/etc/bondkit"}
#: netplan refuses to read (and warns about) YAML others can read: it may hold Wi-Fi passwords.

Config = BondSpec | str | os.PathLike[str] | Iterable[BondSpec | str | os.PathLike[str]]


@dataclass
class SourceFile:
    name: str
    fmt: str
    text: str
    path: str | None = None


@dataclass
class Upload:
    """One file to write on the host: its full path, text, mode, and where the text came from."""

    path: str
    text: str
    mode: int
    fmt: str
    origin: str

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path)


@dataclass
class Plan:
    specs: list[BondSpec]
    files: list[SourceFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def bonds(self) -> list[str]:
        return [spec.name for spec in self.specs]

    @property
    def slaves(self) -> list[str]:
        return [name for spec in self.specs for name in spec.slave_names]


def load(config: Config) -> Plan:
    """Specs, source files and lint findings for ``config``; ConfigError for a file that cannot be read."""
    items = [config] if isinstance(config, BondSpec | str | os.PathLike) else list(config)
    if not items:
        raise ApplyError("apply.nothing")
    specs = [item for item in items if isinstance(item, BondSpec)]
    paths = [Path(item) for item in items if not isinstance(item, BondSpec)]
    findings = lint(items)
    files: list[SourceFile] = []
    if paths:
        read, _notes = formats.read(paths, lint=True)
        specs += read
        for path in paths:
            for file in formats.config_files(path) if path.is_dir() else [path]:
                text = file.read_text(encoding="utf-8")
                files.append(SourceFile(file.name, formats.detect(str(file), text), text, str(file)))
    if not specs:
        raise ApplyError("apply.nothing")
    return Plan(specs, files, findings)


def uploads(plan: Plan, platform: str) -> list[Upload]:
    """The files to write on a host of ``platform``: sources already in its format as they are, the rest
    rendered; on a lab guest every source goes where its own format is kept."""
    native = NATIVE[platform]
    result: list[Upload] = []
    if platform == "lab":
        if plan.files:
            return [_upload(f.name, f.text, f.fmt, f.path or f.name) for f in plan.files]
        native = "ip"
    if native is None or native == "nmcli":
        return result
    kept = [f for f in plan.files if f.fmt == native]
    result += [_upload(f.name, f.text, f.fmt, f.path or f.name) for f in kept]
    if not kept:
        for name, text in formats.render_all(plan.specs, native).items():
            result.append(_upload(name, text, native, f"bondkit convert --to {native}"))
    return result


def _upload(name: str, text: str, fmt: str, origin: str) -> Upload:
    return Upload(posixpath.join(DIRECTORIES[fmt], name), text, formats.file_mode(fmt, name), fmt, origin)
