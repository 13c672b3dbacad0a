"""CentOS/RHEL network-scripts: ``ifcfg-bond0`` plus one ``ifcfg-<slave>`` per slave.

A bond is spread over files that point at each other by name (``MASTER=bond0``), so the parser reads a set
of files at once and joins them. Most mistakes live between files (a MASTER that names no bond, a file
saved under another interface's name, as the source tutorial does for the server's enp0s8), and each is
reported with the file and line it comes from. Values are shell words: initscripts sources these files.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bondkit.errors import ConfigError
from bondkit.formats.common import Collector, is_v6, lines, shell_quote, shell_words, split_addresses
from bondkit.spec import BondSpec, Location, Note, SlaveSpec

#: Keys this module reads.
_READ = {"DEVICE", "NAME", "TYPE", "BONDING_OPTS", "BONDING_MASTER", "MASTER", "SLAVE", "BOOTPROTO",
         "ONBOOT", "DEFROUTE", "GATEWAY", "IPV6INIT", "IPV6ADDR", "IPV6ADDR_SECONDARIES", "IPV6_DEFAULTGW",
         "MACADDR"}
_NUMBERED = re.compile(r"(IPADDR|PREFIX|NETMASK)([0-9]{0,3})")
#: Keys that are valid in network-scripts but say nothing about the bond: accepted and passed over.
_PASSED_OVER = {"UUID", "HWADDR", "NM_CONTROLLED", "USERCTL", "ZONE", "MTU", "PEERDNS", "PEERROUTES",
                "DOMAIN", "BROADCAST", "NETWORK", "METRIC", "PROXY_METHOD", "BROWSER_ONLY", "HOTPLUG",
                "LINKDELAY", "NOZEROCONF", "ARPCHECK", "ARPUPDATE", "PERSISTENT_DHCLIENT", "SRCADDR",
                "BRIDGE", "VLAN", "PHYSDEV", "SCOPE", "CONNECTED_MODE", "ONPARENT", "MASTER_UUID"}
_PASSED_OVER_PREFIXES = ("IPV6", "IPV4_", "DHCP", "DNS", "ETHTOOL", "PROXY_", "NM_", "AUTOCONNECT", "LLDP")
_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)")
_ROUTE_FILE = re.compile(r"route(6?)-(.+)")
_OPTION_NAME = re.compile(r"[a-z0-9_]+")
_ROUTE_KEY = re.compile(r"(ADDRESS|NETMASK|PREFIX|GATEWAY)[0-9]{1,3}")


@dataclass
class _File:
    """One ifcfg file: its values with the line each was read from."""

    source: str
    values: dict[str, tuple[str, Location]]
    first: Location

    @property
    def base(self) -> str:
        return os.path.basename(self.source)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values[key][0] if key in self.values else default

    def where(self, key: str) -> Location:
        return self.values[key][1] if key in self.values else self.first

    def device(self) -> str | None:
        """The interface this file configures: DEVICE, else the file name, else NAME (as initscripts)."""
        if self.get("DEVICE"):
            return self.get("DEVICE")
        if self.base.startswith("ifcfg-") and len(self.base) > 6:
            return self.base[6:]
        return self.get("NAME") or None

    def is_bond(self) -> bool:
        return (str(self.get("TYPE", "")).lower() == "bond" or "BONDING_OPTS" in self.values
                or str(self.get("BONDING_MASTER", "")).lower() == "yes")


def _read(text: str, source: str, col: Collector) -> _File:
    """KEY=value lines as bash reads them; anything else is an error at its line."""
    values: dict[str, tuple[str, Location]] = {}
    first = None
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
        if len(words) > 1:
            raise ConfigError("formats.ifcfg.unquoted_space", source=source, line=number, setting=key)
        if not (key in _READ or _NUMBERED.fullmatch(key) or key in _PASSED_OVER
                or key.startswith(_PASSED_OVER_PREFIXES)):
            col.problem("unknown-key", "formats.ifcfg.unknown_key", where, setting=key)
        if key in values:
            col.notice("duplicate-key", "formats.ifcfg.duplicate_key", where, setting=key,
                       first=values[key][1].line)
        values[key] = (words[0] if words else "", where)
    return _File(source, values, first or Location(source, 1))


def parse(files: str | Mapping[str, str], source: str = "ifcfg-bond0",
          notes: list[Note] | None = None) -> list[BondSpec]:
    """Bonds from ifcfg files: one text (named ``source``) or ``{path: text}`` for a set of files.

    With ``notes`` given, problems are collected there for lint instead of raised.
    """
    col = Collector(notes)
    texts = {source: files} if isinstance(files, str) else dict(files)
    routes = {path: text for path, text in texts.items() if _ROUTE_FILE.fullmatch(os.path.basename(path))}
    configs = [_read(text, path, col) for path, text in texts.items() if path not in routes]
    bonds: dict[str, BondSpec] = {}
    for f in configs:
        if f.is_bond():
            _add_bond(f, bonds, col)
    enslaved: dict[str, str] = {}
    for f in configs:
        if f.get("MASTER"):
            _add_slave(f, bonds, enslaved, col)
    for f in configs:
        _check_file_name(f, bonds, col)
    for path in sorted(routes, key=os.path.basename):
        device = _ROUTE_FILE.fullmatch(os.path.basename(path)).group(2)
        if device in bonds:
            _read_routes(path, routes[path], bonds[device], col)
    return list(bonds.values())


def _add_bond(f: _File, bonds: dict[str, BondSpec], col: Collector) -> None:
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
    if "BONDING_OPTS" in f.values:
        _bonding_opts(spec, *f.values["BONDING_OPTS"], col)
    bootproto = str(f.get("BOOTPROTO", "none")).lower()
    if bootproto not in ("none", "static", "", "dhcp", "bootp"):
        col.problem("bad-value", "formats.ifcfg.bad_bootproto", f.where("BOOTPROTO"), spec, value=bootproto)
    spec.dhcp4 = bootproto in ("dhcp", "bootp")
    _read_addresses(f, spec, col)
    gateway = f.get("GATEWAY") or f.get("IPV6_DEFAULTGW")
    if gateway:
        key = "GATEWAY" if f.get("GATEWAY") else "IPV6_DEFAULTGW"
        if str(f.get("DEFROUTE", "yes")).lower() == "no":
            col.notice("gateway-ignored", "formats.ifcfg.gateway_ignored", f.where(key), spec, setting=key)
        else:
            spec.gateway = col.ip(gateway, f.where(key), spec)
            spec.origin["gateway"] = f.where(key)
    bonds[device] = spec


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


def _read_addresses(f: _File, spec: BondSpec, col: Collector) -> None:
    """IPADDR/PREFIX (or NETMASK), IPADDRn/PREFIXn..., then IPV6ADDR and IPV6ADDR_SECONDARIES."""
    numbered = sorted((int(m.group(2) or -1), m.group(2)) for key in f.values
                      if (m := _NUMBERED.fullmatch(key)) and m.group(1) == "IPADDR")
    for _, suffix in numbered:
        where = f.where(f"IPADDR{suffix}")
        prefix, mask = f.get(f"PREFIX{suffix}"), f.get(f"NETMASK{suffix}")
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
            spec.addresses.append(address)
            spec.origin.setdefault("addresses", where)
    v6 = [(a, "IPV6ADDR") for a in str(f.get("IPV6ADDR", "")).split()]
    v6 += [(a, "IPV6ADDR_SECONDARIES") for a in str(f.get("IPV6ADDR_SECONDARIES", "")).split()]
    for text, key in v6:
        address = col.address(text, f.where(key), spec)
        if address:
            spec.addresses.append(address)


def _add_slave(f: _File, bonds: dict[str, BondSpec], enslaved: dict[str, str], col: Collector) -> None:
    master, where, device = str(f.get("MASTER")), f.where("MASTER"), f.device()
    spec = bonds.get(master)
    if spec is None:
        col.problem("orphan-slave", "formats.orphan_slave", where, slave=device, bond=master)
        return
    if device is None or not col.ifname(device, f.where("DEVICE"), spec):
        return
    if str(f.get("SLAVE", "")).lower() != "yes":
        col.notice("slave-not-marked", "formats.ifcfg.slave_not_marked", where, spec, slave=device)
    if device in enslaved:
        col.problem("duplicate-slave", "formats.duplicate_slave", where, spec, slave=device,
                    bond=enslaved[device])
        return
    enslaved[device] = master
    mac = col.mac(str(f.get("MACADDR")), f.where("MACADDR"), spec) if f.get("MACADDR") else None
    spec.slaves.append(SlaveSpec(device, mac, origin=where))


def _check_file_name(f: _File, bonds: dict[str, BondSpec], col: Collector) -> None:
    """``ifcfg-X`` should configure X: a file saved under another name is overwritten by the real one."""
    if not f.base.startswith("ifcfg-"):
        return
    suffix = f.base[6:]
    field = "DEVICE" if f.get("DEVICE") else "NAME" if f.get("NAME") else None
    if field and f.get(field) != suffix:
        owner = bonds.get(f.get("MASTER") or f.device() or "")
        col.notice("file-name-mismatch", "formats.ifcfg.name_mismatch", f.where(field), owner,
                   file=f.base, field=field, value=f.get(field))


def _read_routes(path: str, text: str, spec: BondSpec, col: Collector) -> None:
    """``route-bond0``: ``DEST via GW [dev bond0]`` lines, or ADDRESSn/PREFIXn (NETMASKn)/GATEWAYn keys."""
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
        words = shell_words(stripped, where)
        tail_ok = len(words) == 3 or words[3:] == ["dev", spec.name]
        if len(words) not in (3, 5) or words[1] != "via" or not tail_ok:
            col.problem("bad-value", "formats.ifcfg.route_syntax", where, spec, text=stripped[:60])
            continue
        dest = ("::/0" if is_v6(words[2]) else "0.0.0.0/0") if words[0] == "default" else words[0]
        _add_route(spec, dest, words[2], where, col)
    for n in sorted({key[7:] for key in keyed if key.startswith("ADDRESS")}, key=lambda n: int(n)):
        address, where = keyed[f"ADDRESS{n}"]
        prefix = keyed.get(f"PREFIX{n}", ("", where))[0]
        mask = keyed.get(f"NETMASK{n}", ("", where))[0]
        if not prefix and mask:
            try:
                prefix = str(ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen)
            except ValueError:
                col.problem("bad-value", "formats.bad_netmask", where, spec, value=mask)
                continue
        _add_route(spec, f"{address}/{prefix or 32}", keyed.get(f"GATEWAY{n}", ("", where))[0], where, col)


def _add_route(spec: BondSpec, dest: str, via: str, where: Location, col: Collector) -> None:
    network, hop = col.network(dest, where, spec), col.ip(via, where, spec)
    if network and hop:
        spec.routes.append((network, hop))
        spec.origin.setdefault("routes", where)


def render(spec: BondSpec) -> dict[str, str]:
    """``{file name: text}``: ifcfg-<bond>, one ifcfg-<slave> per slave, and route-<bond> for routes."""
    files = {f"ifcfg-{spec.name}": _bond_text(spec)}
    for slave in spec.slaves:
        files[f"ifcfg-{slave.name}"] = _slave_text(spec, slave)
    v4 = [r for r in spec.routes if not is_v6(r[0])]
    v6 = [r for r in spec.routes if is_v6(r[0])]
    for name, routes in ((f"route-{spec.name}", v4), (f"route6-{spec.name}", v6)):
        if routes:
            files[name] = _routes_text(spec, routes)
    return files


def _lines(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"{key}={shell_quote(value)}\n" for key, value in pairs)


def _bond_text(spec: BondSpec) -> str:
    options = [f"{name}={value}" for name, value in spec.kernel_options()]
    options += [f"{name}={value}" for name, value in spec.unknown_options.items()]
    pairs = [("DEVICE", spec.name), ("NAME", spec.name), ("TYPE", "Bond"), ("BONDING_MASTER", "yes"),
             ("BONDING_OPTS", " ".join(options)), ("BOOTPROTO", "dhcp" if spec.dhcp4 else "none"),
             ("ONBOOT", "yes")]
    v4, v6 = split_addresses(spec.addresses)
    for index, address in enumerate(v4):
        ip, prefix = address.split("/")
        suffix = str(index) if index else ""
        pairs += [(f"IPADDR{suffix}", ip), (f"PREFIX{suffix}", prefix)]
    if v6:
        pairs += [("IPV6INIT", "yes"), ("IPV6ADDR", v6[0])]
        if v6[1:]:
            pairs.append(("IPV6ADDR_SECONDARIES", " ".join(v6[1:])))
    if spec.gateway:
        pairs.append(("IPV6_DEFAULTGW" if is_v6(spec.gateway) else "GATEWAY", spec.gateway))
    pairs.append(("DEFROUTE", "yes" if spec.gateway else "no"))
    return _lines(pairs)


def _slave_text(spec: BondSpec, slave: SlaveSpec) -> str:
    pairs = [("DEVICE", slave.name), ("NAME", slave.name), ("TYPE", "Ethernet"), ("BOOTPROTO", "none"),
             ("ONBOOT", "yes"), ("MASTER", spec.name), ("SLAVE", "yes")]
    if slave.mac:
        pairs.append(("MACADDR", slave.mac))
    return _lines(pairs)


def _routes_text(spec: BondSpec, routes: list[tuple[str, str]]) -> str:
    return "".join(f"{dest} via {via} dev {spec.name}\n" for dest, via in routes)
