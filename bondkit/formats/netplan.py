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

import yaml

from bondkit.errors import ConfigError
from bondkit.formats.common import Collector, lines
from bondkit.spec import BondSpec, Location, Note, SlaveSpec

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
#: The kernel options netplan can carry (others, such as peer_notif_delay, make render fail).
SUPPORTED_OPTIONS = tuple(name for name in KERNEL_TO_NETPLAN if name != "mode")

_SECTIONS = {"version", "renderer", "ethernets", "bonds", "bridges", "vlans", "wifis", "tunnels", "vrfs",
             "modems", "nm-devices", "dummy-devices", "virtual-ethernets", "openvswitch"}
#: Device keys netplan knows that say nothing about the bond: accepted and passed over.
_PASSED_OVER = {"dhcp6", "accept-ra", "link-local", "nameservers", "mtu", "optional", "critical",
                "dhcp4-overrides", "dhcp6-overrides", "ipv6-privacy", "renderer", "activation-mode",
                "ignore-carrier", "ipv6-mtu", "ipv6-address-generation", "ipv6-address-token", "match",
                "set-name", "wakeonlan", "emit-lldp", "receive-checksum-offload", "transmit-checksum-offload",
                "tcp-segmentation-offload", "generic-segmentation-offload", "generic-receive-offload",
                "large-receive-offload", "optional-addresses", "routing-policy", "dhcp-identifier",
                "infiniband-mode", "neigh-suppress", "openvswitch", "networkmanager"}
_TIME = re.compile(r"([0-9]{1,12})(ms|s)?")


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
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, "formats.netplan.want_mapping", setting=what)
        items, seen = [], set()
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

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "formats.netplan.want_list", setting=what)
        return list(node.value)


def compose(text: str, source: str) -> yaml.Node:
    """The YAML node tree, with netplan's own refusals first: tabs in indentation, an empty file."""
    for number, line in enumerate(lines(text, source), 1):
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
            raise ConfigError("formats.netplan.tab", source=source, line=number)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError("formats.netplan.yaml", source=source, line=mark.line + 1 if mark else 1,
                          problem=exc.problem or exc.context or "?") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise ConfigError("formats.netplan.yaml", source=source, line=1, problem=type(exc).__name__) from None
    if node is None:
        raise ConfigError("formats.empty", source=source, line=1)
    return node


def parse(text: str | Mapping[str, str], source: str = "netplan.yaml",
          notes: list[Note] | None = None) -> list[BondSpec]:
    """Every bond of one netplan file, or of ``{path: text}`` read together as netplan reads /etc/netplan
    (in file-name order, so a bond in 60-bond.yaml may use ethernets of 50-cloud-init.yaml). With
    ``notes`` given, problems are kept there for lint."""
    col = Collector(notes)
    texts = {source: text} if isinstance(text, str) else dict(text)
    documents = []
    ethernets: dict[str, tuple[Location, str | None]] = {}
    for path in sorted(texts, key=os.path.basename):
        reader = _Reader(path, col)
        sections = _sections(reader, compose(texts[path], path))
        ethernets.update(_ethernets(reader, sections.get("ethernets")))
        documents.append((reader, sections))
    specs: list[BondSpec] = []
    enslaved: dict[str, str] = {}
    for reader, sections in documents:
        bonds = reader.mapping(sections["bonds"], "bonds") if "bonds" in sections else []
        specs += [_bond(reader, name, key, value, ethernets, enslaved) for name, key, value in bonds]
    return specs


def _sections(reader: _Reader, root: yaml.Node) -> dict[str, yaml.Node]:
    """The blocks under ``network:`` (version checked, unknown ones reported)."""
    network = None
    for key, key_node, value in reader.mapping(root, "(top)"):
        if key != "network":
            raise reader.fail(key_node, "formats.netplan.unknown_key", setting=key, section="(top)")
        network = value
    if network is None:
        raise reader.fail(root, "formats.netplan.no_network")
    sections = {}
    for key, key_node, value in reader.mapping(network, "network"):
        if key not in _SECTIONS:
            reader.unknown(key_node, key, "network")
        elif key == "version" and reader.scalar(value, key) != 2:
            raise reader.fail(value, "formats.netplan.version")
        sections[key] = value
    return sections


def _ethernets(reader: _Reader, node: yaml.Node | None) -> dict[str, tuple[Location, str | None]]:
    """Each ethernet's line and the MAC address it is given (``macaddress``)."""
    found: dict[str, tuple[Location, str | None]] = {}
    for name, key_node, value in reader.mapping(node, "ethernets") if node is not None else []:
        where, mac = _where(key_node, reader.source), None
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
            found[name] = (where, None)
            continue
        for key, sub_key, sub in reader.mapping(value, f"ethernets.{name}"):
            if key == "macaddress":
                mac = reader.col.mac(reader.text(sub, key), _where(sub, reader.source))
            elif key in ("dhcp4", "addresses", "gateway4", "gateway6", "routes") or key in _PASSED_OVER:
                continue
            else:
                reader.unknown(sub_key, key, f"ethernets.{name}")
        found[name] = (where, mac)
    return found


def _bond(reader: _Reader, name: str, key_node: yaml.Node, node: yaml.Node,
          ethernets: dict[str, tuple[Location, str | None]], enslaved: dict[str, str]) -> BondSpec:
    col, source = reader.col, reader.source
    spec = BondSpec(name=name, mode="balance-rr")
    spec.origin["bond"] = _where(key_node, source)
    col.ifname(name, spec.origin["bond"], spec)
    for key, sub_key, value in reader.mapping(node, f"bonds.{name}"):
        where = _where(sub_key, source)
        if key == "interfaces":
            for item in reader.sequence(value, key):
                _member(reader, spec, reader.text(item, key), _where(item, source), ethernets, enslaved)
        elif key == "parameters":
            for pkey, pkey_node, pvalue in reader.mapping(value, f"bonds.{name}.parameters"):
                _parameter(reader, spec, ALIASES.get(pkey, pkey), pkey_node, pvalue)
        elif key == "addresses":
            for item in reader.sequence(value, key):
                address = col.address(reader.text(item, key), _where(item, source), spec)
                if address:
                    spec.addresses.append(address)
            spec.origin["addresses"] = where
        elif key in ("gateway4", "gateway6"):
            col.notice("gateway4-deprecated", "formats.netplan.gateway_deprecated", where, spec, setting=key)
            _gateway(spec, col.ip(reader.text(value, key), _where(value, source), spec), where)
        elif key == "routes":
            _routes(reader, spec, value)
        elif key == "dhcp4":
            spec.dhcp4 = reader.boolean(value, key)
        elif key not in _PASSED_OVER:
            reader.unknown(sub_key, key, f"bonds.{name}", spec)
    return spec


def _member(reader: _Reader, spec: BondSpec, member: str, where: Location,
            ethernets: dict[str, tuple[Location, str | None]], enslaved: dict[str, str]) -> None:
    col = reader.col
    if not col.ifname(member, where, spec):
        return
    if member in enslaved:
        col.problem("duplicate-slave", "formats.duplicate_slave", where, spec, slave=member,
                    bond=enslaved[member])
        return
    if member not in ethernets:
        col.problem("orphan-slave", "formats.netplan.undefined_member", where, spec, slave=member,
                    bond=spec.name)
        return
    enslaved[member] = spec.name
    spec.slaves.append(SlaveSpec(member, ethernets[member][1], origin=where))


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
        value = reader.scalar(node, key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise reader.fail(node, "formats.netplan.want_int", setting=key)
    else:
        value = reader.text(node, key)
    reader.col.set_option(spec, option, value, where)


def _time(reader: _Reader, node: yaml.Node, key: str, unit: str) -> int | None:
    """netplan times: ``100`` (milliseconds, seconds for learn-packet-interval), ``100ms``, ``1s``."""
    match = _TIME.fullmatch(reader.text(node, key).strip())
    if not match:
        reader.col.problem("bad-value", "formats.netplan.bad_time", _where(node, reader.source), None,
                           setting=key, value=node.value)
        return None
    number, suffix = int(match.group(1)), match.group(2) or unit
    if unit == "ms":
        return number * 1000 if suffix == "s" else number
    if suffix == "ms" and number % 1000:
        reader.col.problem("bad-value", "formats.netplan.bad_time", _where(node, reader.source), None,
                           setting=key, value=node.value)
        return None
    return number // 1000 if suffix == "ms" else number


def _gateway(spec: BondSpec, via: str | None, where: Location) -> None:
    """The first default route is the bond's gateway; any further one stays a route."""
    if via is None:
        return
    if spec.gateway is None:
        spec.gateway = via
        spec.origin["gateway"] = where
    else:
        spec.routes.append(("::/0" if ":" in via else "0.0.0.0/0", via))


def _routes(reader: _Reader, spec: BondSpec, node: yaml.Node) -> None:
    col, source = reader.col, reader.source
    for item in reader.sequence(node, "routes"):
        fields = {}
        for key, key_node, value in reader.mapping(item, "routes"):
            if key not in ("to", "via"):
                reader.unknown(key_node, key, "routes", spec)
                continue
            fields[key] = reader.text(value, key)
        where = _where(item, source)
        if "to" not in fields or "via" not in fields:
            col.problem("bad-value", "formats.netplan.route_fields", where, spec)
            continue
        via = col.ip(fields["via"], where, spec)
        if fields["to"] == "default":
            _gateway(spec, via, where)
            continue
        dest = col.network(fields["to"], where, spec)
        if dest and via:
            spec.routes.append((dest, via))
            spec.origin.setdefault("routes", where)


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


def document(spec: BondSpec) -> dict[str, object]:
    """The netplan structure for one bond, or ConfigError for an option netplan cannot express."""
    unsupported = [n for n in spec.options if n not in KERNEL_TO_NETPLAN] + list(spec.unknown_options)
    if unsupported:
        where = spec.origin.get(unsupported[0])
        raise ConfigError("formats.netplan.unsupported", source=where.source if where else None,
                          line=where.line if where else None, option=unsupported[0], bond=spec.name)
    ethernets: dict[str, object] = {}
    for slave in spec.slaves:
        ethernets[slave.name] = {"dhcp4": False, **({"macaddress": slave.mac} if slave.mac else {})}
    bond: dict[str, object] = {"interfaces": spec.slave_names, "dhcp4": spec.dhcp4}
    if spec.addresses:
        bond["addresses"] = list(spec.addresses)
    routes = [{"to": "default", "via": spec.gateway}] if spec.gateway else []
    routes += [{"to": dest, "via": via} for dest, via in spec.routes]
    if routes:
        bond["routes"] = routes
    parameters: dict[str, object] = {"mode": spec.mode}
    for key, (option, _) in PARAMETERS.items():
        if option in spec.options:
            parameters[key] = _value(option, spec.options[option])
    bond["parameters"] = parameters
    network: dict[str, object] = {"version": 2}
    if ethernets:
        network["ethernets"] = ethernets
    network["bonds"] = {spec.name: bond}
    return {"network": network}


def render(spec: BondSpec) -> dict[str, str]:
    """``{"<bond>.yaml": text}`` for /etc/netplan/ (netplan wants it readable by root only: mode 600)."""
    text = yaml.dump(document(spec), Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, indent=2)
    return {f"{spec.name}.yaml": text}

