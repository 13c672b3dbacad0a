"""The script that puts a host back as it was before an apply, written before anything changes.

Why a script kept on the host: the one who runs it may be bondkit after a failed verification, the
rollback timer when bondkit lost its SSH path (nobody is there to send commands then), or a student
typing ``bondkit restore`` a day later. All three run the same file, written from the backup taken
just before the change, and it logs what it does next to it.

What it does, in order: undo the distribution's view (``ifdown``, delete the NetworkManager connections
bondkit added); put the configuration files back (or remove those the apply created); undo the kernel
state (delete the bonds, free their slaves); then bring back what was there: on a real host the
distribution's own tool reads the restored files (``netplan apply``, ``ifup``, ``nmcli connection
up``); on a lab guest, which has no such tool, bondkit's ip commands rebuild the bonds, addresses and
routes recorded in the backup. Every command is logged and a failing one does not stop the rest:
restoring as much as possible beats stopping half-way.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from bondkit.apply.state import LiveState, bond_spec
from bondkit.formats import iproute
from bondkit.spec import BondSpec

NETWORK_SCRIPTS = "/etc/sysconfig/network-scripts"


@dataclass
class FileRecord:
    """A file the apply writes: whether it was there before (then the backup has a copy). A ``tree`` is
    a directory copied whole (NetworkManager's profiles), put back over what is there."""

    path: str
    existed: bool
    tree: bool = False


@dataclass
class RestoreInputs:
    directory: str
    platform: str
    specs: list[BondSpec]
    files: list[FileRecord]
    before: LiveState
    nm_active: bool = False
    #: ``NAME:UUID:DEVICE`` lines of ``nmcli -t -f NAME,UUID,DEVICE connection show --active`` before.
    nm_connections: tuple[str, ...] = ()


def touched(specs: list[BondSpec], before: LiveState) -> tuple[list[str], list[str]]:
    """The bonds and the other interfaces an apply of ``specs`` changes, as they were before it.

    Bonds: those named in the specs and any bond a slave-to-be belonged to (it loses that slave).
    Interfaces: the slaves-to-be, and the former slaves of those bonds.
    """
    bonds = [spec.name for spec in specs]
    nics = [name for spec in specs for name in spec.slave_names]
    for name in list(nics):
        link = before.links.get(name)
        if link and link.master and link.master not in bonds:
            bonds.append(link.master)
    for bond in bonds:
        for name in before.slaves_of(bond):
            if name not in nics:
                nics.append(name)
    return bonds, nics


def _line(command: str) -> str:
    """Echo, run, log a failure and go on."""
    return f'echo {shlex.quote("+ " + command)}; {{ {command}; }} 2>&1 || echo "! exit $?"'


def commands(inputs: RestoreInputs) -> list[str]:
    """The restore, as the list of commands the script runs (tests check these exactly)."""
    before = inputs.before
    bonds, nics = touched(inputs.specs, before)
    lab = inputs.platform == "lab"
    result: list[str] = []
    # 1. the distribution's view of what the apply brought up
    if inputs.platform == "network-scripts":
        result += [f"ifdown {shlex.quote(spec.name)}" for spec in inputs.specs]
    if inputs.platform == "networkmanager":
        from bondkit.apply.bringup import connection_names

        for spec in inputs.specs:
            for name in connection_names(spec):
                quoted = shlex.quote(name)
                result.append(f"nmcli -t -f NAME connection show | grep -qxF {quoted} "
                              f"&& nmcli connection delete {quoted}")
    # 2. files
    for record in inputs.files:
        path = shlex.quote(record.path)
        if record.tree:
            result.append(f'cp -a "$D/files"{path}/. {path}/')
        elif record.existed:
            result.append(f'cp -p "$D/files"{path} {path}')
        else:
            result.append(f"rm -f {path}")
    # 3. kernel state: bonds away, slaves free and as they were
    for bond in bonds if lab else [spec.name for spec in inputs.specs]:
        quoted = shlex.quote(bond)
        result.append(f"[ ! -e /sys/class/net/{quoted} ] || ip link del {quoted}")
    for nic in nics:
        quoted = shlex.quote(nic)
        link = before.links.get(nic)
        result.append(f"[ ! -e /sys/class/net/{quoted}/master ] || ip link set {quoted} nomaster")
        if not lab or link is None:
            continue
        result.append(f"ip link set {quoted} down")
        mac = _permanent_mac(before, nic)
        if mac:
            result.append(f"ip link set {quoted} address {mac}")
        result.append(f"ip addr flush dev {quoted} scope global")
        result += [f"ip addr add {a} dev {quoted}" for a in before.global_addrs(nic)]
        if link.up and not link.master:
            result.append(f"ip link set {quoted} up")
    # 4. what was there: rebuilt by hand on a lab guest, by the distribution's tool elsewhere
    if lab:
        for bond in bonds:
            if before.is_bond(bond):
                result += iproute.commands(bond_spec(before, bond))
        for route in before.routes:
            if route.dev in nics and route.protocol != "kernel":
                result.append(route.command())
    else:
        result += _distribution_restart(inputs, bonds, nics)
    return result


def _permanent_mac(before: LiveState, nic: str) -> str | None:
    """A NIC's own MAC: a bond may have given its slaves the bond's (fail_over_mac none)."""
    link = before.links.get(nic)
    if link and link.master:
        for slave in before.bonding.get(link.master, {}).get("slaves", []):
            if slave["name"] == nic and slave.get("perm_hwaddr"):
                return str(slave["perm_hwaddr"])
    return link.mac if link else None


def _distribution_restart(inputs: RestoreInputs, bonds: list[str], nics: list[str]) -> list[str]:
    before = inputs.before
    if inputs.platform == "netplan":
        return ["netplan apply"]
    if inputs.platform == "network-scripts":
        result = ["nmcli connection reload"] if inputs.nm_active else []
        for name in bonds + nics:
            link = before.links.get(name)
            if link and link.up and not (link.master and link.master in bonds):
                path = shlex.quote(f"{NETWORK_SCRIPTS}/ifcfg-{name}")
                result.append(f"[ ! -e {path} ] || ifup {shlex.quote(name)}")
        return result
    result = ["nmcli connection reload"]
    for line in inputs.nm_connections:
        parts = line.rsplit(":", 2)
        if len(parts) == 3 and parts[2] in bonds + nics:
            result.append(f"nmcli connection up uuid {shlex.quote(parts[1])}")
    return result


def script(inputs: RestoreInputs, title: str) -> str:
    """restore.sh: :func:`commands` with logging to restore.log and a ``restored`` marker at the end."""
    lines = [
        "#!/bin/sh",
        f"# {title}",
        "# Run by the rollback timer, by bondkit after a failed verification, or by `bondkit restore`.",
        f"D={shlex.quote(inputs.directory)}",
        'exec >>"$D/restore.log" 2>&1',
        'echo "== restore started $(date -u +%Y-%m-%dT%H:%M:%SZ)"',
        *(_line(command) for command in commands(inputs)),
        'date -u +%Y-%m-%dT%H:%M:%SZ > "$D/restored"',
        'echo "== restore finished"',
    ]
    return "\n".join(lines) + "\n"
