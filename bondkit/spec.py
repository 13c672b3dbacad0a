"""The one model of a bond that every format is parsed into and rendered from.

Option names and values use the kernel's own vocabulary (the names of
``/sys/class/net/<bond>/bonding/*`` and the words ``/proc/net/bonding`` prints), so that a spec can be
compared with what a host reports without a translation table per format. Numeric aliases that
``BONDING_OPTS`` allows (``mode=1``, ``fail_over_mac=1``) are turned into those words on the way in.

Options the kernel does not know are kept as written (``BondSpec.unknown_options``) rather than
rejected, so that lint can point at them with their file and line.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from bondkit.errors import ConfigError

#: Bonding modes, in the kernel's numbering.
MODES = ("balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb")

#: Options whose value is one word of a fixed list; the list index is the numeric alias.
ENUM_OPTIONS: dict[str, tuple[str, ...]] = {
    "fail_over_mac": ("none", "active", "follow"),
    "primary_reselect": ("always", "better", "failure"),
    "arp_validate": ("none", "active", "backup", "all", "filter", "filter_active", "filter_backup"),
    "arp_all_targets": ("any", "all"),
    "xmit_hash_policy": ("layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac"),
    "lacp_rate": ("slow", "fast"),
    "ad_select": ("stable", "bandwidth", "count"),
}

#: Options whose value is a whole number (milliseconds, counts or 0/1 switches).
INT_OPTIONS = (
    "miimon",
    "updelay",
    "downdelay",
    "peer_notif_delay",
    "arp_interval",
    "num_grat_arp",
    "num_unsol_na",
    "all_slaves_active",
    "resend_igmp",
    "lp_interval",
    "min_links",
    "packets_per_slave",
    "tlb_dynamic_lb",
    "use_carrier",
    "ad_actor_sys_prio",
    "ad_user_port_key",
)

#: Options whose value is a name or a list.
TEXT_OPTIONS = ("primary", "arp_ip_target", "active_slave", "ad_actor_system")

KNOWN_OPTIONS = (*ENUM_OPTIONS, *INT_OPTIONS, *TEXT_OPTIONS)

#: Options a current kernel no longer accepts (use_carrier was removed in Linux 6.16).
REMOVED_OPTIONS = ("use_carrier",)

#: A whole number as the kernel reads it: ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails)
#: and short enough that ``int()`` never meets Python's digit limit; lint checks the kernel's ranges.
_NUMBER = re.compile(r"[0-9]{1,19}")


def _number(text: str) -> int | None:
    return int(text) if _NUMBER.fullmatch(text) else None


def _choice(value: object, choices: tuple[str, ...]) -> str | None:
    """The word of ``choices`` that ``value`` names, by itself or by its kernel number; None if none.

    ``BONDING_OPTS`` takes both (``mode=1``, ``fail_over_mac=active``), and the list index is the number.
    """
    text = str(value).strip().lower()
    number = _number(text)
    if number is not None and number < len(choices):
        return choices[number]
    return text if text in choices else None


def normalize_mode(value: object, *, source: str | None = None, line: int | None = None) -> str:
    """``1``, ``"1"`` and ``"active-backup"`` all name the same mode."""
    mode = _choice(value, MODES)
    if mode is None:
        raise ConfigError("spec.bad_mode", source=source, line=line, value=value, choices=", ".join(MODES))
    return mode


def normalize_option(
    name: str, value: object, *, source: str | None = None, line: int | None = None
) -> str | int | tuple[str, ...]:
    """Bring one option value to its kernel word or number, raising ConfigError when it is not valid."""
    if name in ENUM_OPTIONS:
        word = _choice(value, ENUM_OPTIONS[name])
        if word is None:
            raise ConfigError("spec.bad_choice", source=source, line=line, option=name, value=value,
                              choices=", ".join(ENUM_OPTIONS[name]))
        return word
    if name in INT_OPTIONS:
        if isinstance(value, bool):
            return int(value)
        number = _number(str(value).strip())
        if number is None:
            raise ConfigError("spec.bad_number", source=source, line=line, option=name, value=value)
        return number
    if name == "arp_ip_target":
        items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
        # sysfs and the kernel's selftests write "+10.0.0.1" (add this target): the same target.
        targets = tuple(str(item).strip().lstrip("+") for item in items if str(item).strip().lstrip("+"))
        for target in targets:
            try:
                ipaddress.IPv4Address(target)
            except ValueError:
                raise ConfigError("spec.bad_address", source=source, line=line, option=name,
                                  value=target) from None
        return targets
    return str(value).strip()


@dataclass(frozen=True)
class Location:
    """Where a value was read from, so lint and errors can say ``file:line``."""

    source: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class Note:
    """Something a parser saw that lint should tell (a deprecated key, a file saved under another name).

    ``rule`` is a lint rule id (lint gives it its severity); ``key`` and ``params`` make the message.
    """

    rule: str
    key: str
    where: Location | None = None
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Extra:
    """A setting the owning tool reads but bondkit's model does not (``STP=yes``, ``ZONE=public``).

    It is kept as written, with its place and the format it was written in, so that a conversion back to
    that format writes it again and a conversion to any other format says that it is lost.
    """

    setting: str
    value: str
    where: Location | None
    fmt: str


@dataclass
class OtherInterface:
    """An interface of the same files that is not part of the bond (the management NIC's ``dhcp4: true``).

    A plain ethernet interface is read into ``conf`` and written by every format, so that converting a
    whole /etc/sysconfig/network-scripts or /etc/netplan keeps the host reachable; anything else is kept
    as written (``value``) for its own format, and every other format says it is not carried.
    """

    section: str
    name: str
    value: object
    where: Location | None
    #: The format it was read from.
    fmt: str = "netplan"
    conf: EthernetSpec | None = None


@dataclass(eq=False)
class Route:
    """A route through an interface: destination, next hop, and what real configurations add to it.

    It unpacks as ``(to, via)`` and equals that pair when it has nothing more, so code that reads routes
    as pairs keeps working.
    """

    to: str
    via: str | None = None
    metric: int | None = None
    on_link: bool = False
    table: int | None = None

    @classmethod
    def of(cls, item: Route | tuple[str, ...] | list[str]) -> Route:
        return item if isinstance(item, Route) else cls(*item)

    def key(self) -> tuple[object, ...]:
        return (self.to, self.via, self.metric, self.on_link, self.table)

    def plain(self) -> bool:
        """Destination and next hop only."""
        return self.metric is None and not self.on_link and self.table is None

    def __iter__(self):  # noqa: ANN204 - unpacking as (to, via)
        return iter((self.to, self.via))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Route):
            return self.key() == other.key()
        if isinstance(other, tuple | list):
            return self.plain() and (self.to, self.via) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        extra = "" if self.plain() else f", metric={self.metric}, on_link={self.on_link}, table={self.table}"
        return f"Route({self.to!r}, {self.via!r}{extra})"


@dataclass
class IPConfig:
    """What an interface that carries traffic is given: addresses, routes, DNS, and how it comes up.

    The bond, a VLAN on it and a bridge over it each have one; the formats read and write them alike.
    """

    #: IPv4/IPv6 interface addresses in CIDR form ("192.168.99.101/24").
    addresses: list[str] = field(default_factory=list)
    gateway: str | None = None
    #: Extra routes (``Route``, or (destination CIDR, via) pairs).
    routes: list[Route | tuple[str, str]] = field(default_factory=list)
    dhcp4: bool = False
    dhcp6: bool = False
    #: DHCP without its default route (ifcfg DEFROUTE=no, NetworkManager ipv4.never-default).
    never_default: bool = False
    #: IPv6 router advertisements: True/False when the file says so, None for the tool's default.
    accept_ra: bool | None = None
    nameservers: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    mtu: int | None = None
    #: The IPv6 MTU when it differs from the link's (ifcfg IPV6_MTU, netplan ipv6-mtu, nmcli ipv6.mtu).
    ipv6_mtu: int | None = None
    #: The MAC address the interface is given (ifcfg MACADDR, netplan macaddress).
    mac: str | None = None
    #: Brought up at boot (ONBOOT, connection.autoconnect; netplan activation-mode: manual when not).
    autoconnect: bool = True
    #: The firewalld zone (ifcfg ZONE, NetworkManager connection.zone).
    zone: str | None = None
    #: Settings outside the model, kept as written (see ``Extra``).
    extras: list[Extra] = field(default_factory=list, compare=False)
    #: Where each setting was read, for lint and for conversion warnings.
    origin: dict[str, Location] = field(default_factory=dict, compare=False, repr=False)

    def route_list(self) -> list[Route]:
        """The routes as ``Route`` objects, whatever was appended."""
        return [Route.of(item) for item in self.routes]

    def ip_dict(self) -> dict[str, object]:
        return {
            "addresses": list(self.addresses), "gateway": self.gateway,
            "routes": [_route_dict(route) for route in self.route_list()], "dhcp4": self.dhcp4,
            "dhcp6": self.dhcp6, "never_default": self.never_default, "accept_ra": self.accept_ra,
            "nameservers": list(self.nameservers), "search": list(self.search), "mtu": self.mtu,
            "ipv6_mtu": self.ipv6_mtu, "mac": self.mac, "autoconnect": self.autoconnect, "zone": self.zone,
        }


def _route_dict(route: Route) -> dict[str, object]:
    """A route in ``show --json``: always the same object, whatever the route says."""
    return {"to": route.to, "via": route.via, "metric": route.metric, "on_link": route.on_link,
            "table": route.table}


@dataclass
class VlanSpec(IPConfig):
    """A VLAN whose parent is the bond (``bond0.53``, netplan ``vlans:`` with ``link: bond0``)."""

    name: str = ""
    id: int = 0


@dataclass
class BridgeSpec(IPConfig):
    """A bridge the bond is a port of; when it exists, the host's address usually lives on it."""

    name: str = ""
    #: Spanning tree as the file says it (None: the tool's default).
    stp: bool | None = None


@dataclass
class EthernetSpec(IPConfig):
    """A plain NIC of the same host that is not part of the bond (the management interface)."""

    name: str = ""
    #: The permanent MAC address the configuration is pinned to (HWADDR, netplan match: macaddress).
    hwaddr: str | None = None


@dataclass
class SlaveSpec:
    """One NIC enslaved to the bond (the kernel says slave; netplan and NetworkManager say port)."""

    name: str
    mac: str | None = None
    #: The permanent hardware address the configuration is pinned to (ifcfg HWADDR, netplan match:
    #: macaddress): six bytes for Ethernet, twenty for an IPoIB (InfiniBand) port.
    hwaddr: str | None = None
    #: netplan ``match:`` by other than the MAC address: ``{"name": "enp*"}``, ``{"driver": "ixgbe"}``.
    match: dict[str, str] = field(default_factory=dict)
    mtu: int | None = None
    ethtool_opts: str | None = None
    #: Settings outside the model, kept as written.
    extras: list[Extra] = field(default_factory=list, compare=False, repr=False)
    #: Where the slave's own configuration was read (an ifcfg file, a netplan ethernets entry).
    origin: Location | None = field(default=None, compare=False, repr=False)
    #: "ethernet", or "infiniband" for an IPoIB port (ifcfg TYPE=InfiniBand, nmcli type infiniband, a
    #: twenty-byte hardware address): ifcfg and nmcli write the type, since NetworkManager matches on it.
    kind: str = field(default="ethernet", compare=False)
    #: The netplan id of the ethernets entry this member came from, when the files were netplan's.
    netplan_id: str | None = field(default=None, compare=False, repr=False)
    #: Whether ``name`` is the name the kernel gives the NIC. netplan fixes it with set-name, with
    #: match: name (one exact name), or by the id itself when nothing is matched; a member matched by
    #: MAC address, driver or a name pattern without set-name keeps whatever name the kernel gives it,
    #: and ``name`` is then its netplan id.
    name_known: bool = field(default=True, compare=False)

    @property
    def infiniband(self) -> bool:
        return self.kind == "infiniband" or bool(self.hwaddr and len(self.hwaddr) > 17)

    def to_dict(self) -> dict[str, object]:
        """A member in ``show --json``: ``name`` is the kernel's name, or the netplan id when
        ``name_known`` is false."""
        return {"name": self.name, "name_known": self.name_known, "netplan_id": self.netplan_id,
                "kind": "infiniband" if self.infiniband else "ethernet", "hwaddr": self.hwaddr,
                "match": dict(self.match), "mac": self.mac, "mtu": self.mtu}


@dataclass
class BondSpec(IPConfig):
    """A bond: its name, mode, kernel options, slaves, and the interfaces stacked on it.

    ``options`` maps kernel option names to normalised values (words, ints, or a tuple for
    arp_ip_target); ``mode`` is kept apart because every format treats it apart.
    """

    name: str = "bond0"
    mode: str = "active-backup"
    options: dict[str, object] = field(default_factory=dict)
    slaves: list[SlaveSpec] = field(default_factory=list)
    vlans: list[VlanSpec] = field(default_factory=list)
    bridge: BridgeSpec | None = None
    ethtool_opts: str | None = None
    #: netplan's ``renderer:`` (networkd or NetworkManager) when the file names one.
    renderer: str | None = None
    #: The network namespace the bond is made in (``ip -n NS``, ``ip netns exec NS``); None: the host's.
    netns: str | None = None
    #: Options the kernel does not know, as written: lint reports them.
    unknown_options: dict[str, str] = field(default_factory=dict, compare=False)
    #: What the parser noticed about this bond's files that only lint reports (see ``Note``).
    notes: list[Note] = field(default_factory=list, compare=False, repr=False)
    #: Interfaces of the same netplan files that are not part of the bond (see ``OtherInterface``).
    others: list[OtherInterface] = field(default_factory=list, compare=False, repr=False)

    @property
    def slave_names(self) -> list[str]:
        return [slave.name for slave in self.slaves]

    def option(self, name: str, default: object = None) -> object:
        return self.options.get(name, default)

    def set_option(self, name: str, value: object, where: Location | None = None) -> None:
        """Store an option in kernel form; unknown names are kept aside for lint."""
        source, line = (where.source, where.line) if where else (None, None)
        if name == "mode":
            self.mode = normalize_mode(value, source=source, line=line)
        elif name in KNOWN_OPTIONS:
            self.options[name] = normalize_option(name, value, source=source, line=line)
        else:
            self.unknown_options[name] = str(value)
        if where:
            self.origin[name] = where

    def interfaces(self) -> list[tuple[str, IPConfig]]:
        """Every interface of this bond that carries IP settings: the bond, its VLANs, its bridge."""
        result: list[tuple[str, IPConfig]] = [(self.name, self)]
        result += [(vlan.name, vlan) for vlan in self.vlans]
        if self.bridge:
            result.append((self.bridge.name, self.bridge))
        result += [(other.conf.name, other.conf) for other in self.others if other.conf is not None]
        return result

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``bondkit show``: kernel option names, lists for tuples, every route an
        object; bondkit/schemas/show.schema.json describes it, and the tests hold the output to it."""
        data: dict[str, object] = {
            "name": self.name,
            "mode": self.mode,
            "options": {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(self.options.items())},
            "slaves": self.slave_names,
            "members": [slave.to_dict() for slave in self.slaves],
            "addresses": list(self.addresses),
            "gateway": self.gateway,
            "routes": [_route_dict(route) for route in self.route_list()],
            "dhcp4": self.dhcp4,
        }
        more = {key: value for key, value in self.ip_dict().items() if key not in data}
        data.update(more)
        data["vlans"] = [{"name": v.name, "id": v.id, **v.ip_dict()} for v in self.vlans]
        data["bridge"] = ({"name": self.bridge.name, "stp": self.bridge.stp, **self.bridge.ip_dict()}
                          if self.bridge else None)
        data["renderer"] = self.renderer
        data["netns"] = self.netns
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BondSpec:
        mode = normalize_mode(data.get("mode", "active-backup"))
        spec = cls(name=str(data.get("name", "bond0")), mode=mode)
        for name, value in dict(data.get("options") or {}).items():
            spec.set_option(name, value)
        spec.slaves = [SlaveSpec(str(name)) for name in data.get("slaves") or []]
        spec.addresses = [str(a) for a in data.get("addresses") or []]
        spec.gateway = data.get("gateway") or None
        spec.routes = [Route(**r) if isinstance(r, dict) else Route(str(r[0]), str(r[1]))
                       for r in data.get("routes") or []]
        spec.dhcp4 = bool(data.get("dhcp4", False))
        return spec

    def kernel_options(self) -> list[tuple[str, str]]:
        """(name, value) pairs as sysfs and ``BONDING_OPTS`` take them, mode first.

        The order is one the kernel accepts when written one by one: mode before anything else,
        monitoring intervals before the delays that must be multiples of them.
        """
        pairs = [("mode", self.mode)]
        for name in KNOWN_OPTIONS:
            if name in self.options:
                value = self.options[name]
                pairs.append((name, ",".join(value) if isinstance(value, tuple) else str(value)))
        return pairs

