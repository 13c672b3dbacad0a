"""NetworkManager as typed at a shell: ``nmcli connection add type bond ...`` and one port per slave.

A script of nmcli commands is read as NetworkManager would apply it: ``add`` creates a connection (named
by ``con-name``, else NetworkManager's own default ``<type>-<ifname>``), ``modify`` changes one, and the
bond is put together at the end from the connections whose ``master`` (``controller`` in newer nmcli)
names it, with the VLANs whose parent it is and the bridge it is a port of. nmcli's abbreviations
(``nmcli c a``) and older spellings (``type bond-slave``, the ``mode``/``miimon`` shortcuts) are accepted,
since tutorials use them all. A property of a NetworkManager setting that bondkit does not model is kept
and told; a misspelt property, which nmcli itself refuses, is an error.
"""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass, field

from bondkit.formats import losses
from bondkit.formats.common import Collector, is_v6, logical_lines, shell_words, split_addresses
from bondkit.spec import (
    BondSpec,
    BridgeSpec,
    EthernetSpec,
    Extra,
    IPConfig,
    Location,
    Note,
    OtherInterface,
    Route,
    SlaveSpec,
    VlanSpec,
)

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
    "ip4": "ipv4.addresses", "gw4": "ipv4.gateway", "ip6": "ipv6.addresses", "gw6": "ipv6.gateway",
    "ipv4.dns": "ipv4.dns", "ipv6.dns": "ipv6.dns", "ipv4.dns-search": "ipv4.dns-search",
    "ipv6.dns-search": "ipv6.dns-search",
    "ethernet.cloned-mac-address": "mac", "802-3-ethernet.cloned-mac-address": "mac", "cloned-mac": "mac",
    "ethernet.mac-address": "hwaddr", "802-3-ethernet.mac-address": "hwaddr", "mac": "hwaddr",
    "ethernet.mtu": "mtu", "802-3-ethernet.mtu": "mtu", "mtu": "mtu",
    "infiniband.mac-address": "hwaddr", "infiniband.mtu": "mtu", "ipv6.mtu": "ipv6_mtu",
    "autoconnect": "autoconnect", "connection.autoconnect": "autoconnect",
    "vlan.parent": "vlan.parent", "dev": "vlan.parent", "vlan.id": "vlan.id", "id": "vlan.id",
    "bridge.stp": "bridge.stp", "stp": "bridge.stp", "ipv4.never-default": "ipv4.never-default",
    "connection.zone": "zone",
    "match.interface-name": "match.name", "match.driver": "match.driver",
}
#: The bond shortcuts older nmcli takes after ``type bond`` (kernel option names with "-" for "_").
_SHORTCUTS = {"mode": "mode", "primary": "primary", "miimon": "miimon", "downdelay": "downdelay",
              "updelay": "updelay", "arp-interval": "arp_interval", "arp-ip-target": "arp_ip_target",
              "lacp-rate": "lacp_rate"}
#: Properties whose value is NetworkManager's default or says nothing once the files are joined.
_PASSED_OVER = {"save", "connection.uuid", "connection.autoconnect-slaves", "connection.autoconnect-ports"}
#: NetworkManager settings (nm-settings-nmcli(5)); ``setting.property`` of one of them is a valid
#: property nmcli takes even when bondkit does not model it.
_SETTINGS = {"connection", "ipv4", "ipv6", "ethernet", "802-3-ethernet", "bond", "bond-port", "bridge",
             "bridge-port", "vlan", "match", "ethtool", "proxy", "team", "team-port", "link", "hostname",
             "ovs-bridge", "ovs-port", "ovs-interface", "sriov", "tc", "dcb", "802-1x", "user",
             "infiniband", "ip-tunnel", "macvlan", "vxlan", "wireguard", "dummy", "veth"}
_OBJECTS = ("connection",)
#: nmcli's other objects, in nmcli's order for abbreviations (``nmcli d`` is device).
_OTHER_OBJECTS = ("general", "networking", "radio", "device", "agent", "monitor")
#: Where commands that build no connection are kept until the bond is known.
_COMMANDS = "\0commands"
_VERBS = ("add", "modify", "up", "down", "delete", "reload", "show", "load", "clone", "edit", "migrate")
_METHODS4 = ("auto", "manual", "disabled", "link-local", "shared")
_METHODS6 = ("auto", "dhcp", "manual", "ignore", "disabled", "link-local", "shared")
_SPLIT_OPTIONS = re.compile(r"(?<!\\),")
_YES = ("yes", "true", "on", "1")
_DEFAULT_NAMES = {"802-3-ethernet": "ethernet", "bond-slave": "bond-slave"}


@dataclass
class _Connection:
    """One NetworkManager connection profile as the commands built it."""

    where: Location
    values: dict[str, tuple[str, Location]] = field(default_factory=dict)
    options: list[tuple[str, Location]] = field(default_factory=list)
    shortcuts: list[tuple[str, str, Location]] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)
    #: Joined to a bond (as the bond, a port, a VLAN or the bridge).
    used: bool = False

    def get(self, key: str) -> str | None:
        return self.values[key][0] if key in self.values else None

    def at(self, key: str) -> Location:
        return self.values[key][1] if key in self.values else self.where

    @property
    def kind(self) -> str:
        kind = (self.get("type") or "").lower()
        return {"bond-slave": "ethernet", "802-3-ethernet": "ethernet"}.get(kind, kind)


def _word(word: str, choices: tuple[str, ...]) -> str | None:
    """nmcli's abbreviations: any prefix of a command word, the first in nmcli's order winning."""
    return next((choice for choice in choices if word and choice.startswith(word)), None)


def parse(text: str, source: str = "bond0-nmcli.sh", notes: list[Note] | None = None) -> list[BondSpec]:
    """Bonds built by a script of nmcli commands; with ``notes`` given, problems are kept for lint."""
    col = Collector(notes)
    connections: dict[str, _Connection] = {}
    for number, line in logical_lines(text, source):
        where = Location(source, number)
        words = shell_words(line, where)
        if not words or words[0] in ("set", "#!/bin/sh"):
            continue
        _command(words[1:] if words[0] == "sudo" else words, where, connections, col)
    return _assemble(connections, col)


def _command(words: list[str], where: Location, connections: dict[str, _Connection], col: Collector) -> None:
    while len(words) > 1 and words[0] == "nmcli" and words[1].startswith("-"):
        words = [words[0]] + words[3 if words[1] in ("-w", "--wait", "-f", "--fields") else 2:]
    if len(words) >= 2 and words[0] == "nmcli" and _word(words[1], _OTHER_OBJECTS):
        # nmcli device/radio/general...: valid, but nothing of a connection profile.
        connections.setdefault(_COMMANDS, _Connection(where)).extras.append(
            Extra("", " ".join(words), where, "nmcli-command"))
        col.notice("outside-model", "formats.nmcli.other_command", where, None, text=" ".join(words)[:60])
        return
    if len(words) < 3 or words[0] != "nmcli" or not _word(words[1], _OBJECTS):
        col.problem("unknown-command", "formats.nmcli.not_nmcli", where, text=" ".join(words)[:60])
        return
    verb = _word(words[2], _VERBS)
    rest = words[3:]
    if verb == "add":
        conn = _Connection(where)
        _properties(conn, rest, where, col)
        name = conn.get("id") or _default_name(conn, where)
        connections[name] = conn
    elif verb == "modify":
        if rest[:1] in (["id"], ["uuid"], ["path"]):
            rest = rest[1:]
        if rest[:1] == ["--temporary"]:
            rest = rest[1:]
        if not rest or rest[0] not in connections:
            col.problem("unknown-command", "formats.nmcli.no_such_connection", where,
                        name=rest[0] if rest else "")
            return
        _properties(connections[rest[0]], rest[1:], where, col)
    elif verb == "delete":
        for name in rest:
            connections.pop(name, None)
    elif verb is None:
        col.problem("unknown-command", "formats.nmcli.not_nmcli", where, text=" ".join(words)[:60])


def _default_name(conn: _Connection, where: Location) -> str:
    """The name NetworkManager gives a connection added without ``con-name``: ``bond-bond0``."""
    kind = (conn.get("type") or "connection").lower()
    ifname = conn.get("ifname")
    return f"{_DEFAULT_NAMES.get(kind, kind)}-{ifname}" if ifname else f"{kind}-{where.line}"


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
        elif bare in _PASSED_OVER:
            continue
        elif bare.split(".")[0] in _SETTINGS and "." in bare:
            close = difflib.get_close_matches(bare, [p for p in _PROPERTIES if "." in p], n=1, cutoff=0.9)
            if close:
                col.problem("unknown-key", "formats.nmcli.misspelt_property", where, name=bare, hint=close[0])
            else:
                conn.extras.append(Extra(bare, value, where, "nmcli"))
                col.notice("outside-model", "formats.nmcli.outside_model", where, None, name=bare)
        else:
            col.problem("unknown-key", "formats.nmcli.unknown_property", where, name=bare)


def _assemble(connections: dict[str, _Connection], col: Collector) -> list[BondSpec]:
    bonds: dict[str, BondSpec] = {}
    by_id: dict[str, str] = {}
    for cid, conn in connections.items():
        if conn.kind == "bond":
            conn.used = True
            bond = _bond(conn, col)
            bonds[bond.name] = bond
            by_id[cid] = bond.name

    def bond_of(name: str | None) -> BondSpec | None:
        return bonds.get(name or "") or bonds.get(by_id.get(name or "", ""))

    bridges = {cid: conn for cid, conn in connections.items() if conn.kind == "bridge"}
    for cid, conn in connections.items():
        if conn.kind == "bond" and conn.get("master"):
            _bridge_of(bonds[by_id[cid]], conn, bridges, col)
    enslaved: dict[str, str] = {}
    for conn in connections.values():
        master = conn.get("master")
        if conn.kind == "vlan":
            _vlan(conn, bond_of(conn.get("vlan.parent")), col)
        if not master or conn.kind in ("bond", "bridge"):
            continue
        spec = bond_of(master)
        if spec is None and (conn.get("slave-type") or "bond") != "bond":
            continue
        ifname = conn.get("ifname") or conn.get("match.name")
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
            spec.slaves.append(_slave(conn, ifname, spec, col))
    for cid, conn in connections.items():
        if cid in by_id or (cid == _COMMANDS and bonds):
            bonds[by_id.get(cid) or next(iter(bonds))].extras += conn.extras
        elif bonds and not conn.used:
            # A connection of the same script that is no part of any bond (a management NIC).
            first = next(iter(bonds.values()))
            other = OtherInterface("nmcli", cid, None, conn.where, "nmcli")
            if conn.kind == "ethernet" and conn.get("ifname") and not conn.get("master"):
                other.conf = EthernetSpec(name=conn.get("ifname") or "")
                other.conf.origin["interface"] = conn.where
                _read_ip(conn, other.conf, first, col)
                if conn.get("hwaddr"):
                    other.conf.hwaddr = col.mac(conn.get("hwaddr") or "", conn.at("hwaddr"), first)
                other.conf.extras = conn.extras
            first.others.append(other)
    return list(bonds.values())


def _slave(conn: _Connection, ifname: str, spec: BondSpec, col: Collector) -> SlaveSpec:
    slave = SlaveSpec(ifname, origin=conn.at("master"))
    slave.extras, conn.extras, conn.used = conn.extras, [], True
    if conn.get("mac"):
        slave.mac = col.mac(conn.get("mac") or "", conn.at("mac"), spec)
    if conn.kind == "infiniband":
        slave.kind = "infiniband"
    if conn.get("hwaddr"):
        slave.hwaddr = col.mac(conn.get("hwaddr") or "", conn.at("hwaddr"), spec, hardware=True)
    if conn.get("mtu"):
        slave.mtu = _mtu(conn, spec, col)
    if conn.get("match.driver"):
        slave.match["driver"] = conn.get("match.driver") or ""
    return slave


def _mtu(conn: _Connection, spec: BondSpec, col: Collector, key: str = "mtu") -> int | None:
    text = conn.get(key) or ""
    low = 1280 if key == "ipv6_mtu" else 68
    if text.isascii() and text.isdigit() and (text == "0" or low <= int(text) <= 65535):
        return int(text) or None
    col.problem("bad-value", "formats.bad_mtu", conn.at(key), spec, value=text)
    return None


def _bond(conn: _Connection, col: Collector) -> BondSpec:
    name = conn.get("ifname") or conn.get("id") or "bond0"
    spec = BondSpec(name=name, mode="balance-rr")
    spec.origin["bond"] = conn.where
    col.ifname(name, conn.at("ifname"), spec)
    for text, where in conn.options:
        _bond_options(spec, text, where, col)
    for option, value, where in conn.shortcuts:
        col.set_option(spec, option, value.replace(" ", ","), where)
    _read_ip(conn, spec, spec, col)
    return spec


def _bridge_of(spec: BondSpec, conn: _Connection, bridges: dict[str, _Connection], col: Collector) -> None:
    """A bond whose master is a bridge connection (``slave-type bridge``) is a port of that bridge."""
    master = conn.get("master") or ""
    found = bridges.get(master) or next((b for b in bridges.values() if b.get("ifname") == master), None)
    name = (found.get("ifname") if found else None) or master
    spec.bridge = BridgeSpec(name=name)
    spec.bridge.origin["interface"] = found.where if found else conn.at("master")
    if found:
        found.used = True
        _read_ip(found, spec.bridge, spec, col)
        if found.get("bridge.stp"):
            spec.bridge.stp = (found.get("bridge.stp") or "").lower() in _YES
            spec.bridge.origin["stp"] = found.at("bridge.stp")
        spec.bridge.extras += found.extras
        found.extras = []


def _vlan(conn: _Connection, spec: BondSpec | None, col: Collector) -> None:
    if spec is None:
        return
    name = conn.get("ifname") or conn.get("id") or ""
    text = conn.get("vlan.id") or ""
    if not col.ifname(name, conn.at("ifname"), spec):
        return
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 4095):
        col.problem("bad-value", "formats.bad_vlan_id", conn.at("vlan.id"), spec, name=name)
        return
    vlan = VlanSpec(name=name, id=int(text))
    vlan.origin["interface"] = conn.where
    _read_ip(conn, vlan, spec, col)
    vlan.extras += conn.extras
    conn.extras, conn.used = [], True
    spec.vlans.append(vlan)


def _read_ip(conn: _Connection, conf: IPConfig, spec: BondSpec, col: Collector) -> None:
    """Addresses, gateways, routes, methods, DNS, MTU, MAC and autoconnect of one connection."""
    method = (conn.get("ipv4.method") or "auto").lower()
    if method not in _METHODS4:
        col.problem("bad-value", "formats.nmcli.bad_method", conn.at("ipv4.method"), spec, value=method)
    conf.dhcp4 = method == "auto" and not conn.get("master")
    conf.never_default = conf.dhcp4 and (conn.get("ipv4.never-default") or "").lower() in _YES
    method6 = (conn.get("ipv6.method") or "").lower()
    if method6 and method6 not in _METHODS6:
        col.problem("bad-value", "formats.nmcli.bad_method", conn.at("ipv6.method"), spec, value=method6)
    conf.dhcp6 = method6 in ("auto", "dhcp")
    if method6 == "auto":
        conf.accept_ra = True
    elif method6 in ("dhcp", "ignore", "disabled"):
        conf.accept_ra = False
    for family in ("ipv4", "ipv6"):
        key = f"{family}.addresses"
        for text in _items(conn.get(key)):
            address = col.address(text, conn.at(key), spec)
            if address:
                conf.addresses.append(address)
                conf.origin.setdefault("addresses", conn.at(key))
        gateway = conn.get(f"{family}.gateway")
        if gateway:
            via = col.ip(gateway, conn.at(f"{family}.gateway"), spec)
            if via and conf.gateway is None:
                conf.gateway = via
                conf.origin["gateway"] = conn.at(f"{family}.gateway")
            elif via:
                conf.routes.append(Route("::/0" if is_v6(via) else "0.0.0.0/0", via))
        _routes(conf, conn, f"{family}.routes", spec, col)
        for text in _items(conn.get(f"{family}.dns")):
            server = col.ip(text, conn.at(f"{family}.dns"), spec)
            if server and server not in conf.nameservers:
                conf.nameservers.append(server)
                conf.origin.setdefault("nameservers", conn.at(f"{family}.dns"))
        for domain in _items(conn.get(f"{family}.dns-search")):
            if domain not in conf.search:
                conf.search.append(domain)
                conf.origin.setdefault("search", conn.at(f"{family}.dns-search"))
    if conn.get("mtu"):
        conf.mtu = _mtu(conn, spec, col)
        conf.origin["mtu"] = conn.at("mtu")
    if conn.get("ipv6_mtu"):
        conf.ipv6_mtu = _mtu(conn, spec, col, "ipv6_mtu")
        conf.origin["ipv6_mtu"] = conn.at("ipv6_mtu")
    if conn.get("mac"):
        conf.mac = col.mac(conn.get("mac") or "", conn.at("mac"), spec)
        conf.origin["mac"] = conn.at("mac")
    if conn.get("zone"):
        conf.zone = conn.get("zone")
        conf.origin["zone"] = conn.at("zone")
    if conn.get("autoconnect"):
        conf.autoconnect = (conn.get("autoconnect") or "").lower() in _YES
        conf.origin["autoconnect"] = conn.at("autoconnect")


def _items(text: str | None) -> list[str]:
    return [item for item in re.split(r"[,;\s]+", text or "") if item]


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


def _routes(conf: IPConfig, conn: _Connection, key: str, spec: BondSpec, col: Collector) -> None:
    """``ipv4.routes "10.0.0.0/8 192.168.99.1 100 table=5 onlink=true, ..."``: destination, next hop,
    metric, then attributes."""
    for entry in (conn.get(key) or "").split(","):
        words = entry.split()
        if not words:
            continue
        attributes = [w for w in words[1:] if "=" in w]
        plain = [w for w in words[1:] if "=" not in w]
        via_text = plain[0] if plain and not plain[0].isdigit() else None
        numbers = plain[1:] if via_text else plain
        metric_text = numbers[0] if numbers else None
        if len(plain) > (2 if via_text else 1) or (metric_text and not metric_text.isdigit()):
            col.problem("bad-value", "formats.nmcli.bad_route", conn.at(key), spec, value=entry.strip())
            continue
        dest = col.network(words[0], conn.at(key), spec)
        via = col.ip(via_text, conn.at(key), spec) if via_text else None
        if not dest or (via_text and not via):
            continue
        route = Route(dest, via, int(metric_text) if metric_text else None)
        for attribute in attributes:
            name, value = attribute.split("=", 1)
            if name == "table" and value.isdigit():
                route.table = int(value)
            elif name == "onlink":
                route.on_link = value.lower() in _YES
            else:
                conf.extras.append(Extra(f"{key} {dest} {name}", value, conn.at(key), "nmcli-route"))
                col.notice("outside-model", "formats.nmcli.outside_model", conn.at(key), spec,
                           name=f"{key} {name}")
        conf.routes.append(route)
        conf.origin.setdefault("routes", conn.at(key))


# ---------------------------------------------------------------------------------------------- render


def render(spec: BondSpec, whole: bool = False) -> dict[str, str]:
    """``{"<bond>-nmcli.sh": script}``: the bond, one port per slave, then ``nmcli connection up``; with
    ``whole`` (a conversion), a connection for each plain NIC of the source files too."""
    lines = commands(spec)
    for other in spec.others if whole else []:
        if other.conf is not None:
            lines.insert(-1, _ethernet_command(other.conf))
    return {f"{spec.name}-nmcli.sh": "#!/bin/sh\nset -e\n" + "\n".join(lines) + "\n"}


def _ethernet_command(conf: EthernetSpec) -> str:
    q = shlex.quote
    words = ["nmcli", "connection", "add", "type", "ethernet", "con-name", q(conf.name),
             "ifname", q(conf.name)]
    if conf.hwaddr:
        words += ["ethernet.mac-address", conf.hwaddr]
    return " ".join(words + _ip_words(conf) + _kept(conf))


def cannot_say(spec: BondSpec) -> list[losses.Loss]:
    """What nmcli scripts written here cannot carry: netplan's renderer and name patterns, RA alone."""
    found = losses.shared(spec, "nmcli")
    if spec.renderer:
        found.append(losses.setting_lost(spec, "renderer", f"renderer: {spec.renderer}", "nmcli",
                                         "formats.loss.renderer"))
    for name, conf in spec.interfaces():
        if conf.accept_ra and not conf.dhcp6:
            found.append(losses.setting_lost(conf, "accept_ra", f"accept-ra: true ({name})", "nmcli",
                                             "formats.loss.accept_ra"))
        elif conf.dhcp6 and conf.accept_ra is None:
            found.append(losses.setting_lost(conf, "dhcp6", f"dhcp6 ({name})", "nmcli",
                                             "formats.loss.accept_ra_default"))
        elif conf.accept_ra is False and not conf.dhcp6 and split_addresses(conf.addresses)[1]:
            found.append(losses.setting_lost(conf, "accept_ra", f"accept-ra: false ({name})", "nmcli",
                                             "formats.loss.accept_ra_manual"))
    holders: list[tuple[BondSpec | SlaveSpec, Location | None]] = [
        (spec, spec.origin.get("ethtool_opts")), *((s, s.origin) for s in spec.slaves)]
    for holder, where in holders:
        if holder.ethtool_opts:
            found.append(losses.Loss(f"ETHTOOL_OPTS={holder.ethtool_opts}", where, "nmcli",
                                     "formats.loss.ethtool", {"value": holder.ethtool_opts}))
    for slave in spec.slaves:
        if "name" in slave.match:
            found.append(losses.Loss(f"match: name: {slave.match['name']}", slave.origin, "nmcli",
                                     "formats.loss.match_name", {"slave": slave.name}))
    return found


def _method6(conf: IPConfig, v6: list[str]) -> str | None:
    if conf.dhcp6:
        return "dhcp" if conf.accept_ra is False else "auto"
    if conf.accept_ra:
        return "auto"
    if v6:
        return "manual"
    return "disabled" if conf.accept_ra is False else None


def _route_text(route: Route) -> str:
    words = [route.to] + ([route.via] if route.via else [])
    if route.metric is not None:
        words.append(str(route.metric))
    if route.table is not None:
        words.append(f"table={route.table}")
    if route.on_link:
        words.append("onlink=true")
    return " ".join(words)


def _ip_words(conf: IPConfig, port: bool = False) -> list[str]:
    """The nmcli properties of one interface's IP settings (none for a port of a bridge)."""
    q = shlex.quote
    words: list[str] = []
    if conf.mac:
        words += ["ethernet.cloned-mac-address", conf.mac]
    if conf.mtu:
        words += ["ethernet.mtu", str(conf.mtu)]
    if conf.ipv6_mtu and not port:
        words += ["ipv6.mtu", str(conf.ipv6_mtu)]
    if not conf.autoconnect:
        words += ["connection.autoconnect", "no"]
    if conf.zone:
        words += ["connection.zone", shlex.quote(conf.zone)]
    if port:
        return words
    v4, v6 = split_addresses(conf.addresses)
    words += ["ipv4.method", "auto" if conf.dhcp4 else "manual" if v4 else "disabled"]
    if conf.dhcp4 and conf.never_default:
        words += ["ipv4.never-default", "yes"]
    if v4:
        words += ["ipv4.addresses", q(",".join(v4))]
    method6 = _method6(conf, v6)
    if method6:
        words += ["ipv6.method", method6]
    if v6:
        words += ["ipv6.addresses", q(",".join(v6))]
    if conf.gateway:
        words += ["ipv6.gateway" if is_v6(conf.gateway) else "ipv4.gateway", conf.gateway]
    routes = conf.route_list()
    for family, chosen in (("ipv4", [r for r in routes if not is_v6(r.to)]),
                           ("ipv6", [r for r in routes if is_v6(r.to)])):
        if chosen:
            words += [f"{family}.routes", q(", ".join(_route_text(route) for route in chosen))]
    dns4, dns6 = split_addresses(conf.nameservers)
    if dns4:
        words += ["ipv4.dns", q(",".join(dns4))]
    if dns6:
        words += ["ipv6.dns", q(",".join(dns6))]
    if conf.search:
        words += ["ipv4.dns-search", q(",".join(conf.search))]
    return words


def _kept(conf: IPConfig | SlaveSpec) -> list[str]:
    return [w for e in conf.extras if e.fmt == "nmcli" for w in (e.setting, shlex.quote(e.value))]


def commands(spec: BondSpec) -> list[str]:
    """The nmcli commands that make ``spec`` (its bridge first, then the bond, ports, VLANs) and bring
    it up. Connection names: the bond's name, ``<bond>-port-<slave>``, each VLAN's and bridge's name."""
    q = shlex.quote
    result: list[str] = []
    if spec.bridge:
        bridge = ["nmcli", "connection", "add", "type", "bridge", "con-name", q(spec.bridge.name),
                  "ifname", q(spec.bridge.name)]
        if spec.bridge.stp is not None:
            bridge += ["bridge.stp", "yes" if spec.bridge.stp else "no"]
        result.append(" ".join(bridge + _ip_words(spec.bridge) + _kept(spec.bridge)))
    options = [f"{name}={value.replace(',', chr(92) + ',')}" for name, value in spec.kernel_options()]
    options += [f"{name}={value}" for name, value in spec.unknown_options.items()]
    bond = ["nmcli", "connection", "add", "type", "bond", "con-name", q(spec.name), "ifname", q(spec.name),
            "bond.options", q(",".join(options))]
    if spec.bridge:
        bond += ["master", q(spec.bridge.name), "slave-type", "bridge"]
    result.append(" ".join(bond + _ip_words(spec, port=spec.bridge is not None) + _kept(spec)))
    for slave in spec.slaves:
        # An IPoIB port is a connection of type infiniband: NetworkManager matches type and device.
        kind = "infiniband" if slave.infiniband else "ethernet"
        port = ["nmcli", "connection", "add", "type", kind,
                "con-name", q(f"{spec.name}-port-{slave.name}"), "ifname", q(slave.name),
                "master", q(spec.name), "slave-type", "bond"]
        if slave.mac:
            port += ["ethernet.cloned-mac-address", slave.mac]
        if slave.hwaddr:
            port += [f"{kind}.mac-address", slave.hwaddr]
        if slave.mtu:
            port += [f"{kind}.mtu", str(slave.mtu)]
        if "driver" in slave.match:
            port += ["match.driver", q(slave.match["driver"])]
        if not spec.autoconnect:
            port += ["connection.autoconnect", "no"]
        result.append(" ".join(port + _kept(slave)))
    for vlan in spec.vlans:
        words = ["nmcli", "connection", "add", "type", "vlan", "con-name", q(vlan.name),
                 "ifname", q(vlan.name), "vlan.parent", q(spec.name), "vlan.id", str(vlan.id)]
        result.append(" ".join(words + _ip_words(vlan) + _kept(vlan)))
    result.append(f"nmcli connection up {q(spec.bridge.name if spec.bridge else spec.name)}")
    return result
