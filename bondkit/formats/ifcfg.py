"""CentOS/RHEL network-scripts: ``ifcfg-bond0`` plus one ``ifcfg-<slave>`` per slave.

A bond is spread over files that point at each other by name (``MASTER=bond0``), so the parser reads a set
of files at once and joins them: the bond, its slaves, VLANs on it (``ifcfg-bond0.53``), a bridge it is a
port of (``BRIDGE=br0``), alias addresses (``ifcfg-bond0:1``) and ``route-<device>`` files. Most mistakes
live between files (a file saved under another interface's name, as the source tutorial does for the
server's enp0s8), and each is reported with the file and line it comes from. Values are shell words:
initscripts sources these files, and ignores keys it does not use, so a key bondkit does not model is
kept (and written back to ifcfg) rather than refused.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bondkit.errors import ConfigError
from bondkit.formats import losses
from bondkit.formats.common import Collector, is_v6, lines, shell_quote, shell_words, split_addresses
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

#: Keys this module reads into the model.
_READ = {"DEVICE", "TYPE", "BONDING_OPTS", "BONDING_MASTER", "MASTER", "SLAVE", "BOOTPROTO",
         "ONBOOT", "DEFROUTE", "GATEWAY", "IPV6INIT", "IPV6ADDR", "IPV6ADDR_SECONDARIES", "IPV6_DEFAULTGW",
         "MACADDR", "HWADDR", "MTU", "IPV6_MTU", "DOMAIN", "IPV6_DOMAIN", "IPV6_AUTOCONF", "DHCPV6C",
         "ETHTOOL_OPTS", "VLAN", "PHYSDEV", "VLAN_ID", "BRIDGE", "STP", "ZONE"}
_NUMBERED = re.compile(r"(IPADDR|PREFIX|NETMASK)([0-9]{0,3})")
_DNS = re.compile(r"DNS[0-9]{1,2}")
#: IPv6 addresses as SUSE's sysconfig and cloud-init write them: IPADDR6 (which _NUMBERED also matches,
#: told apart by its value), IPADDR6_1, IPADDR6_2...
_IPADDR6 = re.compile(r"IPADDR6_[0-9]{1,3}")
#: initscripts' range files (ifcfg-bond0-range0): IPADDR_START to IPADDR_END, one alias each.
_RANGE_FILE = re.compile(r"ifcfg-(.+)-range[0-9]*")
_RANGE_KEYS = frozenset({"IPADDR_START", "IPADDR_END", "CLONENUM_START", "NO_ALIASROUTING", "ARPCHECK"})
#: The most addresses a range file may give (ifup-aliases has no limit; a typo in IPADDR_END should not
#: become a million addresses).
MAX_RANGE = 256
#: SUSE's own keys: its ifcfg-bonding(5) files look like Red Hat's but are read by wicked, not initscripts.
_SUSE_SLAVE = re.compile(r"BONDING_SLAVE_?[0-9]+")
#: Keys that carry no meaning of their own once the files are joined (names, ids, values derived from
#: others): read, and never reported.
_STRUCTURAL = {"NAME", "UUID", "NETWORK", "BROADCAST", "MASTER_UUID", "BRIDGE_UUID", "NM_CONTROLLED"}
#: Keys whose value here is the tool's default: nothing is lost when they are not written.
_DEFAULTS = {"USERCTL": "no", "PEERDNS": "yes", "PEERROUTES": "yes", "IPV4_FAILURE_FATAL": "no",
             "IPV6_FAILURE_FATAL": "no", "HOTPLUG": "yes", "PROXY_METHOD": "none", "BROWSER_ONLY": "no",
             "IPV6_PEERDNS": "yes", "IPV6_PEERROUTES": "yes", "IPV6_DEFROUTE": "yes", "IPV6FORWARDING": "no",
             "NOZEROCONF": "no", "ARPCHECK": "yes", "AUTOCONNECT_SLAVES": "no"}
#: Keys that only act on what a DHCP client learns.
_DHCP_ONLY = {"PEERDNS", "PEERROUTES", "IPV6_PEERDNS", "IPV6_PEERROUTES", "DHCP_HOSTNAME",
              "PERSISTENT_DHCLIENT", "DHCP_CLIENT_ID", "DHCPV6_DUID", "DHCP_SEND_HOSTNAME"}
_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)")
_ROUTE_FILE = re.compile(r"route(6?)-(.+)")
_OPTION_NAME = re.compile(r"[a-z0-9_]+")
_ROUTE_KEY = re.compile(r"(ADDRESS|NETMASK|PREFIX|GATEWAY|METRIC|OPTIONS)([0-9]{1,3})")
_VLAN_NAME = re.compile(r"(.+)\.([0-9]{1,4})")
_YES = ("yes", "true", "y", "1")


@dataclass
class _File:
    """One ifcfg file: its values with the line each was read from."""

    source: str
    values: dict[str, tuple[str, Location]]
    first: Location
    #: Keys set twice, told once the file's bond is known.
    duplicates: list[Note] = field(default_factory=list)

    @property
    def base(self) -> str:
        return os.path.basename(self.source)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values[key][0] if key in self.values else default

    def yes(self, key: str, default: bool = False) -> bool:
        return str(self.get(key, "yes" if default else "no")).lower() in _YES

    def where(self, key: str) -> Location:
        return self.values[key][1] if key in self.values else self.first

    def device(self) -> str | None:
        """The interface this file configures: DEVICE, else the file name, else NAME (as initscripts)."""
        if self.get("DEVICE"):
            return self.get("DEVICE")
        if self.base.startswith("ifcfg-") and len(self.base) > 6:
            return self.base[6:]
        return self.get("NAME") or None

    def kind(self) -> str:
        return str(self.get("TYPE", "")).lower()

    def is_bond(self) -> bool:
        return (self.kind() in ("bond", "bonding") or "BONDING_OPTS" in self.values
                or self.yes("BONDING_MASTER"))

    def is_vlan(self) -> bool:
        return self.kind() == "vlan" or self.yes("VLAN")

    def is_bridge(self) -> bool:
        return self.kind() == "bridge"


def _read(text: str, source: str) -> _File:
    """KEY=value lines as bash reads them; anything else is an error at its line."""
    values: dict[str, tuple[str, Location]] = {}
    first = None
    duplicates: list[Note] = []
    for number, line in enumerate(lines(text, source), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = Location(source, number)
        first = first or where
        match = _LINE.fullmatch(stripped)
        if not match:
            raise ConfigError("formats.ifcfg.bad_line", source=source, line=number, text=stripped[:60])
        key, raw = match.groups()
        words = shell_words(raw, where)
        if len(words) > 1 and all(_LINE.fullmatch(w) for w in words[1:]):
            # ``BONDING_OPTS=mode=1 miimon=100``: bash reads two assignments, and miimon=100 is lost.
            duplicates.append(Note("unquoted-space", "formats.ifcfg.unquoted_assignments", where,
                                   {"setting": key, "value": words[0], "rest": " ".join(words[1:])}))
            words = words[:1]
        elif len(words) > 1:
            raise ConfigError("formats.ifcfg.unquoted_space", source=source, line=number, setting=key)
        if key in values:
            duplicates.append(Note("duplicate-key", "formats.ifcfg.duplicate_key", where,
                                   {"setting": key, "first": values[key][1].line}))
        values[key] = (words[0] if words else "", where)
    return _File(source, values, first or Location(source, 1), duplicates)


def _is_read(key: str) -> bool:
    return bool(key in _READ or _NUMBERED.fullmatch(key) or _DNS.fullmatch(key) or _IPADDR6.fullmatch(key))


def _keep_extras(f: _File, holder: IPConfig | SlaveSpec, col: Collector, spec: BondSpec | None,
                 also_read: frozenset[str] = frozenset()) -> None:
    """Keys outside the model: kept on ``holder`` and told as info (a near miss of a read key as a
    warning, since initscripts ignores a misspelt key without a word)."""
    for key, (value, where) in f.values.items():
        if _is_read(key) or key in also_read or key in _STRUCTURAL:
            continue
        if key in _DEFAULTS and value.lower() == _DEFAULTS[key]:
            continue
        if key in _DHCP_ONLY and not (isinstance(holder, IPConfig) and (holder.dhcp4 or holder.dhcp6)):
            continue  # what DHCP may set means nothing on an interface that runs no DHCP client
        holder.extras.append(Extra(key, value, where, "ifcfg"))
        close = difflib.get_close_matches(key, sorted(_READ | {"IPADDR", "PREFIX", "NETMASK"}), n=1,
                                          cutoff=0.85)
        if close:
            col.notice("misspelt-key", "formats.ifcfg.unknown_key", where, spec, setting=key, hint=close[0])
        else:
            col.notice("outside-model", "formats.ifcfg.outside_model", where, spec, setting=key,
                       interface=f.device() or f.base)


def parse(files: str | Mapping[str, str], source: str = "ifcfg-bond0",
          notes: list[Note] | None = None) -> list[BondSpec]:
    """Bonds from ifcfg files: one text (named ``source``) or ``{path: text}`` for a set of files.

    With ``notes`` given, problems are collected there for lint instead of raised.
    """
    col = Collector(notes)
    texts = {source: files} if isinstance(files, str) else dict(files)
    routes = {path: text for path, text in texts.items() if _ROUTE_FILE.fullmatch(os.path.basename(path))}
    configs = [_read(text, path) for path, text in texts.items() if path not in routes]
    masters = {str(f.get("MASTER")) for f in configs if f.get("MASTER")}
    _refuse_suse(configs, masters)
    ranges = [f for f in configs if _RANGE_FILE.fullmatch(f.base) and not f.get("DEVICE")]
    configs = [f for f in configs if f not in ranges]
    bonds: dict[str, BondSpec] = {}
    for f in configs:
        if f.is_bond() or (f.device() in masters and not f.is_bridge() and not f.is_vlan()
                           and not f.get("MASTER")):
            _add_bond(f, bonds, col, {str(c.device()) for c in configs if c.get("MASTER") == f.device()})
    for f in configs:
        for note in f.duplicates:
            col.notice(note.rule, note.key, note.where, bonds.get(f.device() or "")
                       or bonds.get(str(f.get("MASTER"))), **note.params)
    enslaved: dict[str, str] = {}
    for f in configs:
        if f.get("MASTER") and not f.is_bond():
            _add_slave(f, bonds, enslaved, col)
    for f in configs:
        if f.is_vlan() and not f.is_bond():
            _add_vlan(f, bonds, col)
    for f in configs:
        if f.is_bridge():
            _add_bridge(f, bonds, col)
    parents = {f.device(): f for f in configs}
    for f in configs:
        device = f.device() or ""
        if ":" in device and device.split(":")[0] in bonds:
            _add_alias(f, bonds[device.split(":")[0]], parents.get(device.split(":")[0]), col)
        elif ":" in device and device.split(":")[0] not in parents:
            col.problem("orphan-alias", "formats.ifcfg.alias_alone", f.where("DEVICE"), file=f.base,
                        parent=device.split(":")[0])
    for f in ranges:
        match = _RANGE_FILE.fullmatch(f.base)
        assert match is not None  # ranges holds only the names that match
        if match.group(1) in bonds:
            _add_range(f, bonds[match.group(1)], parents.get(match.group(1)), col)
        elif bonds:  # a range of another interface: kept as written, as that interface's file is
            first = next(iter(bonds.values()))
            first.others.append(OtherInterface("ifcfg", f.base[6:], texts[f.source], f.first, "ifcfg"))
    for f in configs:
        _check_file_name(f, bonds, col)
    if bonds:
        _keep_others(configs, bonds, texts, col)
    devices = {name: (conf, spec) for spec in bonds.values() for name, conf in spec.interfaces()}
    for path in sorted(routes, key=os.path.basename):
        route_file = _ROUTE_FILE.fullmatch(os.path.basename(path))
        assert route_file is not None  # routes holds only the names that match
        device = route_file.group(2)
        if device in devices:
            conf, spec = devices[device]
            _read_routes(path, routes[path], device, conf, spec, col)
    return list(bonds.values())


def _add_bond(f: _File, bonds: dict[str, BondSpec], col: Collector, ports: set[str]) -> None:
    device = f.device()
    if device is None:
        col.problem("bad-value", "formats.ifcfg.no_device", f.first)
        return
    if device in bonds:
        col.problem("duplicate-device", "formats.duplicate_device", f.where("DEVICE"), bonds[device],
                    name=device, first=str(bonds[device].origin["bond"]))
        return
    spec = BondSpec(name=device, mode="balance-rr")
    spec.origin["bond"] = f.where("DEVICE")
    col.ifname(device, f.where("DEVICE"), spec)
    if not f.is_bond():
        col.notice("implied-bond", "formats.ifcfg.implied_bond", f.where("DEVICE"), spec, bond=device,
                   file=f.base)
    if "BONDING_OPTS" in f.values:
        _bonding_opts(spec, *f.values["BONDING_OPTS"], col)
    _read_ip(f, spec, spec, col)
    if f.get("ETHTOOL_OPTS"):
        spec.ethtool_opts = f.get("ETHTOOL_OPTS")
        spec.origin["ethtool_opts"] = f.where("ETHTOOL_OPTS")
    # cloud-init lists the slaves in the bond's file too (BONDING_SLAVE0=...); initscripts reads them from
    # the slaves' MASTER=, so a name that is one of those says nothing more.
    listed = {key for key in f.values if _SUSE_SLAVE.fullmatch(key) and f.get(key) in ports}
    _keep_extras(f, spec, col, spec, frozenset({"BRIDGE"} | listed))
    bonds[device] = spec
    if f.get("BRIDGE"):
        spec.bridge = BridgeSpec(name=str(f.get("BRIDGE")))
        spec.bridge.origin["interface"] = f.where("BRIDGE")


def _read_ip(f: _File, conf: IPConfig, spec: BondSpec, col: Collector) -> None:
    """What every interface file may say about IP: addresses, gateway, DHCP, DNS, MTU, MAC, ONBOOT."""
    bootproto = str(f.get("BOOTPROTO", "none")).lower()
    if bootproto not in ("none", "static", "", "dhcp", "bootp", "ibft"):
        col.problem("bad-value", "formats.ifcfg.bad_bootproto", f.where("BOOTPROTO"), spec, value=bootproto)
    conf.dhcp4 = bootproto in ("dhcp", "bootp")
    if conf.dhcp4:
        conf.origin["dhcp4"] = f.where("BOOTPROTO")
        conf.never_default = str(f.get("DEFROUTE", "yes")).lower() == "no"
        conf.origin["never_default"] = f.where("DEFROUTE")
    conf.autoconnect = f.yes("ONBOOT", True)
    conf.origin["autoconnect"] = f.where("ONBOOT")
    _read_addresses(f, conf, spec, col)
    ipv6 = f.yes("IPV6INIT")
    if ipv6 and f.yes("DHCPV6C"):
        conf.dhcp6 = True
        conf.origin["dhcp6"] = f.where("DHCPV6C")
    if "IPV6_AUTOCONF" in f.values:
        conf.accept_ra = f.yes("IPV6_AUTOCONF")
        conf.origin["accept_ra"] = f.where("IPV6_AUTOCONF")
    gateway = f.get("GATEWAY") or f.get("IPV6_DEFAULTGW")
    if gateway:
        key = "GATEWAY" if f.get("GATEWAY") else "IPV6_DEFAULTGW"
        if str(f.get("DEFROUTE", "yes")).lower() == "no":
            col.notice("gateway-ignored", "formats.ifcfg.gateway_ignored", f.where(key), spec, setting=key)
        else:
            conf.gateway = col.ip(gateway.split("%")[0], f.where(key), spec)
            conf.origin["gateway"] = f.where(key)
    dns = sorted((int(key[3:]), key) for key in f.values if _DNS.fullmatch(key))
    for _, key in dns:
        server = col.ip(str(f.get(key)), f.where(key), spec)
        if server:
            conf.nameservers.append(server)
            conf.origin.setdefault("nameservers", f.where(key))
    for key in ("DOMAIN", "IPV6_DOMAIN"):  # NetworkManager's ifcfg-rh reads IPV6_DOMAIN for IPv6's search
        for domain in str(f.get(key) or "").split():
            if domain not in conf.search:
                conf.search.append(domain)
                conf.origin.setdefault("search", f.where(key))
    if f.get("MTU"):
        conf.mtu = _mtu(f, spec, col)
        conf.origin["mtu"] = f.where("MTU")
    if f.get("IPV6_MTU"):
        conf.ipv6_mtu = _mtu(f, spec, col, "IPV6_MTU")
        conf.origin["ipv6_mtu"] = f.where("IPV6_MTU")
    if f.get("MACADDR"):
        conf.mac = col.mac(str(f.get("MACADDR")), f.where("MACADDR"), spec)
        conf.origin["mac"] = f.where("MACADDR")
    if f.get("ZONE"):
        conf.zone = f.get("ZONE")
        conf.origin["zone"] = f.where("ZONE")


def _mtu(f: _File, spec: BondSpec | None, col: Collector, key: str = "MTU") -> int | None:
    text = str(f.get(key))
    low = 1280 if key == "IPV6_MTU" else 68  # IPv6 needs 1280 bytes (RFC 8200)
    if text.isascii() and text.isdigit() and low <= int(text) <= 65535:
        return int(text)
    col.problem("bad-value", "formats.bad_mtu", f.where(key), spec, value=text)
    return None


def _bonding_opts(spec: BondSpec, value: str, where: Location, col: Collector) -> None:
    """``mode=1 miimon=100 arp_ip_target=+10.0.0.1``: numbers become words, targets add up."""
    targets: list[str] = []
    for token in value.split():
        name, sep, arg = token.partition("=")
        if not sep or not _OPTION_NAME.fullmatch(name):
            col.problem("bad-value", "formats.ifcfg.bad_option", where, spec, token=token)
        elif name == "arp_ip_target":
            targets.extend(t.lstrip("+") for t in arg.split(",") if t and not t.startswith("-"))
        else:
            col.set_option(spec, name, arg, where)
    if targets:
        col.set_option(spec, "arp_ip_target", targets, where)


def _read_addresses(f: _File, conf: IPConfig, spec: BondSpec, col: Collector,
                    parent: _File | None = None) -> None:
    """IPADDR/PREFIX (or NETMASK), IPADDRn/PREFIXn..., then IPV6ADDR and IPV6ADDR_SECONDARIES, and the
    IPv6 addresses SUSE and cloud-init write as IPADDR6, IPADDR6_n. An alias file (``parent`` given)
    takes the parent's PREFIX or NETMASK when it has none, as ifup-aliases does."""
    numbered = sorted((int(m.group(2) or -1), m.group(2)) for key in f.values
                      if (m := _NUMBERED.fullmatch(key)) and m.group(1) == "IPADDR")
    later: list[tuple[str, str]] = []
    for _, suffix in numbered:
        where = f.where(f"IPADDR{suffix}")
        if ":" in str(f.get(f"IPADDR{suffix}")):
            later.append((str(f.get(f"IPADDR{suffix}")), f"IPADDR{suffix}"))
            continue
        prefix, mask = f.get(f"PREFIX{suffix}"), f.get(f"NETMASK{suffix}")
        if parent is not None and not prefix and not mask:
            prefix, mask = parent.get("PREFIX"), parent.get("NETMASK")
        if not prefix and mask:
            try:
                prefix = str(ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen)
            except ValueError:
                col.problem("bad-value", "formats.bad_netmask", f.where(f"NETMASK{suffix}"), spec, value=mask)
                continue
        if not prefix:
            col.problem("bad-value", "formats.ifcfg.no_prefix", where, spec, setting=f"IPADDR{suffix}")
            continue
        address = col.address(f"{f.get(f'IPADDR{suffix}')}/{prefix}", where, spec)
        if address:
            conf.addresses.append(address)
            conf.origin.setdefault("addresses", where)
    v6 = [(a, "IPV6ADDR") for a in str(f.get("IPV6ADDR", "")).split()]
    v6 += [(a, "IPV6ADDR_SECONDARIES") for a in str(f.get("IPV6ADDR_SECONDARIES", "")).split()] + later
    v6 += [(str(f.get(key)), key) for key in sorted(f.values, key=lambda k: (len(k), k))
           if _IPADDR6.fullmatch(key)]
    for text, key in v6:
        address = col.address(text, f.where(key), spec)
        if address in conf.addresses:
            continue  # cloud-init writes the first IPv6 address twice, as IPV6ADDR and as IPADDR6
        if address:
            conf.addresses.append(address)
            conf.origin.setdefault("addresses", f.where(key))


def _add_slave(f: _File, bonds: dict[str, BondSpec], enslaved: dict[str, str], col: Collector) -> None:
    master, where, device = str(f.get("MASTER")), f.where("MASTER"), f.device()
    spec = bonds.get(master)
    if spec is None:
        if not col.ifname(master, where):
            return
        if str(f.get("NM_CONTROLLED", "yes")).lower() not in ("no", "n", "false", "0"):
            # NetworkManager reads this file (NM_CONTROLLED is not "no"): a port whose controller has no
            # connection waits for it, and never comes up.
            col.problem("orphan-slave", "formats.ifcfg.no_bond_file", where, slave=device, bond=master)
            return
        # initscripts makes the bond from its slaves alone (ifup-eth loads the driver and creates it).
        spec = bonds[master] = BondSpec(name=master, mode="balance-rr")
        spec.origin["bond"] = where
        col.notice("bond-from-slaves", "formats.ifcfg.bond_from_slaves", where, spec, slave=device,
                   bond=master)
    if device is None or not col.ifname(device, f.where("DEVICE"), spec):
        return
    if not f.yes("SLAVE"):
        col.notice("slave-not-marked", "formats.ifcfg.slave_not_marked", where, spec, slave=device)
    if device in enslaved:
        col.problem("duplicate-slave", "formats.duplicate_slave", where, spec, slave=device,
                    bond=enslaved[device])
        return
    enslaved[device] = master
    if f.get("BRIDGE"):
        # ifup-eth enslaves a port and stops before BRIDGE; NetworkManager ignores it beside MASTER too.
        col.notice("bridge-ignored", "formats.ifcfg.bridge_and_master", f.where("BRIDGE"), spec, slave=device,
                   bond=master, bridge=f.get("BRIDGE"))
    slave = SlaveSpec(device, origin=where)
    if f.kind() == "infiniband":
        slave.kind = "infiniband"
    if f.get("MACADDR"):
        slave.mac = col.mac(str(f.get("MACADDR")), f.where("MACADDR"), spec)
    if f.get("HWADDR"):
        slave.hwaddr = col.mac(str(f.get("HWADDR")), f.where("HWADDR"), spec, hardware=True)
    if f.get("MTU"):
        slave.mtu = _mtu(f, spec, col)
    slave.ethtool_opts = f.get("ETHTOOL_OPTS") or None
    # A slave's address settings mean nothing once it is enslaved; its BOOTPROTO and ONBOOT are implied.
    _keep_extras(f, slave, col, spec, frozenset({"BOOTPROTO", "ONBOOT"}))
    if f.get("PHYSDEV"):  # an IPoIB partition port (PKEY=yes) names its parent HCA port: kept as written
        slave.extras.append(Extra("PHYSDEV", str(f.get("PHYSDEV")), f.where("PHYSDEV"), "ifcfg"))
        col.notice("outside-model", "formats.ifcfg.outside_model", f.where("PHYSDEV"), spec,
                   setting="PHYSDEV", interface=device)
    spec.slaves.append(slave)


def _parent_of(f: _File) -> tuple[str | None, int | None]:
    """A VLAN's parent and id: PHYSDEV and VLAN_ID (NetworkManager), else the name ``bond0.53``."""
    device = f.device() or ""
    match = _VLAN_NAME.fullmatch(device)
    parent = f.get("PHYSDEV") or (match.group(1) if match else None)
    text = f.get("VLAN_ID") or (match.group(2) if match else None)
    if text is None and device.startswith("vlan") and device[4:].isdigit():
        text = device[4:]
    return parent, int(text) if text and text.isdigit() else None


def _add_vlan(f: _File, bonds: dict[str, BondSpec], col: Collector) -> None:
    parent, vid = _parent_of(f)
    spec = bonds.get(parent or "")
    if spec is None:
        return
    name = f.device() or ""
    if not col.ifname(name, f.where("DEVICE"), spec):
        return
    if vid is None or not 0 < vid < 4095:
        col.problem("bad-value", "formats.bad_vlan_id", f.where("VLAN_ID"), spec, name=name)
        return
    vlan = VlanSpec(name=name, id=vid)
    vlan.origin["interface"] = f.where("DEVICE")
    _read_ip(f, vlan, spec, col)
    _keep_extras(f, vlan, col, spec)
    spec.vlans.append(vlan)


def _add_bridge(f: _File, bonds: dict[str, BondSpec], col: Collector) -> None:
    name = f.device()
    for spec in bonds.values():
        if spec.bridge and spec.bridge.name == name:
            bridge = spec.bridge
            bridge.origin["interface"] = f.where("DEVICE")
            _read_ip(f, bridge, spec, col)
            if "STP" in f.values:
                bridge.stp = f.yes("STP")
                bridge.origin["stp"] = f.where("STP")
            _keep_extras(f, bridge, col, spec)


def _keep_others(configs: list[_File], bonds: dict[str, BondSpec], texts: Mapping[str, str],
                 col: Collector) -> None:
    """Files of the same directory that are no part of any bond (the management NIC, loopback aside):
    kept on the first bond, a plain ethernet interface read so that every format can write it."""
    spec = next(iter(bonds.values()))
    taken = {name for bond in bonds.values() for name, _ in bond.interfaces()}
    taken |= {slave.name for bond in bonds.values() for slave in bond.slaves}
    for f in configs:
        device = f.device() or ""
        if device in taken or device == "lo" or device.split(":")[0] in bonds or f.get("MASTER") \
                or ":" in device and device.split(":")[0] not in {c.device() for c in configs}:
            continue
        other = OtherInterface("ifcfg", device, texts[f.source], f.first, "ifcfg")
        if not (f.is_bond() or f.is_vlan() or f.is_bridge()) and f.kind() in ("", "ethernet") \
                and ":" not in device and not f.get("BRIDGE"):
            conf = EthernetSpec(name=device)
            conf.origin["interface"] = f.where("DEVICE")
            _read_ip(f, conf, spec, col)
            if f.get("HWADDR"):
                conf.hwaddr = col.mac(str(f.get("HWADDR")), f.where("HWADDR"), spec, hardware=True)
            _keep_extras(f, conf, col, spec)
            other.conf = conf
        spec.others.append(other)


def _add_alias(f: _File, spec: BondSpec, parent: _File | None, col: Collector) -> None:
    """``ifcfg-bond0:1`` adds an address to bond0 under a label; the address is carried, not the label."""
    conf = IPConfig()
    _read_addresses(f, conf, spec, col, parent)
    spec.addresses += [address for address in conf.addresses if address not in spec.addresses]
    col.notice("alias-file", "formats.ifcfg.alias", f.first, spec, file=f.base, bond=spec.name)


def _add_range(f: _File, spec: BondSpec, parent: _File | None, col: Collector) -> None:
    """``ifcfg-bond0-range0``: IPADDR_START to IPADDR_END, each an alias address of bond0."""
    start, end = f.get("IPADDR_START"), f.get("IPADDR_END")
    where = f.where("IPADDR_START")
    prefix = f.get("PREFIX") or (parent.get("PREFIX") if parent else None)
    mask = f.get("NETMASK") or (parent.get("NETMASK") if parent else None)
    try:
        first, last = ipaddress.IPv4Address(str(start)), ipaddress.IPv4Address(str(end))
        if not prefix and mask:
            prefix = str(ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen)
    except ValueError:
        col.problem("bad-value", "formats.ifcfg.bad_range", where, spec, file=f.base)
        return
    if not prefix or not 0 <= int(last) - int(first) < MAX_RANGE:
        col.problem("bad-value", "formats.ifcfg.bad_range", where, spec, file=f.base)
        return
    for number in range(int(first), int(last) + 1):
        address = col.address(f"{ipaddress.IPv4Address(number)}/{prefix}", where, spec)
        if address and address not in spec.addresses:
            spec.addresses.append(address)
    col.notice("alias-file", "formats.ifcfg.range", where, spec, file=f.base, bond=spec.name,
               count=int(last) - int(first) + 1)
    _keep_extras(f, spec, col, spec, _RANGE_KEYS | {"ONPARENT", "ONBOOT", "BOOTPROTO"})


def _refuse_suse(configs: list[_File], masters: set[str]) -> None:
    """SUSE's sysconfig (ifcfg-bonding(5), read by wicked) names the options in BONDING_MODULE_OPTS and the
    slaves in the bond's own file (BONDING_SLAVE0=...), keys Red Hat's network-scripts do not read: read as
    Red Hat files it would be a bond with no options and no slaves, so it is refused at that line."""
    for f in configs:
        key = "BONDING_MODULE_OPTS" if "BONDING_MODULE_OPTS" in f.values else None
        if key is None and f.device() not in masters:
            key = next((k for k in f.values if _SUSE_SLAVE.fullmatch(k)), None)
        if key:
            raise ConfigError("formats.ifcfg.suse", source=f.source, line=f.where(key).line, setting=key,
                              bond=f.device() or f.base)


def _check_file_name(f: _File, bonds: dict[str, BondSpec], col: Collector) -> None:
    """``ifcfg-X`` should configure X: a file saved under another name is overwritten by the real one."""
    if not f.base.startswith("ifcfg-") or _RANGE_FILE.fullmatch(f.base) and not f.get("DEVICE"):
        return
    suffix = f.base[6:]
    if f.get("NAME") == suffix and f.get("DEVICE"):
        return  # NetworkManager names the file after the connection (ifcfg-bond-slave-ens1f0)
    field = "DEVICE" if f.get("DEVICE") else None
    if field is None and f.get("NAME") and f.get("NAME") != suffix and not f.get("HWADDR"):
        field = "NAME"
    if field and f.get(field) != suffix:
        owner = bonds.get(f.get("MASTER") or f.device() or "")
        col.notice("file-name-mismatch", "formats.ifcfg.name_mismatch", f.where(field), owner,
                   file=f.base, field=field, value=f.get(field))


def _read_routes(path: str, text: str, device: str, conf: IPConfig, spec: BondSpec, col: Collector) -> None:
    """``route-bond0``: ``DEST via GW [dev bond0] [metric N] [table T] [onlink]`` lines, or the
    ADDRESSn/PREFIXn (NETMASKn)/GATEWAYn/METRICn keys."""
    keyed: dict[str, tuple[str, Location]] = {}
    for number, line in enumerate(lines(text, path), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = Location(path, number)
        match = _LINE.fullmatch(stripped)
        if match and _ROUTE_KEY.fullmatch(match.group(1)):
            words = shell_words(match.group(2), where)
            keyed[match.group(1)] = (words[0] if words else "", where)
            continue
        route = _route_line(shell_words(stripped, where), device, where, spec, col)
        if route:
            _add_route(conf, route, where, spec, col)
    for n in sorted({key[7:] for key in keyed if key.startswith("ADDRESS")}, key=int):
        address, where = keyed[f"ADDRESS{n}"]
        prefix = keyed.get(f"PREFIX{n}", ("", where))[0]
        mask = keyed.get(f"NETMASK{n}", ("", where))[0]
        if not prefix and mask:
            try:
                prefix = str(ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen)
            except ValueError:
                col.problem("bad-value", "formats.bad_netmask", where, spec, value=mask)
                continue
        metric = keyed.get(f"METRIC{n}", ("", where))[0]
        route = Route(f"{address}/{prefix or 32}", keyed.get(f"GATEWAY{n}", ("", where))[0] or None,
                      int(metric) if metric.isdigit() else None)
        if f"OPTIONS{n}" in keyed:
            options, at = keyed[f"OPTIONS{n}"]
            # Route files are rewritten from the model, so their extras are lost in every format.
            conf.extras.append(Extra(f"OPTIONS{n}", options, at, "ifcfg-route"))
            col.notice("outside-model", "formats.ifcfg.outside_model", at, spec, setting=f"OPTIONS{n}",
                       interface=device)
        _add_route(conf, route, where, spec, col)


def _route_line(words: list[str], device: str, where: Location, spec: BondSpec,
                col: Collector) -> Route | None:
    """One ``ip route`` style line, as initscripts hands it to ``ip route add``."""
    if not words:
        return None
    dest, rest = words[0], words[1:]
    if dest == "default":
        dest = "::/0" if any(is_v6(w) for w in rest) else "0.0.0.0/0"
    route = Route(dest)
    while rest:
        word = rest.pop(0)
        value = rest.pop(0) if rest and word in ("via", "dev", "metric", "table", "proto", "src",
                                                 "scope", "mtu", "realm") else None
        if word == "via" and value:
            route.via = value
        elif word == "dev" and value == device:
            continue
        elif word == "metric" and value and value.isdigit():
            route.metric = int(value)
        elif word == "table" and value and value.isdigit():
            route.table = int(value)
        elif word == "onlink":
            route.on_link = True
        elif word in ("proto", "src", "scope", "mtu", "realm") and value:
            spec.extras.append(Extra(f"{dest} {word}", value, where, "ifcfg-route"))
            col.notice("outside-model", "formats.ifcfg.outside_model", where, spec, setting=f"{word} {value}",
                       interface=device)
        else:
            col.problem("bad-value", "formats.ifcfg.route_syntax", where, spec, text=" ".join(words)[:60])
            return None
    return route


def _add_route(conf: IPConfig, route: Route, where: Location, spec: BondSpec, col: Collector) -> None:
    network = col.network(route.to, where, spec)
    hop = col.ip(route.via, where, spec) if route.via else None
    if network and (hop or not route.via):
        route.to, route.via = network, hop
        conf.routes.append(route)
        conf.origin.setdefault("routes", where)


# ---------------------------------------------------------------------------------------------- render


def render(spec: BondSpec, whole: bool = False) -> dict[str, str]:
    """``{file name: text}``: ifcfg-<bond>, one ifcfg-<slave> per slave, a file per VLAN and for the
    bridge, and route-<device> / route6-<device> for routes; with ``whole``, the other interfaces of the
    source files too (a plain NIC from its settings, an ifcfg file as it was)."""
    files = {f"ifcfg-{spec.name}": _bond_text(spec)}
    for slave in spec.slaves:
        files[f"ifcfg-{slave.name}"] = _slave_text(spec, slave)
    for vlan in spec.vlans:
        files[f"ifcfg-{vlan.name}"] = _vlan_text(spec, vlan)
    if spec.bridge:
        files[f"ifcfg-{spec.bridge.name}"] = _bridge_text(spec.bridge)
    for other in spec.others if whole else []:
        if other.conf is not None:
            files[f"ifcfg-{other.conf.name}"] = _ethernet_text(other.conf)
        elif other.fmt == "ifcfg" and isinstance(other.value, str):
            files[f"ifcfg-{other.name}"] = other.value
    for name, conf in spec.interfaces():
        if not whole and any(other.conf is conf for other in spec.others):
            continue
        routes = conf.route_list()
        for file, chosen in ((f"route-{name}", [r for r in routes if not is_v6(r.to)]),
                             (f"route6-{name}", [r for r in routes if is_v6(r.to)])):
            if chosen:
                files[file] = "".join(_route_text(name, route) for route in chosen)
    return files


def cannot_say(spec: BondSpec) -> list[losses.Loss]:
    """What ifcfg files cannot carry: netplan's renderer, members chosen by driver or name pattern."""
    found = losses.shared(spec, "ifcfg")
    if spec.renderer:
        found.append(losses.setting_lost(spec, "renderer", f"renderer: {spec.renderer}", "ifcfg",
                                         "formats.loss.renderer"))
    for slave in spec.slaves:
        for key, value in slave.match.items():
            found.append(losses.Loss(f"match: {key}: {value}", slave.origin, "ifcfg",
                                     "formats.loss.match", {"slave": slave.name}))
    return found


def _lines(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"{key}={shell_quote(value)}\n" for key, value in pairs)


def _extras(conf: IPConfig | SlaveSpec) -> list[tuple[str, str]]:
    return [(extra.setting, extra.value) for extra in conf.extras if extra.fmt == "ifcfg"]


def _ip_pairs(conf: IPConfig) -> list[tuple[str, str]]:
    pairs = [("BOOTPROTO", "dhcp" if conf.dhcp4 else "none"), ("ONBOOT", "yes" if conf.autoconnect else "no")]
    v4, v6 = split_addresses(conf.addresses)
    for index, address in enumerate(v4):
        ip, prefix = address.split("/")
        suffix = str(index) if index else ""
        pairs += [(f"IPADDR{suffix}", ip), (f"PREFIX{suffix}", prefix)]
    if v6 or conf.dhcp6 or conf.accept_ra:
        pairs.append(("IPV6INIT", "yes"))
    if conf.accept_ra is not None:
        pairs.append(("IPV6_AUTOCONF", "yes" if conf.accept_ra else "no"))
    if conf.dhcp6:
        pairs.append(("DHCPV6C", "yes"))
    if v6:
        pairs.append(("IPV6ADDR", v6[0]))
        if v6[1:]:
            pairs.append(("IPV6ADDR_SECONDARIES", " ".join(v6[1:])))
    if conf.gateway:
        pairs.append(("IPV6_DEFAULTGW" if is_v6(conf.gateway) else "GATEWAY", conf.gateway))
    takes_default = conf.gateway or (conf.dhcp4 and not conf.never_default)
    pairs.append(("DEFROUTE", "yes" if takes_default else "no"))
    pairs += [(f"DNS{n}", server) for n, server in enumerate(conf.nameservers, 1)]
    if conf.search:
        pairs.append(("DOMAIN", " ".join(conf.search)))
    if conf.mtu:
        pairs.append(("MTU", str(conf.mtu)))
    if conf.ipv6_mtu:
        pairs.append(("IPV6_MTU", str(conf.ipv6_mtu)))
    if conf.mac:
        pairs.append(("MACADDR", conf.mac))
    if conf.zone:
        pairs.append(("ZONE", conf.zone))
    return pairs


def _bond_text(spec: BondSpec) -> str:
    options = [f"{name}={value}" for name, value in spec.kernel_options()]
    options += [f"{name}={value}" for name, value in spec.unknown_options.items()]
    pairs = [("DEVICE", spec.name), ("NAME", spec.name), ("TYPE", "Bond"), ("BONDING_MASTER", "yes"),
             ("BONDING_OPTS", " ".join(options))]
    if spec.bridge:
        pairs.append(("BRIDGE", spec.bridge.name))
    pairs += _ip_pairs(spec)
    if spec.ethtool_opts:
        pairs.append(("ETHTOOL_OPTS", spec.ethtool_opts))
    return _lines(pairs + _extras(spec))


def _slave_text(spec: BondSpec, slave: SlaveSpec) -> str:
    kind = "InfiniBand" if slave.infiniband else "Ethernet"
    pairs = [("DEVICE", slave.name), ("NAME", slave.name), ("TYPE", kind), ("BOOTPROTO", "none"),
             ("ONBOOT", "yes" if spec.autoconnect else "no"), ("MASTER", spec.name), ("SLAVE", "yes")]
    if slave.mac:
        pairs.append(("MACADDR", slave.mac))
    if slave.hwaddr:
        pairs.append(("HWADDR", slave.hwaddr))
    if slave.mtu:
        pairs.append(("MTU", str(slave.mtu)))
    if slave.ethtool_opts:
        pairs.append(("ETHTOOL_OPTS", slave.ethtool_opts))
    return _lines(pairs + _extras(slave))


def _vlan_text(spec: BondSpec, vlan: VlanSpec) -> str:
    pairs = [("DEVICE", vlan.name), ("NAME", vlan.name), ("TYPE", "Vlan"), ("VLAN", "yes"),
             ("PHYSDEV", spec.name), ("VLAN_ID", str(vlan.id))]
    return _lines(pairs + _ip_pairs(vlan) + _extras(vlan))


def _bridge_text(bridge: BridgeSpec) -> str:
    pairs = [("DEVICE", bridge.name), ("NAME", bridge.name), ("TYPE", "Bridge")]
    if bridge.stp is not None:
        pairs.append(("STP", "yes" if bridge.stp else "no"))
    return _lines(pairs + _ip_pairs(bridge) + _extras(bridge))


def _ethernet_text(conf: EthernetSpec) -> str:
    pairs = [("DEVICE", conf.name), ("NAME", conf.name), ("TYPE", "Ethernet")]
    if conf.hwaddr:
        pairs.append(("HWADDR", conf.hwaddr))
    return _lines(pairs + _ip_pairs(conf) + _extras(conf))


def _route_text(device: str, route: Route) -> str:
    words = [route.to]
    if route.via:
        words += ["via", route.via]
    words += ["dev", device]
    if route.metric is not None:
        words += ["metric", str(route.metric)]
    if route.table is not None:
        words += ["table", str(route.table)]
    if route.on_link:
        words.append("onlink")
    return " ".join(words) + "\n"
