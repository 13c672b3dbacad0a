"""NetworkManager as typed at a shell: ``nmcli connection add type bond ...`` and one port per slave.

A script of nmcli commands is read as NetworkManager would apply it: ``add`` creates a connection,
``modify`` changes one, and the bond is put together at the end from the connections whose ``master``
(``controller`` in newer nmcli) names it. nmcli's abbreviations (``nmcli c a``) and older spellings
(``type bond-slave``, the ``mode``/``miimon`` shortcuts) are accepted, since tutorials use them all.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from bondkit.formats.common import Collector, is_v6, lines, shell_words, split_addresses
from bondkit.spec import BondSpec, Location, Note, SlaveSpec

#: nmcli property (and its aliases) -> the name this module keeps it under.
_PROPERTIES = {
    "type": "type", "connection.type": "type",
    "con-name": "id", "connection.id": "id",
    "ifname": "ifname", "connection.interface-name": "ifname",
    "master": "master", "controller": "master", "connection.master": "master",
    "connection.controller": "master",
    "slave-type": "slave-type", "port-type": "slave-type", "connection.slave-type": "slave-type",
    "connection.port-type": "slave-type",
    "bond.options": "bond.options",
    "ipv4.method": "ipv4.method", "ipv4.addresses": "ipv4.addresses", "ipv4.gateway": "ipv4.gateway",
    "ipv4.routes": "ipv4.routes", "ipv6.method": "ipv6.method", "ipv6.addresses": "ipv6.addresses",
    "ipv6.gateway": "ipv6.gateway", "ipv6.routes": "ipv6.routes",
    "ethernet.cloned-mac-address": "mac", "802-3-ethernet.cloned-mac-address": "mac",
}
#: The bond shortcuts older nmcli takes after ``type bond`` (kernel option names with "-" for "_").
_SHORTCUTS = {"mode": "mode", "primary": "primary", "miimon": "miimon", "downdelay": "downdelay",
              "updelay": "updelay", "arp-interval": "arp_interval", "arp-ip-target": "arp_ip_target",
              "lacp-rate": "lacp_rate"}
#: Properties that are valid but say nothing about the bond.
_PASSED_OVER = {"autoconnect", "save", "connection.autoconnect", "connection.autoconnect-slaves",
                "connection.autoconnect-ports", "connection.zone", "ipv4.dns", "ipv6.dns", "ipv4.dns-search",
                "ipv6.dns-search", "ipv4.may-fail", "ipv6.may-fail", "ipv6.addr-gen-mode", "ethernet.mtu",
                "802-3-ethernet.mtu", "mtu", "connection.uuid"}
_OBJECTS = ("connection",)
_VERBS = ("add", "modify", "up", "down", "delete", "reload", "show")
_METHODS4 = ("auto", "manual", "disabled", "link-local", "shared")
_SPLIT_OPTIONS = re.compile(r"(?<!\\),")


@dataclass
class _Connection:
    """One NetworkManager connection profile as the commands built it."""

    where: Location
    values: dict[str, tuple[str, Location]] = field(default_factory=dict)
    options: list[tuple[str, Location]] = field(default_factory=list)
    shortcuts: list[tuple[str, str, Location]] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        return self.values[key][0] if key in self.values else None

    def at(self, key: str) -> Location:
        return self.values[key][1] if key in self.values else self.where


def _word(word: str, choices: tuple[str, ...]) -> str | None:
    """nmcli's abbreviations: any prefix of a command word, the first in nmcli's order winning."""
    return next((choice for choice in choices if word and choice.startswith(word)), None)


def parse(text: str, source: str = "bond0-nmcli.sh", notes: list[Note] | None = None) -> list[BondSpec]:
    """Bonds built by a script of nmcli commands; with ``notes`` given, problems are kept for lint."""
    col = Collector(notes)
    connections: dict[str, _Connection] = {}
    for number, line in _logical_lines(text, source):
        where = Location(source, number)
        words = shell_words(line, where)
        if not words or words[0] in ("set", "#!/bin/sh"):
            continue
        _command(words[1:] if words[0] == "sudo" else words, where, connections, col)
    return _assemble(connections, col)


def _logical_lines(text: str, source: str) -> list[tuple[int, str]]:
    """Lines with backslash continuations joined, each numbered by where it starts."""
    result: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, line in enumerate(lines(text, source), 1):
        if not pending:
            start = number
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending += line[:-1] + " "
            continue
        result.append((start, pending + line))
        pending = ""
    if pending:
        result.append((start, pending))
    return result


def _command(words: list[str], where: Location, connections: dict[str, _Connection], col: Collector) -> None:
    while len(words) > 1 and words[0] == "nmcli" and words[1].startswith("-"):
        words = [words[0]] + words[3 if words[1] in ("-w", "--wait") else 2:]
    if len(words) < 3 or words[0] != "nmcli" or not _word(words[1], _OBJECTS):
        col.problem("unknown-command", "formats.nmcli.not_nmcli", where, text=" ".join(words)[:60])
        return
    verb = _word(words[2], _VERBS)
    if verb == "add":
        conn = _Connection(where)
        _properties(conn, words[3:], where, col)
        name = conn.get("id") or conn.get("ifname") or f"connection-{where.line}"
        connections[name] = conn
    elif verb == "modify":
        if len(words) < 4 or words[3] not in connections:
            col.problem("unknown-command", "formats.nmcli.no_such_connection", where,
                        name=words[3] if len(words) > 3 else "")
            return
        _properties(connections[words[3]], words[4:], where, col)
    elif verb == "delete":
        for name in words[3:]:
            connections.pop(name, None)
    elif verb is None:
        col.problem("unknown-command", "formats.nmcli.not_nmcli", where, text=" ".join(words)[:60])


def _properties(conn: _Connection, words: list[str], where: Location, col: Collector) -> None:
    """``prop value`` pairs; ``+prop`` adds to a list property instead of replacing it."""
    if len(words) % 2:
        col.problem("bad-value", "formats.nmcli.missing_value", where, name=words[-1])
        words = words[:-1]
    for name, value in zip(words[::2], words[1::2], strict=True):
        append, bare = name.startswith("+"), name.lstrip("+-")
        if bare in _PROPERTIES:
            key = _PROPERTIES[bare]
            if key == "bond.options":
                conn.options = (conn.options if append else []) + [(value, where)]
            elif append and key in conn.values:
                conn.values[key] = (f"{conn.values[key][0]},{value}", where)
            else:
                conn.values[key] = (value, where)
        elif bare in _SHORTCUTS:
            conn.shortcuts.append((_SHORTCUTS[bare], value, where))
        elif bare not in _PASSED_OVER:
            col.problem("unknown-key", "formats.nmcli.unknown_property", where, name=bare)


def _assemble(connections: dict[str, _Connection], col: Collector) -> list[BondSpec]:
    bonds: dict[str, BondSpec] = {}
    by_id: dict[str, str] = {}
    for cid, conn in connections.items():
        if conn.get("type") == "bond":
            spec = _bond(conn, col)
            bonds[spec.name] = spec
            by_id[cid] = spec.name
    enslaved: dict[str, str] = {}
    for conn in connections.values():
        master = conn.get("master")
        if not master:
            continue
        spec = bonds.get(master) or bonds.get(by_id.get(master, ""))
        ifname = conn.get("ifname")
        if spec is None:
            col.problem("orphan-slave", "formats.orphan_slave", conn.at("master"), slave=ifname, bond=master)
        elif not ifname:
            col.problem("bad-value", "formats.nmcli.no_ifname", conn.where, spec)
        elif not col.ifname(ifname, conn.at("ifname"), spec):
            continue
        elif ifname in enslaved:
            col.problem("duplicate-slave", "formats.duplicate_slave", conn.at("master"), spec, slave=ifname,
                        bond=enslaved[ifname])
        else:
            enslaved[ifname] = spec.name
            mac = col.mac(conn.get("mac") or "", conn.at("mac"), spec) if conn.get("mac") else None
            spec.slaves.append(SlaveSpec(ifname, mac, origin=conn.at("master")))
    return list(bonds.values())


def _bond(conn: _Connection, col: Collector) -> BondSpec:
    name = conn.get("ifname") or conn.get("id") or "bond0"
    spec = BondSpec(name=name, mode="balance-rr")
    spec.origin["bond"] = conn.where
    col.ifname(name, conn.at("ifname"), spec)
    for text, where in conn.options:
        _bond_options(spec, text, where, col)
    for option, value, where in conn.shortcuts:
        col.set_option(spec, option, value.replace(" ", ","), where)
    method = (conn.get("ipv4.method") or "auto").lower()
    if method not in _METHODS4:
        col.problem("bad-value", "formats.nmcli.bad_method", conn.at("ipv4.method"), spec, value=method)
    spec.dhcp4 = method == "auto"
    for family in ("ipv4", "ipv6"):
        key = f"{family}.addresses"
        for text in _items(conn.get(key)):
            address = col.address(text, conn.at(key), spec)
            if address:
                spec.addresses.append(address)
        gateway = conn.get(f"{family}.gateway")
        if gateway:
            via = col.ip(gateway, conn.at(f"{family}.gateway"), spec)
            if via and spec.gateway is None:
                spec.gateway = via
                spec.origin["gateway"] = conn.at(f"{family}.gateway")
            elif via:
                spec.routes.append(("::/0" if is_v6(via) else "0.0.0.0/0", via))
        _routes(spec, conn, f"{family}.routes", col)
    return spec


def _items(text: str | None) -> list[str]:
    return [item for item in re.split(r"[,\s]+", text or "") if item]


def _bond_options(spec: BondSpec, text: str, where: Location, col: Collector) -> None:
    """``mode=active-backup,miimon=100,arp_ip_target=10.0.0.1\\,10.0.0.2``.

    A comma-separated piece without ``=`` continues the previous value, so an unescaped list of ARP
    targets is read as NetworkManager means it.
    """
    pairs: list[list[str]] = []
    for piece in _SPLIT_OPTIONS.split(text):
        piece = piece.replace("\\,", ",").strip()
        if "=" in piece:
            pairs.append(piece.split("=", 1))
        elif piece and pairs:
            pairs[-1][1] += "," + piece
        elif piece:
            col.problem("bad-value", "formats.nmcli.bad_option", where, spec, token=piece)
    for name, value in pairs:
        name = name.strip()
        if not re.fullmatch(r"[a-z0-9_]+", name):
            col.problem("bad-value", "formats.nmcli.bad_option", where, spec, token=f"{name}={value}")
        elif name == "arp_ip_target":
            col.set_option(spec, name, _items(value), where)
        else:
            col.set_option(spec, name, value, where)


def _routes(spec: BondSpec, conn: _Connection, key: str, col: Collector) -> None:
    """``ipv4.routes "10.0.0.0/8 192.168.99.1, 10.1.0.0/16 192.168.99.2"``: destination and next hop."""
    for entry in (conn.get(key) or "").split(","):
        words = entry.split()
        if not words:
            continue
        if len(words) != 2:
            col.problem("bad-value", "formats.nmcli.bad_route", conn.at(key), spec, value=entry.strip())
            continue
        dest, via = col.network(words[0], conn.at(key), spec), col.ip(words[1], conn.at(key), spec)
        if dest and via:
            spec.routes.append((dest, via))
            spec.origin.setdefault("routes", conn.at(key))


def render(spec: BondSpec) -> dict[str, str]:
    """``{"<bond>-nmcli.sh": script}``: the bond, one port per slave, then ``nmcli connection up``."""
    return {f"{spec.name}-nmcli.sh": "#!/bin/sh\nset -e\n" + "\n".join(commands(spec)) + "\n"}


def commands(spec: BondSpec) -> list[str]:
    q = shlex.quote
    options = [f"{name}={value.replace(',', chr(92) + ',')}" for name, value in spec.kernel_options()]
    options += [f"{name}={value}" for name, value in spec.unknown_options.items()]
    bond = ["nmcli", "connection", "add", "type", "bond", "con-name", q(spec.name), "ifname", q(spec.name),
            "bond.options", q(",".join(options))]
    v4, v6 = split_addresses(spec.addresses)
    bond += ["ipv4.method", "auto" if spec.dhcp4 else "manual" if v4 else "disabled"]
    if v4:
        bond += ["ipv4.addresses", q(",".join(v4))]
    if v6:
        bond += ["ipv6.method", "manual", "ipv6.addresses", q(",".join(v6))]
    if spec.gateway:
        bond += ["ipv6.gateway" if is_v6(spec.gateway) else "ipv4.gateway", spec.gateway]
    for family, routes in (("ipv4", [r for r in spec.routes if not is_v6(r[0])]),
                           ("ipv6", [r for r in spec.routes if is_v6(r[0])])):
        if routes:
            bond += [f"{family}.routes", q(", ".join(f"{dest} {via}" for dest, via in routes))]
    result = [" ".join(bond)]
    for slave in spec.slaves:
        port = ["nmcli", "connection", "add", "type", "ethernet",
                "con-name", q(f"{spec.name}-port-{slave.name}"), "ifname", q(slave.name),
                "master", q(spec.name), "slave-type", "bond"]
        if slave.mac:
            port += ["ethernet.cloned-mac-address", slave.mac]
        result.append(" ".join(port))
    result.append(f"nmcli connection up {q(spec.name)}")
    return result
