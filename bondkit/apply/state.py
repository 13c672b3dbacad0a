"""The live network state of a host: links, addresses, routes and bonds, read in one command.

Why in one place: the same snapshot is read four times in an apply (to check the NICs exist, to find
the NIC the SSH session runs on, to keep as the backup a rollback restores, and to verify), and each
reader wants the same shape whatever the host runs. ``ip -j`` (iproute2 >= 4.14) is used when the host
has it; older iproute2 (CentOS 7's 4.11) gets the text forms, read by :mod:`bondkit.observe` and here.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from bondkit import observe
from bondkit.formats import iproute
from bondkit.spec import BondSpec, SlaveSpec

#: The shell that prints a snapshot: sections that start with ``@@name``; needs no root.
SNAPSHOT = r"""if ip -j link show lo >/dev/null 2>&1; then
echo '@@links-json'; ip -d -j link show
echo '@@addrs-json'; ip -j addr show
echo '@@routes-json'; ip -j route show
else
echo '@@links-text'; ip -d link show
echo '@@addrs-text'; ip -o addr show
echo '@@routes-text'; ip route show
fi
for f in /proc/net/bonding/*; do [ -r "$f" ] && { echo "@@bonding ${f##*/}"; cat "$f"; }; done
true"""

#: ``ip -d -j link`` bond attribute -> kernel option name, where iproute2 spells it differently.
JSON_OPTION_NAMES = {"peer_notify_delay": "peer_notif_delay", "ad_lacp_rate": "lacp_rate",
                     "num_peer_notif": "num_grat_arp", "arp_ip_target": "arp_ip_target"}
#: Options worth carrying over when a bond is rebuilt from what the kernel shows, and the modes they
#: belong to (setting others the mode refuses would stop the rebuild).
REBUILD_OPTIONS: dict[str, tuple[str, ...] | None] = {
    "miimon": None, "updelay": None, "downdelay": None, "arp_interval": None, "arp_ip_target": None,
    "arp_validate": None, "fail_over_mac": ("active-backup",),
    "primary": ("active-backup", "balance-tlb", "balance-alb"),
    "primary_reselect": ("active-backup", "balance-tlb", "balance-alb"),
    "xmit_hash_policy": ("balance-xor", "802.3ad", "balance-tlb"),
    "lacp_rate": ("802.3ad",), "ad_select": ("802.3ad",), "min_links": ("802.3ad",),
}
REBUILD_DEFAULTS: dict[str, object] = {"updelay": 0, "downdelay": 0, "arp_interval": 0,
                                       "primary_reselect": "always", "arp_validate": "none"}
_ROUTE_WORDS = ("via", "dev", "proto", "metric", "src", "scope")


@dataclass
class Link:
    name: str
    mac: str | None
    up: bool
    master: str | None = None
    kind: str | None = None
    #: ``linkinfo.info_data`` of a bond (``ip -d -j``), else None.
    bond: dict[str, Any] | None = None
    #: The kernel's operational state (``state UP`` in ``ip link``): it follows the carrier a moment
    #: later, and only then does the link carry traffic as the student expects.
    operstate: str | None = None


@dataclass
class Address:
    cidr: str
    scope: str = "global"
    dynamic: bool = False


@dataclass
class Route:
    dst: str
    dev: str | None
    gateway: str | None = None
    protocol: str | None = None
    metric: int | None = None

    def command(self) -> str:
        """The ``ip route add`` that puts this route back."""
        words = ["ip", *(["-6"] if ":" in self.dst or ":" in (self.gateway or "") else []), "route", "add",
                 self.dst]
        words += ["via", self.gateway] if self.gateway else []
        words += ["dev", self.dev] if self.dev else []
        words += ["proto", self.protocol] if self.protocol and self.protocol not in ("boot",) else []
        words += ["metric", str(self.metric)] if self.metric is not None else []
        return " ".join(words)


@dataclass
class LiveState:
    links: dict[str, Link] = field(default_factory=dict)
    addrs: dict[str, list[Address]] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    #: ``/proc/net/bonding/<bond>`` of each bond, parsed by :func:`bondkit.observe.parse_proc_bonding`.
    bonding: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The text of each section as the host printed it (kept in the backup for the student to read).
    raw: dict[str, str] = field(default_factory=dict)
    json: bool = True

    def slaves_of(self, bond: str) -> list[str]:
        """A bond's slaves in the order the kernel enslaved them (/proc order), else by name."""
        proc = self.bonding.get(bond)
        if proc:
            return [slave["name"] for slave in proc["slaves"]]
        return sorted(name for name, link in self.links.items() if link.master == bond)

    def is_bond(self, name: str) -> bool:
        link = self.links.get(name)
        return name in self.bonding or bool(link and link.kind == "bond")

    def global_addrs(self, name: str) -> list[str]:
        return [a.cidr for a in self.addrs.get(name, []) if a.scope != "link" and a.scope != "host"]


def sections(text: str) -> dict[str, str]:
    """Split the output of :data:`SNAPSHOT` (or any ``@@name`` sectioned output) into its sections."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("@@"):
            current = found.setdefault(line[2:].strip(), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) + "\n" for name, lines in found.items()}


def parse(text: str, source: str = "snapshot") -> LiveState:
    """A LiveState from the output of :data:`SNAPSHOT`."""
    parts = sections(text)
    state = LiveState(raw=parts, json="links-json" in parts)
    for name, body in parts.items():
        if name.startswith("bonding "):
            bond = name.split(" ", 1)[1]
            state.bonding[bond] = observe.parse_proc_bonding(body, f"{source}:/proc/net/bonding/{bond}", bond)
    if state.json:
        for item in observe.parse_ip_link_json(parts["links-json"], f"{source}:ip -d -j link"):
            state.links[item["ifname"]] = Link(item["ifname"], item["mac"], "UP" in item["flags"],
                                               item["master"], item["kind"], item["bond"], item["state"])
        state.addrs = _addrs_json(parts.get("addrs-json", "[]"))
        state.routes = _routes_json(parts.get("routes-json", "[]"))
    else:
        for item in observe.parse_ip_link(parts["links-text"], f"{source}:ip -d link"):
            kind = "bond" if item["ifname"] in state.bonding else None
            state.links[item["ifname"]] = Link(item["ifname"], item["mac"], "UP" in item["flags"],
                                               item["master"], kind, operstate=item["state"])
        state.addrs = _addrs_text(parts.get("addrs-text", ""))
        state.routes = _routes_text(parts.get("routes-text", ""))
    return state


def _addrs_json(text: str) -> dict[str, list[Address]]:
    import json

    result: dict[str, list[Address]] = {}
    for item in json.loads(text or "[]"):
        result[item["ifname"]] = [
            Address(f"{info['local']}/{info['prefixlen']}", info.get("scope", "global"),
                    bool(info.get("dynamic")))
            for info in item.get("addr_info", []) if info.get("family") in ("inet", "inet6")
        ]
    return result


def _addrs_text(text: str) -> dict[str, list[Address]]:
    """``ip -o addr show``: ``2: enp0s3    inet 10.0.2.15/24 brd ... scope global dynamic enp0s3\\ ...``."""
    result: dict[str, list[Address]] = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) < 4 or words[2] not in ("inet", "inet6"):
            continue
        name = words[1].split("@", 1)[0]
        scope = words[words.index("scope") + 1] if "scope" in words[:-1] else "global"
        result.setdefault(name, []).append(Address(words[3], scope, "dynamic" in words))
    return result


def _routes_json(text: str) -> list[Route]:
    import json

    return [Route(item["dst"], item.get("dev"), item.get("gateway"), item.get("protocol"), item.get("metric"))
            for item in json.loads(text or "[]") if "dst" in item]


def _routes_text(text: str) -> list[Route]:
    """``ip route show``: ``default via 10.0.2.2 dev enp0s3 proto dhcp metric 100``."""
    routes = []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0] in ("unreachable", "blackhole", "prohibit", "broadcast", "local"):
            continue
        values = {word: words[i + 1] for i, word in enumerate(words[:-1]) if word in _ROUTE_WORDS}
        metric = values.get("metric")
        routes.append(Route(words[0], values.get("dev"), values.get("via"), values.get("proto"),
                            int(metric) if metric and metric.isdigit() else None))
    return routes


# ------------------------------------------------------------------------------------ the SSH session

_ROUTE_DEV = re.compile(r"\bdev (\S+)")


def session_nics(state: LiveState, ssh_connection: str, route_get: str) -> set[str]:
    """The interfaces the SSH session runs over: the one ``ip route get <client>`` names, the one that
    holds the server address of ``$SSH_CONNECTION``, and their bond or its slaves.

    Enslaving any of them (or replacing the bond they belong to) cuts the session.
    """
    nics: set[str] = set()
    match = _ROUTE_DEV.search(route_get)
    if match:
        nics.add(match.group(1))
    words = ssh_connection.split()
    if len(words) == 4:
        try:
            server = ipaddress.ip_address(words[2].split("%", 1)[0])
        except ValueError:
            server = None
        for name, addrs in state.addrs.items():
            if server is not None and any(ipaddress.ip_interface(a.cidr).ip == server for a in addrs):
                nics.add(name)
    for name in list(nics):
        link = state.links.get(name)
        if link and link.master:
            nics.add(link.master)
        if state.is_bond(name):
            nics.update(state.slaves_of(name))
    nics.discard("lo")
    return nics


# --------------------------------------------------------------------------- a bond as the kernel has it


def bond_spec(state: LiveState, bond: str) -> BondSpec:
    """The bond ``bond`` as it is running, as a BondSpec that ``iproute.commands`` can build again.

    Only options that mean something in the bond's mode are kept, and only those the kernel shows.
    """
    link = state.links.get(bond)
    proc = state.bonding.get(bond, {})
    data = dict(link.bond or {}) if link else {}
    options: dict[str, Any] = {JSON_OPTION_NAMES.get(k, k): v for k, v in data.items()}
    mode = str(options.pop("mode", None) or proc.get("mode") or "balance-rr")
    if not data and proc:  # old iproute2: the text of /proc/net/bonding is all there is
        options = {k: proc.get(k) for k in ("miimon", "updelay", "downdelay", "arp_interval", "primary",
                                            "primary_reselect", "fail_over_mac")}
        options["arp_ip_target"] = proc.get("arp_ip_targets")
    spec = BondSpec(name=bond, mode=mode)
    for name, modes in REBUILD_OPTIONS.items():
        value = options.get(name)
        if value in (None, "", [], ()) or (modes is not None and mode not in modes):
            continue
        if value == REBUILD_DEFAULTS.get(name):  # what the kernel does anyway: not worth a word
            continue
        if name == "arp_ip_target":
            value = list(value)
        spec.set_option(name, value)
    spec.slaves = [SlaveSpec(name) for name in state.slaves_of(bond)]
    spec.addresses = state.global_addrs(bond)
    for route in state.routes:
        if route.dev == bond and route.gateway and route.protocol != "kernel":
            if route.dst == "default" and spec.gateway is None:
                spec.gateway = route.gateway
            elif route.dst != "default":
                spec.routes.append((route.dst, route.gateway))
    return spec


def rebuild_commands(state: LiveState, bond: str) -> list[str]:
    """The ip commands that build ``bond`` again as it was (used by a rollback on a lab guest)."""
    return iproute.commands(bond_spec(state, bond))


# ------------------------------------------------------------------------------- before against after


def _describe(state: LiveState, name: str) -> dict[str, object]:
    link = state.links.get(name)
    if link is None:
        return {"present": False}
    found: dict[str, object] = {"present": True, "up": link.up, "master": link.master,
                                "addresses": sorted(state.global_addrs(name))}
    if state.is_bond(name):
        spec = bond_spec(state, name)
        found.update(mode=spec.mode, options=dict(sorted(spec.options.items())),
                     slaves=sorted(spec.slave_names))
    else:
        found["mac"] = link.mac
    found["routes"] = sorted(route.command() for route in state.routes
                             if route.dev == name and route.protocol != "kernel")
    return found


def differences(before: LiveState, after: LiveState, names: list[str]) -> list[str]:
    """What differs between two snapshots for the interfaces ``names`` (empty: as it was)."""
    found = []
    for name in names:
        old, new = _describe(before, name), _describe(after, name)
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                found.append(f"{name} {key}: {old.get(key)!r} -> {new.get(key)!r}")
    return found
