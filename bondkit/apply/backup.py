"""Backups on the host: the files an apply will write and the live state, before anything changes.

Why on the host and not on the controller: the rollback timer restores without bondkit (the controller
may have lost its SSH path), and ``bondkit restore`` may run from another machine the next day. Each
apply gets a new directory ``/var/lib/bondkit/backups/<UTC time>/`` made with ``mkdir`` (never ``-p``
for the last part), so an existing backup is never overwritten; a second apply in the same second
gets ``<time>-2``. Names sort in time order, so the last backup is the last name.
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass, field

from bondkit.apply import state as live
from bondkit.apply.remote import Remote
from bondkit.apply.restore_script import FileRecord
from bondkit.errors import ApplyError

ROOT = "/var/lib/bondkit/backups"
NM_PROFILES = "/etc/NetworkManager/system-connections"
_SUFFIXES = ("", "-2", "-3", "-4", "-5", "-6", "-7", "-8", "-9")


@dataclass
class Backup:
    directory: str
    files: list[FileRecord] = field(default_factory=list)
    before: live.LiveState = field(default_factory=live.LiveState)
    nm_connections: tuple[str, ...] = ()


def stamp(now: float | None = None) -> str:
    """The backup directory name for ``now``: UTC, sortable, free of characters a shell would mind."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))


def command(name: str, paths: list[str], networkmanager: bool = False) -> str:
    """The shell (run as root) that makes the backup directory, copies ``paths`` that exist, and
    records the live state; it prints ``@@dir``, ``@@files``, ``@@nm`` and ``@@snapshot`` sections."""
    lines = [
        "set -e", "umask 077", f"B={ROOT}", 'mkdir -p "$B"', "D=",
        f"for s in {' '.join(repr(s) for s in _SUFFIXES)}; do",
        f'  if mkdir "$B/{name}$s" 2>/dev/null; then D="$B/{name}$s"; break; fi',
        "done",
        f'[ -n "$D" ] || {{ echo "no free backup directory for {name} in $B" >&2; exit 3; }}',
        'mkdir "$D/files" "$D/state"',
        'echo "@@dir"; echo "$D"', 'echo "@@files"',
    ]
    for path in paths:
        quoted, parent = shlex.quote(path), shlex.quote(path.rsplit("/", 1)[0] or "/")
        lines.append(f'if [ -e {quoted} ]; then mkdir -p "$D/files"{parent}; '
                     f'cp -p {quoted} "$D/files"{quoted}; echo existed {quoted}; else echo new {quoted}; fi')
    if networkmanager:
        lines += [
            f'if [ -d {NM_PROFILES} ]; then mkdir -p "$D/files{NM_PROFILES}"; '
            f'cp -a {NM_PROFILES}/. "$D/files{NM_PROFILES}/"; echo tree {NM_PROFILES}; fi',
            'nmcli -t -f NAME,UUID,DEVICE connection show --active > "$D/state/nm-active.txt" || true',
            'echo "@@nm"; cat "$D/state/nm-active.txt"',
        ]
    lines += [f'( {live.SNAPSHOT}\n) > "$D/state/snapshot.txt"', 'echo "@@snapshot"',
              'cat "$D/state/snapshot.txt"']
    return "\n".join(lines)


def parse(text: str, source: str = "backup") -> Backup:
    head, _, snapshot = text.partition("@@snapshot\n")
    parts = live.sections(head)
    directory = parts.get("dir", "").strip()
    if not directory:
        raise ApplyError("apply.backup_failed", where=source, reason=text.strip()[-300:] or "-")
    files = []
    for line in parts.get("files", "").splitlines():
        kind, _, path = line.partition(" ")
        if kind in ("existed", "new", "tree"):
            files.append(FileRecord(path, kind != "new", kind == "tree"))
    nm = tuple(line for line in parts.get("nm", "").splitlines() if line.strip())
    return Backup(directory, files, live.parse(snapshot, source), nm)


def create(remote: Remote, name: str, paths: list[str], networkmanager: bool = False) -> tuple[Backup, str]:
    """Make the backup on the host; returns it and the exact shell that made it (for the report)."""
    shell = command(name, paths, networkmanager)
    result = remote.run(shell, timeout=60)
    if result.status != 0:
        raise ApplyError("apply.backup_failed", where=remote.name,
                         reason=(result.stderr or result.stdout).strip()[-300:] or f"exit {result.status}")
    return parse(result.stdout, remote.name), shell


def write(remote: Remote, backup: Backup, name: str, text: str, mode: int = 0o600) -> str:
    path = f"{backup.directory}/{name}"
    remote.put(text, path, mode)
    return path


def meta(host: str, platform: str, bonds: list[str], backup: Backup, rollback_after: float) -> str:
    """meta.json: what this backup is for, so ``bondkit restore`` and a curious student can tell."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        bondkit_version = version("bondkit")
    except PackageNotFoundError:
        bondkit_version = "?"
    return json.dumps({
        "host": host, "platform": platform, "bonds": bonds, "created": backup.directory.rsplit("/", 1)[-1],
        "files": [{"path": f.path, "existed": f.existed, "tree": f.tree} for f in backup.files],
        "rollback_after_s": rollback_after, "bondkit": bondkit_version,
    }, indent=2) + "\n"


LATEST = (f'for d in $(ls -1 {ROOT} 2>/dev/null | sort -r); do '
          f'[ -f "{ROOT}/$d/restore.sh" ] && {{ echo "{ROOT}/$d"; break; }}; done; true')


def latest(remote: Remote) -> str | None:
    """The newest backup directory that has a restore script, or None."""
    out = remote.run(LATEST, timeout=30, check=True).stdout.strip()
    return out.splitlines()[-1] if out else None
