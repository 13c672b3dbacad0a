"""netplan v2 YAML: ``network.bonds`` with their ``parameters``, and the members under ``ethernets``.

netplan names bond options its own way (``mii-monitor-interval``, ``fail-over-mac-policy``); the table
below maps them to the kernel's names in both directions, so a spec read from CentOS files renders to the
YAML an Ubuntu host wants and back. The YAML is read node by node (``yaml.compose``), not with
``safe_load``, so that every value keeps its line for errors and lint, and so that an interface called
``on`` or ``1`` stays a name instead of becoming a boolean or a number.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from bondkit.errors import ConfigError
from bondkit.formats import losses
from bondkit.formats.common import Collector, lines
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

#: netplan parameter -> (kernel option, kind). Kinds: word, ms (netplan time, kernel milliseconds),
#: s (seconds), int, bool, list, name.
PARAMETERS: dict[str, tuple[str, str]] = {
    "mode": ("mode", "word"),
    "mii-monitor-interval": ("miimon", "ms"),
    "up-delay": ("updelay", "ms"),
    "down-delay": ("downdelay", "ms"),
    "fail-over-mac-policy": ("fail_over_mac", "word"),
    "primary": ("primary", "name"),
    "primary-reselect-policy": ("primary_reselect", "word"),
    "gratuitous-arp": ("num_grat_arp", "int"),
    "arp-interval": ("arp_interval", "ms"),
    "arp-ip-targets": ("arp_ip_target", "list"),
    "arp-validate": ("arp_validate", "word"),
    "arp-all-targets": ("arp_all_targets", "word"),
    "all-members-active": ("all_slaves_active", "bool"),
    "resend-igmp": ("resend_igmp", "int"),
    "learn-packet-interval": ("lp_interval", "s"),
    "transmit-hash-policy": ("xmit_hash_policy", "word"),
    "lacp-rate": ("lacp_rate", "word"),
    "ad-select": ("ad_select", "word"),
    "min-links": ("min_links", "int"),
    "packets-per-member": ("packets_per_slave", "int"),
}
#: Older spellings netplan still reads (the misspelt one is netplan's own, kept for old files).
ALIASES = {"all-slaves-active": "all-members-active", "packets-per-slave": "packets-per-member",
           "gratuitious-arp": "gratuitous-arp"}
KERNEL_TO_NETPLAN = {kernel: key for key, (kernel, _) in PARAMETERS.items()}
#: The kernel options netplan can carry (others, such as peer_notif_delay, are conversion losses).
SUPPORTED_OPTIONS = tuple(name for name in KERNEL_TO_NETPLAN if name != "mode")

_SECTIONS = {"version", "renderer", "ethernets", "bonds", "bridges", "vlans", "wifis", "tunnels", "vrfs",
             "modems", "nm-devices", "dummy-devices", "virtual-ethernets", "openvswitch"}
#: Keys every netplan device takes (netplan(5), "Common properties for all device types").
_COMMON = {"renderer", "dhcp4", "dhcp6", "ipv6-mtu", "ipv6-privacy", "link-local", "ignore-carrier",
           "critical", "dhcp-identifier", "dhcp4-overrides", "dhcp6-overrides", "accept-ra", "addresses",
           "ipv6-address-generation", "ipv6-address-token", "gateway4", "gateway6", "nameservers",
           "macaddress", "mtu", "optional", "optional-addresses", "activation-mode", "routes",
           "routing-policy", "neigh-suppress", "openvswitch", "networkmanager", "emit-lldp"}
#: Keys of physical devices (ethernets), of bonds, bridges and VLANs, besides the common ones.
_DEVICE_KEYS = {
    "ethernets": _COMMON | {"match", "set-name", "wakeonlan", "receive-checksum-offload",
                            "transmit-checksum-offload", "tcp-segmentation-offload",
                            "tcp6-segmentation-offload", "generic-segmentation-offload",
                            "generic-receive-offload", "large-receive-offload", "virtual-function-count",
                            "embedded-switch-mode", "delay-virtual-functions-rebind", "infiniband-mode",
                            "link"},
    "bonds": _COMMON | {"interfaces", "parameters"},
    "bridges": _COMMON | {"interfaces", "parameters"},
    "vlans": _COMMON | {"id", "link"},
}
_ROUTE_KEYS = {"to", "via", "from", "on-link", "metric", "type", "scope", "table", "mtu",
               "congestion-window", "advertised-receive-window"}
_MATCH_KEYS = {"name", "macaddress", "driver"}
#: A netplan time: systemd time spans (``100``, ``100ms``, ``1s``, ``15m``, ``1min 30s``).
_TIME_PART = re.compile(r"([0-9]{1,12})\s*(usec|us|msec|ms|seconds|second|sec|s|minutes|minute|min|m"
                        r"|hours|hour|hr|h|days|day|d)?")
_UNIT_MS = {"us": 0.001, "usec": 0.001, "ms": 1, "msec": 1, "s": 1000, "sec": 1000, "second": 1000,
            "seconds": 1000, "m": 60000, "min": 60000, "minute": 60000, "minutes": 60000, "h": 3600000,
            "hr": 3600000, "hour": 3600000, "hours": 3600000, "d": 86400000, "day": 86400000,
            "days": 86400000}
_DEFAULT_ROUTES = ("default", "0.0.0.0/0", "::/0")


def _where(node: yaml.Node, source: str) -> Location:
    return Location(source, node.start_mark.line + 1)


class _Reader:
    """Walks the composed YAML, turning wrong shapes into ConfigError at the node's line."""

    def __init__(self, source: str, col: Collector) -> None:
        self.source, self.col = source, col
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, message: str, **params: object) -> ConfigError:
        return ConfigError(message, source=self.source, line=node.start_mark.line + 1, **params)

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, "formats.netplan.want_mapping", setting=what)
        items: list[tuple[str, yaml.Node, yaml.Node]] = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "formats.netplan.want_mapping", setting=what)
            if key_node.value in seen:
                raise self.fail(key_node, "formats.netplan.duplicate_key", setting=key_node.value)
            seen.add(key_node.value)
            items.append((key_node.value, key_node, value_node))
        return items

    def unknown(self, key_node: yaml.Node, key: str, section: str, spec: BondSpec | None = None) -> None:
        self.col.problem("unknown-key", "formats.netplan.unknown_key", _where(key_node, self.source), spec,
                         setting=key, section=section)

    def scalar(self, node: yaml.Node, what: str) -> object:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "formats.netplan.want_scalar", setting=what)
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            raise self.fail(node, "formats.netplan.bad_scalar", setting=what, value=node.value,
                            tag=node.tag) from None

    def value(self, node: yaml.Node, what: str) -> object:
        """Any node as plain data, for settings kept as written: keys stay names, and a scalar YAML 1.1
        would read as a base-60 number (``52:54:00:12:34:00``, a MAC address) stays text, as netplan
        reads it."""
        if isinstance(node, yaml.MappingNode):
            return {self.text(k, what): self.value(v, what) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, what) for item in node.value]
        if ":" in str(node.value) and node.tag.endswith((":int", ":float")):
            return str(node.value)
        return self.scalar(node, what)

    def text(self, node: yaml.Node, what: str) -> str:
        """A name as written (``on`` stays "on"), never a YAML boolean or number."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "formats.netplan.want_scalar", setting=what)
        return str(node.value)

    def boolean(self, node: yaml.Node, what: str) -> bool:
        value = self.scalar(node, what)
        if not isinstance(value, bool):
            raise self.fail(node, "formats.netplan.want_bool", setting=what)
        return value

    def integer(self, node: yaml.Node, what: str) -> int:
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(node, "formats.netplan.want_int", setting=what)
        return value

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "formats.netplan.want_list", setting=what)
        return list(node.value)

    def extra(self, holder: IPConfig | SlaveSpec, key: str, node: yaml.Node, key_node: yaml.Node,
              interface: str, spec: BondSpec | None) -> None:
        """A valid key bondkit does not model: kept as YAML text, told as info."""
        dumped = yaml.safe_dump(self.value(node, key), default_flow_style=True, width=10_000).strip()
        dumped = dumped.removesuffix("\n...").removesuffix("...").strip()
        where = _where(key_node, self.source)
        holder.extras.append(Extra(key, dumped, where, "netplan"))
        self.col.notice("outside-model", "formats.netplan.outside_model", where, spec, setting=key,
                        interface=interface)


#: The most YAML values a netplan file may hold once its aliases are expanded. Real files hold a few
#: hundred; a few nested aliases (a "billion laughs") would otherwise grow without end as bondkit walks
#: the tree. Composing counts every value, and every alias as the whole collection it stands for.
NODE_BUDGET = 20_000
#: The deepest a netplan file nests (real ones: six or seven levels). PyYAML's scanner takes time that
#: grows with the square of the flow nesting ("[[[[..."), so depth is bounded as the text is scanned.
MAX_DEPTH = 64


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe composer, counting values as it builds them and stopping at NODE_BUDGET."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text)
        self.source = source
        self.spent = 0
        self.depth = 0
        self.sizes: dict[int, int] = {}

    def _too_deep(self, mark: Any) -> ConfigError:
        return ConfigError("formats.netplan.too_deep", source=self.source, line=mark.line + 1 if mark else 1,
                           limit=MAX_DEPTH)

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise self._too_deep(self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def _spend(self, count: int, mark: Any) -> None:
        self.spent += count
        if self.spent > NODE_BUDGET:
            raise ConfigError("formats.netplan.too_many_nodes", source=self.source,
                              line=mark.line + 1 if mark else 1, limit=NODE_BUDGET)

    def _expanded(self, node: yaml.Node) -> int:
        """How many values ``node`` stands for with every alias in it expanded (memoised per node)."""
        if id(node) in self.sizes:
            return self.sizes[id(node)]
        size = 1
        if isinstance(node, yaml.SequenceNode):
            size += sum(self._expanded(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += sum(self._expanded(k) + self._expanded(v) for k, v in node.value)
        self.sizes[id(node)] = size
        return size

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = self.anchors.get(event.anchor)
            if node is not None and node.end_mark is None:  # still being built: it contains itself
                line = event.start_mark.line + 1 if event.start_mark else 1
                raise ConfigError("formats.netplan.alias_loop", source=self.source, line=line,
                                  name=event.anchor)
            if node is not None:
                self._spend(self._expanded(node), event.start_mark)
        else:
            self._spend(1, event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self._too_deep(event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def compose(text: str, source: str) -> yaml.Node:
    """The YAML node tree, with netplan's own refusals first: tabs in indentation, an empty file; and
    bounded (see NODE_BUDGET), so that a file of a few hundred bytes cannot take all memory."""
    for number, line in enumerate(lines(text, source), 1):
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
            raise ConfigError("formats.netplan.tab", source=source, line=number)
    loader = _BoundedLoader(text, source)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError("formats.netplan.yaml", source=source, line=mark.line + 1 if mark else 1,
                          problem=exc.problem or exc.context or "?") from None
    except RecursionError:
        raise ConfigError("formats.netplan.too_deep", source=source, line=1, limit=MAX_DEPTH) from None
    except yaml.YAMLError as exc:
        raise ConfigError("formats.netplan.yaml", source=source, line=1, problem=type(exc).__name__) from None
    finally:
        loader.dispose()
    if node is None:
        raise ConfigError("formats.empty", source=source, line=1)
    return node


@dataclass
class _Device:
    """One entry of a device section, read but not yet joined to a bond."""

    reader: _Reader
    section: str
    name: str
    key_node: yaml.Node
    node: yaml.Node
    used: bool = False

    @property
    def where(self) -> Location:
        return _where(self.key_node, self.reader.source)

    def items(self) -> list[tuple[str, yaml.Node, yaml.Node]]:
        return self.reader.mapping(self.node, f"{self.section}.{self.name}")


def parse(text: str | Mapping[str, str], source: str = "netplan.yaml",
          notes: list[Note] | None = None) -> list[BondSpec]:
    """Every bond of one netplan file, or of ``{path: text}`` read together as netplan reads /etc/netplan
    (in file-name order, so a bond in 60-bond.yaml may use ethernets of 50-cloud-init.yaml), with the
    VLANs on it and the bridge over it. The file's other interfaces are kept on the first bond (see
    ``BondSpec.others``). With ``notes`` given, problems are kept there for lint."""
    col = Collector(notes)
    texts = {source: text} if isinstance(text, str) else dict(text)
    devices: dict[str, dict[str, _Device]] = {}
    renderer: tuple[str, Location] | None = None
    for path in sorted(texts, key=os.path.basename):
        reader = _Reader(path, col)
        for section, key_node, node in _sections(reader, compose(texts[path], path)):
            if section == "renderer":
                renderer = (reader.text(node, section), _where(key_node, path))
                continue
            for name, name_node, value in reader.mapping(node, section):
                if section in _DEVICE_KEYS:
                    for key, sub_key, _ in reader.mapping(value, f"{section}.{name}"):
                        if key not in _DEVICE_KEYS[section]:
                            reader.unknown(sub_key, key, f"{section}.{name}")
                # Later files override earlier ones for the same id, as netplan merges them.
                devices.setdefault(section, {})[name] = _Device(reader, section, name, name_node, value)
    specs: list[BondSpec] = []
    enslaved: dict[str, str] = {}
    ethernets = devices.get("ethernets", {})
    defined = {name for entries in devices.values() for name in entries}
    for device in devices.get("bonds", {}).values():
        device.used = True
        spec = _bond(device, ethernets, enslaved, defined)
        if renderer and spec.renderer is None:
            spec.renderer, spec.origin["renderer"] = renderer
        specs.append(spec)
    for spec in specs:
        _nm_refusals(spec, col)
    by_name = {spec.name: spec for spec in specs}
    for device in devices.get("vlans", {}).values():
        _vlan(device, by_name)
    for device in devices.get("bridges", {}).values():
        _bridge_ports(device, enslaved)
        _bridge(device, by_name)
    if specs:
        for entries in devices.values():
            for device in entries.values():
                if not device.used:
                    specs[0].others.append(_other(device, specs[0]))
    return specs


def _nm_refusals(spec: BondSpec, col: Collector) -> None:
    """netplan generate refuses, for the NetworkManager renderer, what NetworkManager's keyfiles cannot
    hold: "NetworkManager definitions do not support ipv6-mtu"."""
    if spec.renderer != "NetworkManager":
        return
    for _, conf in spec.interfaces():
        if conf.ipv6_mtu:
            col.problem("bad-value", "formats.netplan.nm_ipv6_mtu", conf.origin.get("ipv6_mtu"), spec)
            conf.ipv6_mtu = None


def _other(device: _Device, spec: BondSpec) -> OtherInterface:
    """An interface no bond uses, kept as written; a plain ethernet entry is read too, so that other
    formats can write it (a match by anything but the MAC address keeps it netplan's alone)."""
    reader = device.reader
    other = OtherInterface(device.section, device.name, reader.value(device.node, device.name), device.where)
    if device.section != "ethernets":
        return other
    conf = EthernetSpec(name=device.name)
    conf.origin["interface"] = device.where
    for key, key_node, value in device.items():
        if key == "match":
            matched = {k: reader.text(v, k) for k, _, v in reader.mapping(value, "match")}
            if set(matched) != {"macaddress"}:
                return other
            conf.hwaddr = reader.col.mac(matched["macaddress"], _where(value, reader.source), spec,
                                         hardware=True)
        elif key == "set-name":
            conf.name = reader.text(value, key)
        elif not _ip_key(reader, conf, spec, key, key_node, value):
            reader.extra(conf, key, value, key_node, device.name, spec)
    other.conf = conf
    return other


def _sections(reader: _Reader, root: yaml.Node) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """The blocks under ``network:`` (version checked, unknown ones reported)."""
    network = None
    for key, key_node, value in reader.mapping(root, "(top)"):
        if key != "network":
            raise reader.fail(key_node, "formats.netplan.unknown_key", setting=key, section="(top)")
        network = value
    if network is None:
        raise reader.fail(root, "formats.netplan.no_network")
    sections = []
    for key, key_node, value in reader.mapping(network, "network"):
        if key not in _SECTIONS:
            reader.unknown(key_node, key, "network")
        elif key == "version":
            if reader.scalar(value, key) != 2:
                raise reader.fail(value, "formats.netplan.version")
        else:
            sections.append((key, key_node, value))
    return sections


def _ip_key(reader: _Reader, conf: IPConfig, spec: BondSpec, key: str, key_node: yaml.Node,
            value: yaml.Node) -> bool:
    """One of the keys every interface takes; False when ``key`` is not one bondkit models."""
    col, source = reader.col, reader.source
    where = _where(key_node, source)
    if key == "addresses":
        for item in reader.sequence(value, key):
            if isinstance(item, yaml.MappingNode):  # an address with a label or lifetime
                reader.extra(conf, key, value, key_node, spec.name, spec)
                continue
            address = col.address(reader.text(item, key), _where(item, source), spec)
            if address:
                conf.addresses.append(address)
        conf.origin["addresses"] = where
    elif key in ("gateway4", "gateway6"):
        col.notice("gateway4-deprecated", "formats.netplan.gateway_deprecated", where, spec, setting=key)
        _gateway(conf, col.ip(reader.text(value, key), _where(value, source), spec), where)
    elif key == "routes":
        _routes(reader, conf, spec, value)
    elif key in ("dhcp4", "dhcp6"):
        setattr(conf, key, reader.boolean(value, key))
        conf.origin[key] = where
    elif key == "accept-ra":
        conf.accept_ra = reader.boolean(value, key)
        conf.origin["accept_ra"] = where
    elif key == "nameservers":
        for sub, sub_key, sub_value in reader.mapping(value, key):
            if sub == "addresses":
                for item in reader.sequence(sub_value, sub):
                    server = col.ip(reader.text(item, sub), _where(item, source), spec)
                    if server:
                        conf.nameservers.append(server)
                conf.origin["nameservers"] = _where(sub_key, source)
            elif sub == "search":
                conf.search = [reader.text(item, sub) for item in reader.sequence(sub_value, sub)]
                conf.origin["search"] = _where(sub_key, source)
            else:
                reader.unknown(sub_key, sub, "nameservers", spec)
    elif key == "mtu":
        conf.mtu = reader.integer(value, key)
        conf.origin["mtu"] = where
    elif key == "ipv6-mtu":
        conf.ipv6_mtu = reader.integer(value, key)
        conf.origin["ipv6_mtu"] = where
    elif key == "macaddress":
        conf.mac = col.mac(reader.text(value, key), _where(value, source), spec)
        conf.origin["mac"] = where
    elif key == "activation-mode" and reader.text(value, key) == "manual":
        conf.autoconnect = False
        conf.origin["autoconnect"] = where
    else:
        return False
    return True


def _bridge_ports(device: _Device, enslaved: dict[str, str]) -> None:
    """netplan generate refuses a bridge port that a bond already has: an interface has one master."""
    reader = device.reader
    for key, _, value in device.items():
        if key != "interfaces":
            continue
        for item in reader.sequence(value, key):
            port = reader.text(item, key)
            if port in enslaved:
                reader.col.problem("duplicate-slave", "formats.netplan.bridge_port_in_bond",
                                   _where(item, reader.source), None, bridge=device.name, port=port,
                                   bond=enslaved[port])


def _bond(device: _Device, ethernets: dict[str, _Device], enslaved: dict[str, str],
          defined: set[str]) -> BondSpec:
    reader, name = device.reader, device.name
    col, source = reader.col, reader.source
    spec = BondSpec(name=name, mode="balance-rr")
    spec.origin["bond"] = device.where
    col.ifname(name, spec.origin["bond"], spec)
    ids: dict[str, str] = {}
    primary: tuple[str, Location] | None = None
    for key, sub_key, value in device.items():
        if key == "interfaces":
            for item in reader.sequence(value, key):
                count = len(spec.slaves)
                _member(reader, spec, reader.text(item, key), _where(item, source), ethernets, enslaved)
                if len(spec.slaves) > count:
                    ids[reader.text(item, key)] = spec.slaves[-1].name
        elif key == "parameters":
            for pkey, pkey_node, pvalue in reader.mapping(value, f"bonds.{name}.parameters"):
                if pkey == "primary":
                    primary = (reader.text(pvalue, pkey), _where(pvalue, source))
                _parameter(reader, spec, ALIASES.get(pkey, pkey), pkey_node, pvalue)
        elif key == "renderer":
            spec.renderer = reader.text(value, key)
            spec.origin["renderer"] = _where(sub_key, source)
        elif not _ip_key(reader, spec, spec, key, sub_key, value) and key in _DEVICE_KEYS["bonds"]:
            reader.extra(spec, key, value, sub_key, name, spec)
    # ``primary`` names a member by its netplan id, which set-name may have turned into another name.
    if spec.options.get("primary") in ids:
        spec.options["primary"] = ids[str(spec.options["primary"])]
    elif primary and primary[0] not in defined and primary[0] in ids.values():
        # netplan generate: "bond0: interface 'lan0' is not defined". The primary names the member by the
        # name set-name gives it, where netplan wants the id; a name no member has is lint's
        # primary-not-slave, as for every format.
        member_id = next(key for key, value in ids.items() if value == primary[0])
        col.notice("primary-not-slave", "formats.netplan.primary_by_name", primary[1], spec, bond=name,
                   name=primary[0], id=member_id)
    return spec


def _member(reader: _Reader, spec: BondSpec, member: str, where: Location,
            ethernets: dict[str, _Device], enslaved: dict[str, str]) -> None:
    col = reader.col
    if member in enslaved:
        col.problem("duplicate-slave", "formats.duplicate_slave", where, spec, slave=member,
                    bond=enslaved[member])
        return
    device = ethernets.get(member)
    if device is None:
        col.problem("orphan-slave", "formats.netplan.undefined_member", where, spec, slave=member,
                    bond=spec.name)
        return
    device.used = True
    enslaved[member] = spec.name
    slave = SlaveSpec(member, origin=where, netplan_id=member)
    _member_settings(device, slave, spec)
    # An id is a name of netplan's own; it must be an interface name only when nothing else picks the NIC.
    if not slave.hwaddr and not slave.match and slave.name == member:
        if not col.ifname(member, where, spec):
            return
    elif not col.ifname(slave.name, where, spec):
        return
    spec.slaves.append(slave)


def _member_settings(device: _Device, slave: SlaveSpec, spec: BondSpec) -> None:
    """What a member's ``ethernets`` entry says: match and set-name, MAC, MTU; the rest kept as written."""
    reader, source = device.reader, device.reader.source
    matched, named = False, False
    for key, key_node, value in device.items():
        if key == "match":
            for mkey, mkey_node, mvalue in reader.mapping(value, "match"):
                matched = True
                if mkey not in _MATCH_KEYS:
                    reader.unknown(mkey_node, mkey, "match", spec)
                elif mkey == "macaddress":
                    slave.hwaddr = reader.col.mac(reader.text(mvalue, mkey), _where(mvalue, source), spec,
                                                  hardware=True)
                else:
                    slave.match[mkey] = reader.text(mvalue, mkey)
            if slave.match.get("name") and not any(c in slave.match["name"] for c in "*?["):
                slave.name = slave.match.pop("name")
                named = True
        elif key == "set-name":
            slave.name = reader.text(value, key)
            named = True
        elif key == "macaddress":
            slave.mac = reader.col.mac(reader.text(value, key), _where(value, source), spec)
        elif key == "mtu":
            slave.mtu = reader.integer(value, key)
        elif key in ("dhcp4", "dhcp6") and reader.scalar(value, key) in (False, None):
            continue
        elif key in _DEVICE_KEYS["ethernets"]:
            if key == "infiniband-mode":
                slave.kind = "infiniband"
            reader.extra(slave, key, value, key_node, device.name, spec)
    # The naming rule of SlaveSpec.name_known: matched and not renamed, the kernel keeps its own name.
    slave.name_known = named or not matched


def _vlan(device: _Device, bonds: dict[str, BondSpec]) -> None:
    """A VLAN whose ``link`` is one of the bonds becomes part of it; any other stays as written."""
    items = device.items()
    link = next((device.reader.text(v, k) for k, _, v in items if k == "link"), None)
    spec = bonds.get(link or "")
    if spec is None:
        return
    device.used = True
    reader = device.reader
    vlan = VlanSpec(name=device.name)
    vlan.origin["interface"] = device.where
    for key, key_node, value in items:
        if key == "id":
            vlan.id = reader.integer(value, key)
        elif key != "link" and not _ip_key(reader, vlan, spec, key, key_node, value):
            reader.extra(vlan, key, value, key_node, device.name, spec)
    if not 0 < vlan.id < 4095:
        reader.col.problem("bad-value", "formats.bad_vlan_id", device.where, spec, name=device.name)
        return
    spec.vlans.append(vlan)


def _bridge(device: _Device, bonds: dict[str, BondSpec]) -> None:
    """A bridge with a bond among its interfaces becomes that bond's bridge."""
    reader, items = device.reader, device.items()
    ports = next(([reader.text(i, k) for i in reader.sequence(v, k)] for k, _, v in items
                  if k == "interfaces"), [])
    spec = next((bonds[p] for p in ports if p in bonds and bonds[p].bridge is None), None)
    if spec is None:
        return
    device.used = True
    bridge = spec.bridge = BridgeSpec(name=device.name)
    bridge.origin["interface"] = device.where
    for key, key_node, value in items:
        if key == "interfaces":
            if len(ports) > 1:
                reader.extra(bridge, key, value, key_node, device.name, spec)
        elif key == "parameters":
            rest = []
            for pkey, pkey_node, pvalue in reader.mapping(value, "parameters"):
                if pkey == "stp":
                    bridge.stp = reader.boolean(pvalue, pkey)
                    bridge.origin["stp"] = _where(pkey_node, reader.source)
                else:
                    rest.append((pkey, pkey_node, pvalue))
            for pkey, pkey_node, pvalue in rest:
                reader.extra(bridge, f"parameters.{pkey}", pvalue, pkey_node, device.name, spec)
        elif not _ip_key(reader, bridge, spec, key, key_node, value):
            reader.extra(bridge, key, value, key_node, device.name, spec)


def _parameter(reader: _Reader, spec: BondSpec, key: str, key_node: yaml.Node, node: yaml.Node) -> None:
    where = _where(key_node, reader.source)
    if key not in PARAMETERS:
        reader.unknown(key_node, key, f"bonds.{spec.name}.parameters", spec)
        return
    option, kind = PARAMETERS[key]
    value: object
    if kind == "list":
        value = [reader.text(item, key) for item in reader.sequence(node, key)]
    elif kind == "bool":
        value = int(reader.boolean(node, key))
    elif kind in ("ms", "s"):
        value = _time(reader, node, key, kind)
        if value is None:
            return
    elif kind == "int":
        value = reader.integer(node, key)
    else:
        value = reader.text(node, key)
    reader.col.set_option(spec, option, value, where)


def _time(reader: _Reader, node: yaml.Node, key: str, unit: str) -> int | None:
    """netplan times: ``100`` (milliseconds, seconds for learn-packet-interval), ``100ms``, ``1s``,
    ``15m``: systemd's time spans, which networkd and NetworkManager both take."""
    text = reader.text(node, key).strip()
    parts = list(_TIME_PART.finditer(text))
    total = 0.0
    if not text or "".join(m.group(0) for m in parts).replace(" ", "") != text.replace(" ", ""):
        parts = []
    for match in parts:
        if not match.group(0).strip():
            continue
        suffix = match.group(2) or ("s" if unit == "s" else "ms")
        total += int(match.group(1)) * _UNIT_MS[suffix]
    if not parts or total != int(total) or (unit == "s" and total % 1000):
        reader.col.problem("bad-value", "formats.netplan.bad_time", _where(node, reader.source), None,
                           setting=key, value=node.value)
        return None
    return int(total) // 1000 if unit == "s" else int(total)


def _gateway(conf: IPConfig, via: str | None, where: Location) -> None:
    """The first default route of a family is the interface's gateway; any further one stays a route."""
    if via is None:
        return
    if conf.gateway is None:
        conf.gateway = via
        conf.origin["gateway"] = where
    else:
        conf.routes.append(Route("::/0" if ":" in via else "0.0.0.0/0", via))


def _routes(reader: _Reader, conf: IPConfig, spec: BondSpec, node: yaml.Node) -> None:
    col, source = reader.col, reader.source
    for item in reader.sequence(node, "routes"):
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, key_node, value in reader.mapping(item, "routes"):
            if key not in _ROUTE_KEYS:
                reader.unknown(key_node, key, "routes", spec)
                continue
            fields[key] = (key_node, value)
        where = _where(item, source)
        if "to" not in fields:
            col.problem("bad-value", "formats.netplan.route_fields", where, spec)
            continue
        to = reader.text(fields["to"][1], "to")
        via = col.ip(reader.text(fields["via"][1], "via"), where, spec) if "via" in fields else None
        if "via" in fields and via is None:
            continue
        route = Route(to, via)
        if "metric" in fields:
            route.metric = reader.integer(fields["metric"][1], "metric")
        if "table" in fields:
            route.table = reader.integer(fields["table"][1], "table")
        if "on-link" in fields:
            route.on_link = reader.boolean(fields["on-link"][1], "on-link")
        for key in sorted(set(fields) - {"to", "via", "metric", "table", "on-link"}):
            key_node, value = fields[key]
            conf.extras.append(Extra(f"routes[{to}].{key}", reader.text(value, key) if isinstance(
                value, yaml.ScalarNode) else "...", _where(key_node, source), "netplan-route"))
            col.notice("outside-model", "formats.netplan.outside_model", _where(key_node, source), spec,
                       setting=f"routes.{key}", interface=spec.name)
        if to in _DEFAULT_ROUTES and route.plain() and via:
            _gateway(conf, via, where)
            continue
        if to == "default":
            to = "::/0" if via and ":" in via else "0.0.0.0/0"
        dest = col.network(to, where, spec)
        if dest:
            route.to = dest
            conf.routes.append(route)
            conf.origin.setdefault("routes", where)


# ---------------------------------------------------------------------------------------------- render


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as netplan's own examples are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _value(option: str, value: object) -> object:
    kind = PARAMETERS[KERNEL_TO_NETPLAN[option]][1]
    if kind == "list":
        return list(value)  # type: ignore[call-overload]
    if kind == "bool":
        return bool(value)
    return value


def _kept(holder: IPConfig | SlaveSpec) -> dict[str, object]:
    """Settings kept from a netplan file, as they were written."""
    return {extra.setting: yaml.safe_load(extra.value) for extra in holder.extras if extra.fmt == "netplan"}


def _route(route: Route) -> dict[str, object]:
    entry: dict[str, object] = {"to": route.to}
    if route.via:
        entry["via"] = route.via
    if route.metric is not None:
        entry["metric"] = route.metric
    if route.on_link:
        entry["on-link"] = True
    if route.table is not None:
        entry["table"] = route.table
    return entry


def _ip_block(conf: IPConfig, renderer: str | None = None) -> dict[str, object]:
    """The keys every netplan interface takes. A gateway is written as a route to ``0.0.0.0/0`` (or
    ``::/0``), which every netplan release reads; ``to: default`` needs netplan 0.103 or later."""
    block: dict[str, object] = {}
    if conf.mac:
        block["macaddress"] = conf.mac
    if conf.mtu:
        block["mtu"] = conf.mtu
    if conf.ipv6_mtu and renderer != "NetworkManager":
        block["ipv6-mtu"] = conf.ipv6_mtu
    block["dhcp4"] = conf.dhcp4
    if conf.dhcp6:
        block["dhcp6"] = True
    if conf.accept_ra is not None:
        block["accept-ra"] = conf.accept_ra
    if conf.addresses:
        block["addresses"] = list(conf.addresses)
    routes: list[dict[str, object]] = []
    if conf.gateway:
        routes.append({"to": "::/0" if ":" in conf.gateway else "0.0.0.0/0", "via": conf.gateway})
    routes += [_route(route) for route in conf.route_list()]
    if routes:
        block["routes"] = routes
    if conf.nameservers or conf.search:
        block["nameservers"] = {**({"addresses": list(conf.nameservers)} if conf.nameservers else {}),
                                **({"search": list(conf.search)} if conf.search else {})}
    if not conf.autoconnect:
        block["activation-mode"] = "manual"
    return block


def _ethernet(slave: SlaveSpec) -> dict[str, object]:
    entry: dict[str, object] = {}
    match = {**({"macaddress": slave.hwaddr} if slave.hwaddr else {}), **slave.match}
    if match:
        entry["match"] = match
        if slave.name_known:  # a member the kernel names itself is not renamed
            entry["set-name"] = slave.name
    if slave.mac:
        entry["macaddress"] = slave.mac
    if slave.mtu:
        entry["mtu"] = slave.mtu
    entry["dhcp4"] = False
    entry.update(_kept(slave))
    return entry


def _stray_primary(spec: BondSpec) -> bool:
    """A primary that is no member: the kernel keeps it for later, netplan generate refuses it."""
    return "primary" in spec.options and spec.options["primary"] not in spec.slave_names


def cannot_say(spec: BondSpec) -> list[losses.Loss]:
    """What netplan cannot carry: kernel options it has no parameter for, ethtool settings, a primary
    that is not a member."""
    found = losses.shared(spec, "netplan")
    if _stray_primary(spec):
        found.append(losses.setting_lost(spec, "primary", f"primary={spec.options['primary']}", "netplan",
                                         "formats.loss.primary_not_member", bond=spec.name))
    for name, conf in spec.interfaces() if spec.renderer == "NetworkManager" else []:
        if conf.ipv6_mtu:
            found.append(losses.setting_lost(conf, "ipv6_mtu", f"ipv6-mtu: {conf.ipv6_mtu} ({name})",
                                             "netplan", "formats.loss.nm_ipv6_mtu"))
    for name in [n for n in spec.options if n not in KERNEL_TO_NETPLAN] + list(spec.unknown_options):
        found.append(losses.setting_lost(spec, name, name, "netplan", "formats.loss.option", bond=spec.name))
    for name, conf in spec.interfaces():
        if conf.never_default:
            found.append(losses.setting_lost(conf, "never_default", f"DEFROUTE=no ({name})", "netplan",
                                             "formats.loss.never_default"))
    holders: list[tuple[BondSpec | SlaveSpec, Location | None]] = [
        (spec, spec.origin.get("ethtool_opts")), *((s, s.origin) for s in spec.slaves)]
    for holder, where in holders:
        if holder.ethtool_opts:
            found.append(losses.Loss(f"ETHTOOL_OPTS={holder.ethtool_opts}", where, "netplan",
                                     "formats.loss.ethtool", {"value": holder.ethtool_opts}))
    return found


def _plain(conf: EthernetSpec) -> dict[str, object]:
    entry: dict[str, object] = {}
    if conf.hwaddr:
        entry = {"match": {"macaddress": conf.hwaddr}, "set-name": conf.name}
    return {**entry, **_ip_block(conf), **_kept(conf)}


def document(spec: BondSpec, whole: bool = False) -> dict[str, object]:
    """The netplan structure for one bond, its VLANs, its bridge and the file's other interfaces.

    Kernel options netplan has no parameter for are left out; ``cannot_say`` lists them.
    """
    network: dict[str, object] = {"version": 2}
    if spec.renderer:
        network["renderer"] = spec.renderer
    sections: dict[str, dict[str, object]] = {}
    for slave in spec.slaves:
        sections.setdefault("ethernets", {})[slave.name] = _ethernet(slave)
    bond: dict[str, object] = {"interfaces": spec.slave_names, **_ip_block(spec, spec.renderer)}
    parameters: dict[str, object] = {"mode": spec.mode}
    for key, (option, _) in PARAMETERS.items():
        if option in spec.options and not (option == "primary" and _stray_primary(spec)):
            parameters[key] = _value(option, spec.options[option])
    bond["parameters"] = parameters
    bond.update(_kept(spec))
    sections.setdefault("bonds", {})[spec.name] = bond
    for vlan in spec.vlans:
        sections.setdefault("vlans", {})[vlan.name] = {"id": vlan.id, "link": spec.name,
                                                        **_ip_block(vlan, spec.renderer),
                                                        **_kept(vlan)}
    if spec.bridge:
        kept = _kept(spec.bridge)
        bridge: dict[str, object] = {"interfaces": kept.pop("interfaces", [spec.name]),
                                     **_ip_block(spec.bridge, spec.renderer)}
        params = {key.removeprefix("parameters."): kept.pop(key) for key in list(kept)
                  if key.startswith("parameters.")}
        if spec.bridge.stp is not None:
            params["stp"] = spec.bridge.stp
        if params:
            bridge["parameters"] = params
        bridge.update(kept)
        sections.setdefault("bridges", {})[spec.bridge.name] = bridge
    for other in spec.others if whole else []:
        if other.fmt == "netplan":
            sections.setdefault(other.section, {}).setdefault(other.name, other.value)
        elif other.conf is not None:
            sections.setdefault("ethernets", {}).setdefault(other.conf.name, _plain(other.conf))
    for section in ("ethernets", "bonds", "vlans", "bridges"):
        if section in sections:
            network[section] = sections.pop(section)
    network.update(sections)
    return {"network": network}


def render(spec: BondSpec, whole: bool = False) -> dict[str, str]:
    """``{"<bond>.yaml": text}`` for /etc/netplan/ (netplan wants it readable by root only: mode 600).

    A kernel option netplan has no parameter for is a ConfigError, unless ``whole`` (a conversion that
    reports what it could not carry, see ``cannot_say``, and writes the files' other interfaces too).
    """
    unsupported = [n for n in spec.options if n not in KERNEL_TO_NETPLAN] + list(spec.unknown_options)
    if _stray_primary(spec) and not whole:
        where = spec.origin.get("primary")
        raise ConfigError("formats.netplan.stray_primary", source=where.source if where else None,
                          line=where.line if where else None, bond=spec.name, name=spec.options["primary"])
    if unsupported and not whole:
        where = spec.origin.get(unsupported[0])
        raise ConfigError("formats.netplan.unsupported", source=where.source if where else None,
                          line=where.line if where else None, option=unsupported[0], bond=spec.name)
    text = yaml.dump(document(spec, whole), Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, indent=2)
    return {f"{spec.name}.yaml": text}
