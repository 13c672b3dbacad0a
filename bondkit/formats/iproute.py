"""iproute2 commands: ``ip link add bond0 type bond ...``, enslave, addresses, up.

The order matters to the kernel, so ``commands()`` is the one place that knows it:

1. create the bond with its mode and every option the kernel only takes while the bond has no slaves
   (mode, fail_over_mac) or is down (mode, lacp_rate, ad_select, tlb_dynamic_lb), and its MAC address;
2. take each slave down (the kernel refuses to enslave an interface that is up) and enslave it;
3. set ``primary`` (a name that should already be a slave), the MTU, and add the addresses;
4. bring the bond up, then choose ``active_slave`` (it must name a slave that is up) and add routes
   (a gateway must be reachable through an address that is up);
5. VLANs on the bond, and the bridge over it, each with its own addresses and routes.

The lab runs these commands; ``teardown()`` undoes them. ``parse`` reads such a script back, and any
other ip command iproute2 takes is kept and told, not refused.
"""

from __future__ import annotations

import shlex

from bondkit.errors import ConfigError
from bondkit.formats import losses
from bondkit.formats.common import Collector, is_v6, logical_lines, shell_words
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

#: iproute2 spells one option differently from sysfs.
_IP_NAMES = {"peer_notif_delay": "peer_notify_delay"}
_KERNEL_NAMES = {v: k for k, v in _IP_NAMES.items()}
#: Options set after enslaving (3.) or after the bond is up (4.).
_AFTER_ENSLAVE = ("primary",)
_AFTER_UP = ("active_slave",)
#: iproute2's objects, in the order ``ip`` matches an abbreviation against them.
_OBJECTS = ("address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable",
            "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tuntap", "token", "tcpmetrics", "monitor",
            "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr", "nexthop", "mptcp", "ioam", "stats")
_READ_OBJECTS = ("link", "address", "route")
#: ``ip link add/set`` attributes that take a value, and flags that do not.
_LINK_VALUES = ("address", "mtu", "txqueuelen", "txqlen", "alias", "group", "numtxqueues", "numrxqueues",
                "gso_max_size", "gso_max_segs", "netns", "broadcast", "brd", "qlen")
_LINK_FLAGS = ("up", "down")
_ROUTE_VALUES = ("via", "dev", "metric", "table", "proto", "src", "scope", "mtu", "realm", "preference",
                 "expires", "type", "advmss", "initcwnd", "initrwnd")


def _option_words(spec: BondSpec, names: tuple[str, ...] | None, lossy: bool) -> list[str]:
    words: list[str] = []
    for name, value in spec.kernel_options():
        if (names is None and name not in _AFTER_ENSLAVE + _AFTER_UP) or (names and name in names):
            words += [_IP_NAMES.get(name, name), shlex.quote(value)]
    if names is None and spec.unknown_options and not lossy:
        name = next(iter(spec.unknown_options))
        where = spec.origin.get(name)
        raise ConfigError("formats.ip.unsupported", source=where.source if where else None,
                          line=where.line if where else None, option=name, bond=spec.name)
    return words


def commands(spec: BondSpec, lossy: bool = False) -> list[str]:
    """The ip commands that bring ``spec`` up on a host where its slaves exist and the bond does not.

    DHCP and kernel options iproute2 does not know are a ConfigError, unless ``lossy`` (a conversion that
    reports what it could not carry, see ``cannot_say``).
    """
    if spec.dhcp4 and not lossy:
        where = spec.origin.get("bond")
        raise ConfigError("formats.ip.dhcp", source=where.source if where else None,
                          line=where.line if where else None, bond=spec.name)
    bond = shlex.quote(spec.name)
    set_bond = f"ip link set {bond} type bond"
    result = [" ".join(["ip", "link", "add", bond, "type", "bond", *_option_words(spec, None, lossy)])]
    if spec.mac:
        result.append(f"ip link set {bond} address {spec.mac}")
    for slave in spec.slaves:
        name = shlex.quote(slave.name)
        result.append(f"ip link set {name} down")
        if slave.mac:
            result.append(f"ip link set {name} address {slave.mac}")
        result.append(f"ip link set {name} master {bond}")
    if any(name in spec.options for name in _AFTER_ENSLAVE):
        result.append(" ".join([set_bond, *_option_words(spec, _AFTER_ENSLAVE, lossy)]))
    if spec.mtu:
        result.append(f"ip link set {bond} mtu {spec.mtu}")
    result += [f"ip {_family(a)}address add {a} dev {bond}" for a in spec.addresses]
    result.append(f"ip link set {bond} up")
    if any(name in spec.options for name in _AFTER_UP):
        result.append(" ".join([set_bond, *_option_words(spec, _AFTER_UP, lossy)]))
    result += _routes_of(spec.name, spec)
    for vlan in spec.vlans:
        name = shlex.quote(vlan.name)
        result.append(f"ip link add link {bond} name {name} type vlan id {vlan.id}")
        result += _interface_commands(vlan.name, vlan)
    if spec.bridge:
        name = shlex.quote(spec.bridge.name)
        stp = "" if spec.bridge.stp is None else f" stp_state {int(spec.bridge.stp)}"
        result.append(f"ip link add {name} type bridge{stp}")
        result.append(f"ip link set {bond} master {name}")
        result += _interface_commands(spec.bridge.name, spec.bridge)
    return result


def _interface_commands(device: str, conf: IPConfig) -> list[str]:
    """MAC, MTU, addresses, up and routes of a VLAN or a bridge."""
    name = shlex.quote(device)
    result = [f"ip link set {name} address {conf.mac}"] if conf.mac else []
    if conf.mtu:
        result.append(f"ip link set {name} mtu {conf.mtu}")
    result += [f"ip {_family(a)}address add {a} dev {name}" for a in conf.addresses]
    result.append(f"ip link set {name} up")
    return result + _routes_of(device, conf)


def _routes_of(device: str, conf: IPConfig) -> list[str]:
    name = shlex.quote(device)
    gateway = conf.gateway
    result = [f"ip {_family(gateway)}route add default via {gateway} dev {name}"] if gateway else []
    for route in conf.route_list():
        words = ["ip", *(["-6"] if is_v6(route.to) else []), "route", "add", route.to]
        words += ["via", route.via] if route.via else []
        words += ["dev", name]
        words += ["metric", str(route.metric)] if route.metric is not None else []
        words += ["table", str(route.table)] if route.table is not None else []
        words += ["onlink"] if route.on_link else []
        result.append(" ".join(words))
    return result


def _family(address: str) -> str:
    return "-6 " if is_v6(address) else ""


def teardown(spec: BondSpec) -> list[str]:
    """The ip commands that undo ``commands(spec)``: remove the bridge and VLANs, release the slaves
    (their MAC addresses come back), then delete the bond with its addresses and routes."""
    bond = shlex.quote(spec.name)
    result = [f"ip link del {shlex.quote(spec.bridge.name)}"] if spec.bridge else []
    result += [f"ip link del {shlex.quote(vlan.name)}" for vlan in spec.vlans]
    return in_netns(spec, [*result, f"ip link set {bond} down",
                           *(f"ip link set {shlex.quote(s.name)} nomaster" for s in spec.slaves),
                           f"ip link del {bond}"])


def in_netns(spec: BondSpec, lines: list[str]) -> list[str]:
    """The commands run in the bond's network namespace (``ip -n NS``) when it has one."""
    if not spec.netns:
        return lines
    prefix = f"ip -n {shlex.quote(spec.netns)} "
    return [prefix + line[3:] if line.startswith("ip ") else line for line in lines]


def render(spec: BondSpec, whole: bool = False) -> dict[str, str]:
    """``{"<bond>-ip.sh": script}``: ``commands(spec)`` as a shell script that stops at the first error;
    with ``whole`` (a conversion), DHCP is left out instead of refused and the other interfaces of the
    source files get their addresses and routes too."""
    lines = in_netns(spec, commands(spec, lossy=whole))
    for other in spec.others if whole else []:
        if other.conf is not None:
            lines += _interface_commands(other.conf.name, other.conf)
    text = "#!/bin/sh\nset -e\nmodprobe bonding\n" + "\n".join(lines) + "\n"
    return {f"{spec.name}-ip.sh": text}


def cannot_say(spec: BondSpec) -> list[losses.Loss]:
    """What ip commands cannot carry: DHCP, router advertisements, DNS, boot-time behaviour, ethtool,
    NIC pinning, and options iproute2 does not know."""
    found = losses.shared(spec, "ip")
    for name in spec.unknown_options:
        found.append(losses.setting_lost(spec, name, name, "ip", "formats.loss.option", bond=spec.name))
    for device, conf in spec.interfaces():
        checks = [("dhcp4", conf.dhcp4, "dhcp4", "formats.loss.dhcp"),
                  ("dhcp6", conf.dhcp6, "dhcp6", "formats.loss.dhcp"),
                  ("accept_ra", conf.accept_ra is not None, f"accept-ra: {conf.accept_ra}",
                   "formats.loss.not_expressible"),
                  ("nameservers", conf.nameservers, "nameservers: " + ", ".join(conf.nameservers),
                   "formats.loss.not_expressible"),
                  ("search", conf.search, "search: " + " ".join(conf.search), "formats.loss.not_expressible"),
                  ("ipv6_mtu", conf.ipv6_mtu, f"ipv6-mtu: {conf.ipv6_mtu}", "formats.loss.not_expressible"),
                  ("autoconnect", not conf.autoconnect, "ONBOOT=no", "formats.loss.boot")]
        for key, present, setting, reason in checks:
            if present:
                found.append(losses.setting_lost(conf, key, f"{setting} ({device})", "ip", reason))
    if spec.renderer:
        found.append(losses.setting_lost(spec, "renderer", f"renderer: {spec.renderer}", "ip",
                                         "formats.loss.renderer"))
    holders: list[tuple[BondSpec | SlaveSpec, Location | None]] = [
        (spec, spec.origin.get("ethtool_opts")), *((s, s.origin) for s in spec.slaves)]
    for holder, where in holders:
        if holder.ethtool_opts:
            found.append(losses.Loss(f"ETHTOOL_OPTS={holder.ethtool_opts}", where, "ip",
                                     "formats.loss.ethtool", {"value": holder.ethtool_opts}))
    for slave in spec.slaves:
        pins = {**({"macaddress": slave.hwaddr} if slave.hwaddr else {}), **slave.match}
        for key, value in pins.items():
            found.append(losses.Loss(f"match: {key}: {value}", slave.origin, "ip", "formats.loss.match",
                                     {"slave": slave.name}))
        if slave.mtu:
            found.append(losses.Loss(f"MTU={slave.mtu} ({slave.name})", slave.origin, "ip",
                                     "formats.loss.slave_mtu", {"slave": slave.name}))
    return found


# ----------------------------------------------------------------------------------------------- parse


class _Script:
    """The state a script of ip commands builds up: bonds, who is enslaved where, MAC addresses."""

    def __init__(self, col: Collector) -> None:
        self.col = col
        self.bonds: dict[str, BondSpec] = {}
        self.vlans: dict[str, tuple[str, VlanSpec]] = {}
        self.bridges: dict[str, BridgeSpec] = {}
        self.masters: dict[str, tuple[str, Location]] = {}
        self.macs: dict[str, tuple[str, Location]] = {}
        self.mtus: dict[str, tuple[str, Location]] = {}
        self.kept: list[tuple[str, Location]] = []
        self.others: dict[str, Location] = {}
        #: Plain NICs the script gives addresses or routes (the management interface).
        self.plain: dict[str, EthernetSpec] = {}

    def interface(self, name: str) -> IPConfig | None:
        """The bond, VLAN or bridge ``name``, if the script made one."""
        if name in self.bonds:
            return self.bonds[name]
        if name in self.vlans:
            return self.vlans[name][1]
        return self.bridges.get(name)

    def any_interface(self, name: str, where: Location) -> IPConfig:
        """The bond, VLAN or bridge ``name``, else a plain NIC of that name (made on first use)."""
        conf = self.interface(name)
        if conf is None:
            conf = self.plain.setdefault(name, EthernetSpec(name=name))
            conf.origin.setdefault("interface", where)
        return conf

    def keep(self, text: str, where: Location, device: str | None = None) -> None:
        """A command iproute2 takes that says nothing bondkit models: told, and reported as lost."""
        self.kept.append((text, where))
        if device and self.interface(device) is None:
            self.others.setdefault(device, where)
        self.col.notice("outside-model", "formats.ip.outside_model", where, None, text=text[:60])

    def options(self, spec: BondSpec, words: list[str], where: Location) -> None:
        if len(words) % 2:
            self.col.problem("bad-value", "formats.ip.missing_value", where, spec, name=words[-1])
            words = words[:-1]
        for name, value in zip(words[::2], words[1::2], strict=True):
            name = _KERNEL_NAMES.get(name, name)
            self.col.set_option(spec, name, value.split(",") if name == "arp_ip_target" else value, where)

    def link(self, words: list[str], where: Location, text: str) -> None:
        verb = words[0] if words else ""
        if verb in ("add", "a"):
            self.link_add(words[1:], where, text)
        elif verb in ("set", "s", "change", "chg"):
            self.link_set(words[1:], where, text)
        elif verb in ("del", "delete", "d") and len(words) > 1:
            name = words[-1]
            self.bonds.pop(name, None)
            self.vlans.pop(name, None)
            self.bridges.pop(name, None)
        elif verb in ("show", "list", "lst", "ls", "help", "property", "xstats", "afstats"):
            self.keep(text, where)
        else:
            self.col.problem("unknown-command", "formats.ip.unknown", where, text=text[:60])

    def link_add(self, words: list[str], where: Location, text: str) -> None:
        """``ip link add [link DEV] [name] NAME [up|down|address X|mtu N ...] type KIND [ARGS]``."""
        parent, name, attrs = None, None, {}
        rest = list(words)
        while rest and rest[0] != "type":
            word = rest.pop(0)
            if word == "link" and rest:
                parent = rest.pop(0)
            elif word in ("name", "dev") and rest:
                name = rest.pop(0)
            elif word in _LINK_VALUES and rest:
                attrs[word] = rest.pop(0)
            elif word in _LINK_FLAGS:
                continue
            elif name is None:
                name = word
            elif text not in (kept for kept, _ in self.kept):
                self.keep(text, where)  # an attribute bondkit does not model: told, reported as lost
        kind, args = (rest[1], rest[2:]) if len(rest) > 1 else (None, [])
        if name is None or kind is None:
            self.col.problem("unknown-command", "formats.ip.unknown", where, text=text[:60])
        elif kind == "bond":
            spec = BondSpec(name=name, mode="balance-rr")
            spec.origin["bond"] = where
            if self.col.ifname(name, where, spec):
                self.bonds[name] = spec
                self.options(spec, args, where)
                self.attributes(name, attrs, where)
        elif kind == "vlan" and parent in self.bonds and args[:1] == ["id"] and len(args) > 1:
            self.add_vlan(self.bonds[parent], name, args, attrs, where, text)
        elif kind == "bridge":
            bridge = BridgeSpec(name=name)
            bridge.origin["interface"] = where
            if args[:1] == ["stp_state"] and len(args) > 1:
                bridge.stp = args[1] != "0"
                bridge.origin["stp"] = where
                args = args[2:]
            if args:
                bridge.extras.append(Extra("ip link add type bridge", " ".join(args), where, "ip-command"))
                self.col.notice("outside-model", "formats.ip.outside_model", where, None, text=text[:60])
            self.bridges[name] = bridge
            self.attributes(name, attrs, where)
        else:
            self.keep(text, where, name)

    def add_vlan(self, spec: BondSpec, name: str, args: list[str], attrs: dict[str, str], where: Location,
                 text: str) -> None:
        vid = args[1]
        if not (vid.isascii() and vid.isdigit() and 0 < int(vid) < 4095):
            self.col.problem("bad-value", "formats.bad_vlan_id", where, spec, name=name)
            return
        vlan = VlanSpec(name=name, id=int(vid))
        vlan.origin["interface"] = where
        if args[2:]:
            vlan.extras.append(Extra("ip link add type vlan", " ".join(args[2:]), where, "ip-command"))
            self.col.notice("outside-model", "formats.ip.outside_model", where, spec, text=text[:60])
        self.vlans[name] = (spec.name, vlan)
        spec.vlans.append(vlan)
        self.attributes(name, attrs, where)

    def attributes(self, name: str, attrs: dict[str, str], where: Location) -> None:
        for key, value in attrs.items():
            if key == "address":
                self.macs[name] = (value, where)
            elif key == "mtu":
                self.mtus[name] = (value, where)
            else:
                self.keep(f"ip link {name} {key} {value}", where)

    def link_set(self, words: list[str], where: Location, text: str) -> None:
        if words[:1] == ["dev"]:
            words = words[1:]
        if not words:
            self.col.problem("unknown-command", "formats.ip.unknown", where, text="ip link set")
            return
        name, rest = words[0], words[1:]
        while rest:
            word = rest.pop(0)
            if word in ("up", "down", "nomaster"):
                if word == "nomaster":
                    self.masters.pop(name, None)
            elif word == "type" and rest[:1] == ["bond"] and name in self.bonds:
                self.options(self.bonds[name], rest[1:], where)
                return
            elif word == "master" and rest:
                self.enslave(name, rest.pop(0), where)
            elif word == "address" and rest:
                self.macs[name] = (rest.pop(0), where)
            elif word == "mtu" and rest:
                self.mtus[name] = (rest.pop(0), where)
            else:
                self.keep(text, where, name)  # arp, promisc, xdp...: told, reported as lost
                return

    def enslave(self, name: str, master: str, where: Location) -> None:
        """The kernel refuses to enslave an interface that already has a master."""
        if name in self.masters:
            self.col.problem("duplicate-slave", "formats.duplicate_slave", where, self.bonds.get(master),
                             slave=name, bond=self.masters[name][0])
        else:
            self.masters[name] = (master, where)

    def address(self, words: list[str], where: Location, text: str) -> None:
        verb = words[0] if words else ""
        if verb not in ("add", "a", "replace", "change"):
            self.keep(text, where)
            return
        fields = _pairs(words[2:]) if len(words) > 1 else None
        device = (fields or {}).get("dev")
        if fields is None or device is None:
            self.col.problem("unknown-command", "formats.ip.unknown", where, text=text[:60])
            return
        conf = self.any_interface(device, where)
        spec = self._spec_of(device)
        address = self.col.address(words[1], where, spec)
        if address:
            conf.addresses.append(address)
            conf.origin.setdefault("addresses", where)
        for key in set(fields) - {"dev", "brd", "broadcast"}:
            conf.extras.append(Extra(f"ip address {address} {key}", fields[key], where, "ip-command"))
            self.col.notice("outside-model", "formats.ip.outside_model", where, spec, text=text[:60])

    def _spec_of(self, device: str) -> BondSpec | None:
        if device in self.bonds:
            return self.bonds[device]
        if device in self.vlans:
            return self.bonds.get(self.vlans[device][0])
        return next((s for s in self.bonds.values() if s.bridge and s.bridge.name == device), None)

    def route(self, words: list[str], where: Location, text: str) -> None:
        verb = words[0] if words else ""
        if verb not in ("add", "a", "replace", "append"):
            self.keep(text, where)
            return
        if len(words) < 2:
            self.col.problem("unknown-command", "formats.ip.unknown", where, text=text[:60])
            return
        dest, rest = words[1], words[2:]
        fields: dict[str, str] = {}
        on_link = False
        while rest:
            word = rest.pop(0)
            if word == "onlink":
                on_link = True
            elif word in _ROUTE_VALUES and rest:
                fields[word] = rest.pop(0)
            else:  # nexthop, encap...: the whole route is told and reported as lost
                self.keep(text, where, fields.get("dev"))
                return
        device = fields.get("dev")
        if device is None:
            self.keep(text, where)
            return
        conf = self.any_interface(device, where)
        spec = self._spec_of(device)
        via = self.col.ip(fields["via"], where, spec) if "via" in fields else None
        if "via" in fields and via is None:
            return
        metric, table = fields.get("metric", ""), fields.get("table", "")
        route = Route(dest, via, int(metric) if metric.isdigit() else None, on_link,
                      int(table) if table.isdigit() else None)
        for key in set(fields) - {"via", "dev", "metric", "table"}:
            conf.extras.append(Extra(f"ip route {dest} {key}", fields[key], where, "ip-command"))
            self.col.notice("outside-model", "formats.ip.outside_model", where, spec, text=text[:60])
        if dest == "default" and route.plain() and via and conf.gateway is None:
            conf.gateway = via
            conf.origin["gateway"] = where
            return
        if dest == "default":
            dest = "::/0" if via and ":" in via else "0.0.0.0/0"
        network = self.col.network(dest, where, spec)
        if network:
            route.to = network
            conf.routes.append(route)
            conf.origin.setdefault("routes", where)

    def assemble(self) -> list[BondSpec]:
        for name, (master, where) in self.masters.items():
            spec = self.bonds.get(master)
            if master in self.bridges and name in self.bonds:
                self.bonds[name].bridge = self.bridges[master]
            elif master in self.bridges:
                self.keep(f"ip link set {name} master {master}", where, name)
            elif spec is None:
                self.col.problem("orphan-slave", "formats.orphan_slave", where, slave=name, bond=master)
            elif self.col.ifname(name, where, spec):
                mac_text, mac_where = self.macs.pop(name, ("", where))
                mac = self.col.mac(mac_text, mac_where, spec) if mac_text else None
                slave = SlaveSpec(name, mac, origin=where)
                mtu = self.mtus.pop(name, None)
                if mtu:
                    slave.mtu = self._mtu(mtu, spec)
                spec.slaves.append(slave)
        for name, (value, where) in self.macs.items():
            conf = self.interface(name)
            if conf is not None:
                conf.mac = self.col.mac(value, where, self._spec_of(name))
                conf.origin["mac"] = where
        for name, mtu in self.mtus.items():
            conf = self.interface(name)
            if conf is not None:
                conf.mtu = self._mtu(mtu, self._spec_of(name))
        specs = list(self.bonds.values())
        if specs:
            specs[0].extras += [Extra("", text, where, "ip-command") for text, where in self.kept]
            specs[0].others += [OtherInterface("ip", name, None, conf.origin.get("interface"), "ip", conf)
                                for name, conf in self.plain.items() if name not in self.masters]
            specs[0].others += [OtherInterface("ip", name, None, where, "ip")
                                for name, where in self.others.items()]
        return specs

    def _mtu(self, mtu: tuple[str, Location], spec: BondSpec | None) -> int | None:
        text, where = mtu
        if text.isascii() and text.isdigit() and 68 <= int(text) <= 65535:
            return int(text)
        self.col.problem("bad-value", "formats.bad_mtu", where, spec, value=text)
        return None


def _pairs(words: list[str]) -> dict[str, str] | None:
    """``dev bond0 label bond0:1``: keyword and value pairs; None when they do not pair up."""
    if len(words) % 2:
        return None
    return dict(zip(words[::2], words[1::2], strict=True))


def _object(word: str) -> str | None:
    """The iproute2 object an abbreviation names (``a`` is address, ``r`` route, ``l`` link)."""
    return next((o for o in _OBJECTS if o.startswith(word)), None) if word else None


#: The options of ip(8) that take a value, by full name; ip takes any prefix of one (``-n`` is ``-netns``,
#: ``-b`` is ``-batch``, ``-f`` is ``-family``).
_VALUE_OPTIONS = ("-netns", "-batch", "-family", "-loops", "-rcvbuf")
#: Short flags ip matches before those prefixes (``-br`` is ``-brief``, ``-r`` is ``-resolve``).
_SHORT_FLAGS = {"-br", "-c", "-d", "-s", "-o", "-j", "-p", "-t", "-ts", "-r", "-a", "-h", "-N"}


def _global_options(words: list[str]) -> tuple[dict[str, str], list[str]] | None:
    """ip's options (``-n NS``, ``-netns NS``, ``-b FILE``, ``-6``, ``-d``...) and the words after them;
    None when an option that needs a value has none."""
    found: dict[str, str] = {}
    rest = list(words)
    while rest and rest[0].startswith("-") and len(rest[0]) > 1:
        option = rest.pop(0).split("=")[0]
        if option in _SHORT_FLAGS:
            continue
        name = next((full for full in _VALUE_OPTIONS if full.startswith(option) and len(option) > 1), None)
        if name is None:
            continue  # -4, -6, -force, -details, -json...: they change how ip prints, not what it makes
        if not rest:
            return None
        found[name] = rest.pop(0)
    if found.get("-family") in ("inet6", "inet", "link", "mpls", "bridge"):
        found.pop("-family")
    return found, rest


def parse(text: str, source: str = "bond0-ip.sh", notes: list[Note] | None = None) -> list[BondSpec]:
    """Bonds a script of ip commands builds; ``modprobe``, ``set -e`` and comments are passed over.

    A bond made in a network namespace (``ip -n NS``, ``ip -netns NS``, ``ip netns exec NS ip ...``, as
    the kernel's selftests write) is read with its namespace; each namespace has its own interfaces. A
    file of ``ip -batch`` lines (``link add bond0 type bond``, without ``ip``) is read the same way.
    """
    col = Collector(notes)
    scripts: dict[str, _Script] = {"": _Script(col)}
    first_seen: dict[str, Location] = {}
    for number, line in logical_lines(text, source):
        where = Location(source, number)
        words = shell_words(line, where)
        if words[:1] == ["sudo"]:
            words = words[1:]
        if not words or words[0] in ("set", "modprobe"):
            continue
        if words[0] != "ip" and batch_line(words):
            words = ["ip", *words]  # a line of an ip -batch file
        if words[0] != "ip":
            col.problem("unknown-command", "formats.ip.not_ip", where, text=line.strip()[:60])
            continue
        _line(words[1:], where, line, scripts, first_seen, "")
    specs: list[BondSpec] = []
    kept: list[tuple[str, Location]] = []
    plain: list[OtherInterface] = []
    for namespace, script in scripts.items():
        found = script.assemble()
        for spec in found:
            if namespace:
                spec.netns = namespace
                spec.origin["netns"] = first_seen[namespace]
        if not found:
            kept += script.kept
            # NICs given addresses where no bond is: written as plain NICs when that is the host's own
            # namespace, else kept and told (only as the commands of another namespace).
            plain += [OtherInterface("ip", name, None, conf.origin.get("interface"),
                                     "ip" if not namespace else "ip-netns", None if namespace else conf)
                      for name, conf in script.plain.items()]
        specs += found
    if specs:
        specs[0].extras += [Extra("", text, where, "ip-command") for text, where in kept]
        specs[0].others += plain
    return specs


def batch_line(words: list[str]) -> bool:
    """Whether a line reads as a line of an ip -batch file: an iproute2 object (in full, or as ip
    abbreviates it with two letters at least) and then a verb, so that a stray word is not taken for one."""
    return (len(words) > 1 and len(words[0]) > 1 and _object(words[0]) is not None
            and words[0] not in ("ip", "set") and words[1].isalpha())


def _line(words: list[str], where: Location, line: str, scripts: dict[str, _Script],
          first_seen: dict[str, Location], namespace: str) -> None:
    """One ip command (the words after ``ip``), in the namespace it names or ``namespace``."""
    parsed = _global_options(words)
    default = scripts[""]
    if parsed is None:
        default.col.problem("unknown-command", "formats.ip.unknown", where, text=line.strip()[:60])
        return
    options, words = parsed
    namespace = options.get("-netns", namespace)
    if "-batch" in options:
        default.keep(f"ip -batch {options['-batch']}", where)
        default.col.notice("outside-model", "formats.ip.batch", where, None, file=options["-batch"])
        return
    if words[:2] == ["netns", "exec"] and len(words) > 3:
        if words[3] == "ip":
            _line(words[4:], where, line, scripts, first_seen, words[2])
        else:
            default.keep(" ".join(["ip", *words]), where)
        return
    script = scripts.setdefault(namespace, _Script(default.col))
    first_seen.setdefault(namespace, where)
    obj = _object(words[0]) if words else None
    prefix = ["ip", "-n", namespace] if namespace else ["ip"]
    line_text = " ".join([*prefix, *words])
    if obj is None:
        script.col.problem("unknown-command", "formats.ip.unknown", where, text=line.strip()[:60])
    elif obj not in _READ_OBJECTS:
        script.keep(line_text, where)
    else:
        {"link": script.link, "address": script.address, "route": script.route}[obj](
            words[1:], where, line_text)
