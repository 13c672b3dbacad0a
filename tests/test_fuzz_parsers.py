"""Property tests: parse(render(spec)) == spec in every format, and junk never escapes as a crash.

``bond_specs`` is the strategy for random bonds; test_netplan_generate.py imports it too.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondkit import formats
from bondkit.errors import BondkitError
from bondkit.formats import netplan
from bondkit.lint import lint_spec
from bondkit.spec import (
    ENUM_OPTIONS,
    KNOWN_OPTIONS,
    MODES,
    BondSpec,
    BridgeSpec,
    IPConfig,
    Route,
    SlaveSpec,
    VlanSpec,
)
from tests.test_formats import reparse

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IFNAMES = st.from_regex(r"(eth|enp0s|ens|em)[0-9]{1,2}", fullmatch=True)
BOND_NAMES = st.from_regex(r"bond[0-9]{1,2}", fullmatch=True)
MACS = st.from_regex(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", fullmatch=True)
#: An IPoIB port's hardware address: 4 bytes of queue pair number, then the 16-byte port GID.
IB_HWADDRS = st.from_regex(r"80:00:0[0-9]:[0-9a-f]{2}:fe:80(:00){6}(:[0-9a-f]{2}){8}", fullmatch=True)
IPV4 = st.ip_addresses(v=4).map(str)
#: Addresses a real peer (netplan) takes without question: private ranges, usual prefixes.
LAB_IPV4 = st.ip_addresses(network="10.0.0.0/8").map(str)
LAB_IPV6 = st.ip_addresses(network="2001:db8::/32").map(str)

#: Kernel-sized values; lint, not the parsers, judges ranges, but the peers should see sane numbers.
_INTS = {
    "num_grat_arp": (0, 255),
    "num_unsol_na": (0, 255),
    "resend_igmp": (0, 255),
    "all_slaves_active": (0, 1),
    "use_carrier": (0, 1),
    "tlb_dynamic_lb": (0, 1),
    "lp_interval": (1, 100),
    "packets_per_slave": (0, 65535),
    "ad_actor_sys_prio": (1, 65535),
    "ad_user_port_key": (0, 1023),
    "min_links": (0, 16),
}


def _interface(
    v4: st.SearchStrategy[str], v6: st.SearchStrategy[str], version: int
) -> st.SearchStrategy[str]:
    addresses, low, high = (v4, 8, 32) if version == 4 else (v6, 16, 128)
    return st.tuples(addresses, st.integers(low, high)).map(
        lambda t: str(ipaddress.ip_interface(f"{t[0]}/{t[1]}"))
    )


def _option_value(name: str, slaves: list[str]) -> st.SearchStrategy[object]:
    if name in ENUM_OPTIONS:
        return st.sampled_from(ENUM_OPTIONS[name])
    if name in ("primary", "active_slave"):
        return st.sampled_from(slaves) if slaves else IFNAMES
    if name == "arp_ip_target":
        return st.lists(LAB_IPV4, min_size=1, max_size=4, unique=True)
    if name == "ad_actor_system":
        return MACS
    low, high = _INTS.get(name, (0, 60000))
    return st.integers(low, high)


@st.composite
def bond_specs(draw: st.DrawFn, fmt: str = "ifcfg", lab: bool = False) -> BondSpec:
    """A random bond that format ``fmt`` can express; ``lab`` keeps addresses and names realistic enough
    for a strict peer (netplan generate): primary among the slaves, private addresses."""
    slaves = draw(st.lists(IFNAMES, max_size=3, unique=True))
    supported = netplan.SUPPORTED_OPTIONS if fmt in ("netplan", "any") else KNOWN_OPTIONS
    names = draw(st.lists(st.sampled_from(supported), max_size=6, unique=True))
    if (lab or fmt in ("netplan", "any")) and "primary" in names and not slaves:
        names.remove("primary")  # netplan generate refuses a primary that is none of the bond's interfaces
    spec = BondSpec(name=draw(BOND_NAMES), mode=draw(st.sampled_from(MODES)))
    for name in names:
        spec.set_option(name, draw(_option_value(name, slaves)))
    spec.slaves = [SlaveSpec(name, draw(st.none() | MACS)) for name in slaves]
    if fmt != "ip":  # ip commands cannot pin a NIC or give a slave its own MTU
        for slave in spec.slaves:
            slave.hwaddr = draw(st.none() | MACS | IB_HWADDRS)
            slave.mtu = draw(st.none() | st.integers(576, 9000))
            if slave.hwaddr and len(slave.hwaddr) > 17:
                slave.kind, slave.mac = "infiniband", None  # an IPoIB port has no MAC address to set
            if fmt == "netplan" and slave.hwaddr:
                # matched and not renamed: netplan leaves the NIC the kernel's name (the id is its name here)
                slave.netplan_id, slave.name_known = slave.name, draw(st.booleans())
    v4, v6 = (LAB_IPV4, LAB_IPV6) if lab else (IPV4, st.ip_addresses(v=6).map(str))
    spec.addresses = draw(st.lists(_interface(v4, v6, 4), max_size=2, unique=True)) + draw(
        st.lists(_interface(v4, v6, 6), max_size=2, unique=True)
    )
    spec.gateway = draw(st.none() | v4 | (LAB_IPV6 if lab else st.ip_addresses(v=6).map(str)))
    networks = st.tuples(v4, st.integers(8, 32)).map(
        lambda t: str(ipaddress.ip_network(f"{t[0]}/{t[1]}", False))
    )
    spec.routes = draw(st.lists(st.tuples(networks, v4), max_size=2, unique=True))
    spec.dhcp4 = False if fmt == "ip" else draw(st.booleans())
    spec.routes += draw(st.lists(ROUTES(networks, v4), max_size=2))
    spec.routes = _unique_routes(spec.routes)
    spec.mtu = draw(st.none() | st.integers(576, 9000))
    spec.mac = draw(st.none() | MACS)
    _draw_ip_extras(draw, spec, fmt)
    spec.vlans = [_draw_vlan(draw, spec.name, vid, fmt, v4) for vid in draw(
        st.lists(st.integers(1, 4094), max_size=2, unique=True))]
    if draw(st.booleans()):
        spec.bridge = BridgeSpec(name=f"br{draw(st.integers(0, 9))}", stp=draw(st.none() | st.booleans()))
        spec.bridge.addresses = draw(st.lists(_interface(v4, v6, 4), max_size=2, unique=True))
        _draw_ip_extras(draw, spec.bridge, fmt)
        # A bridge port carries no IP settings of its own (NetworkManager does not even take them).
        spec.addresses, spec.gateway, spec.routes, spec.dhcp4 = [], None, [], False
        spec.dhcp6, spec.accept_ra, spec.nameservers, spec.search = False, None, [], []
        spec.never_default, spec.ipv6_mtu = False, None
    if fmt == "netplan":
        spec.renderer = draw(st.none() | st.sampled_from(["networkd", "NetworkManager"]))
        if spec.renderer == "NetworkManager":  # netplan generate: no ipv6-mtu for NetworkManager
            for _, conf in spec.interfaces():
                conf.ipv6_mtu = None
    if fmt == "ip":  # a bond made in a network namespace (ip -n NS): only ip commands say so
        spec.netns = draw(st.none() | st.from_regex(r"ns-[a-z0-9]{1,8}", fullmatch=True))
    return spec


def _unique_routes(routes: list) -> list:
    """Routes as a tool keeps them: the same route twice is one route (netplan and the kernel merge them)."""
    seen: set[tuple[object, ...]] = set()
    unique = []
    for route in routes:
        if Route.of(route).key() not in seen:
            seen.add(Route.of(route).key())
            unique.append(route)
    return unique


#: Routes with what real configurations add: a metric, a table, on-link.
def ROUTES(networks: st.SearchStrategy[str], via: st.SearchStrategy[str]) -> st.SearchStrategy[Route]:  # noqa: N802
    return st.builds(Route, networks, via, st.none() | st.integers(0, 4096), st.booleans(),
                     st.none() | st.integers(1, 252))


def _draw_ip_extras(draw: st.DrawFn, conf: IPConfig, fmt: str) -> None:
    """DNS, DHCPv6, router advertisements and boot-time activation, as far as ``fmt`` can say them."""
    if fmt == "ip":
        return
    conf.nameservers = draw(st.lists(LAB_IPV4, max_size=2, unique=True))
    conf.search = draw(st.lists(st.from_regex(r"[a-z]{2,8}\.example", fullmatch=True), max_size=2,
                                unique=True))
    conf.autoconnect = draw(st.booleans())
    conf.ipv6_mtu = draw(st.none() | st.integers(1280, 9000))
    conf.zone = draw(st.none() | st.sampled_from(["public", "internal", "trusted"])) if fmt in (
        "ifcfg", "nmcli") else None
    conf.never_default = fmt in ("ifcfg", "nmcli") and conf.dhcp4 and not conf.gateway and draw(st.booleans())
    conf.dhcp6 = draw(st.booleans())
    has_v6 = any(":" in address for address in conf.addresses)
    if fmt in ("nmcli", "any"):
        # NetworkManager has ipv6.method auto (RA and DHCPv6), dhcp (DHCPv6 alone), disabled, manual.
        choices = [True, False] if conf.dhcp6 else [None] if has_v6 else [None, False]
    else:
        choices = [None, True, False]
    conf.accept_ra = draw(st.sampled_from(choices))


def _draw_vlan(draw: st.DrawFn, bond: str, vid: int, fmt: str, v4: st.SearchStrategy[str]) -> VlanSpec:
    vlan = VlanSpec(name=f"{bond}.{vid}", id=vid)
    vlan.addresses = draw(st.lists(_interface(v4, v4, 4), max_size=2, unique=True))
    vlan.gateway = draw(st.none() | v4)
    vlan.mtu = draw(st.none() | st.integers(576, 9000))
    _draw_ip_extras(draw, vlan, fmt)
    vlan.dhcp4 = False if fmt == "ip" else draw(st.booleans())
    return vlan


# ----------------------------------------------------------------------------------------- round trip


@FAST
@pytest.mark.parametrize("fmt", list(formats.FORMATS))
@given(data=st.data())
def test_round_trip(fmt: str, data: st.DataObject) -> None:
    spec = data.draw(bond_specs(fmt))
    (back,) = reparse(spec, fmt)
    assert back == spec
    # What equality does not compare: an IPoIB port stays one (ifcfg and nmcli write its type), a bond
    # stays in its namespace, and a netplan member the kernel names itself is still not renamed.
    assert [s.infiniband for s in back.slaves] == [s.infiniband for s in spec.slaves]
    assert back.netns == spec.netns
    if fmt == "netplan":
        assert [s.name_known for s in back.slaves] == [s.name_known for s in spec.slaves]


@FAST
@given(bond_specs("any"), st.permutations(["ifcfg", "netplan", "nmcli"]))
def test_conversions_keep_meaning(spec: BondSpec, order: list[str]) -> None:
    current = spec
    for fmt in order:
        (current,) = reparse(current, fmt)
        assert not formats.losses(current, "ifcfg" if fmt != "ifcfg" else "nmcli")
    assert current == spec
    assert [s.infiniband for s in current.slaves] == [s.infiniband for s in spec.slaves]


# ----------------------------------------------------------------------------------------------- junk


def _only_bondkit_errors(text: str, source: str, fmt: str) -> None:
    """Strict and lenient (lint's) parsing both either work or raise a BondkitError; nothing else."""
    for notes in (None, []):
        try:
            specs = formats.parse_text(text, source, fmt, notes=notes)
        except BondkitError as exc:
            assert exc.message("ko") and exc.message("en")
            continue
        for spec in specs:
            lint_spec(spec)
            for target in formats.FORMATS:
                try:
                    formats.render(spec, target)
                except BondkitError:
                    pass
                # A conversion never refuses what it cannot say: it writes the rest and lists the losses.
                formats.render(spec, target, whole=True)
                for loss in formats.losses(spec, target):
                    assert loss.message("en") and loss.message("ko")


_SOURCES = {"ifcfg": "ifcfg-bond0", "netplan": "bond0.yaml", "nmcli": "bond0-nmcli.sh", "ip": "bond0-ip.sh"}
_SEED_TEXTS = [
    p.read_text()
    for p in sorted((Path(__file__).resolve().parent.parent / "data" / "seed").rglob("*"))
    if p.is_file() and (p.name.startswith("ifcfg-") or p.suffix == ".yaml")
]
_ALPHABET = st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "Cc"])


@FUZZ
@given(st.sampled_from(list(formats.FORMATS)), st.text(alphabet=_ALPHABET, max_size=300))
def test_junk_text(fmt: str, text: str) -> None:
    _only_bondkit_errors(text, _SOURCES[fmt], fmt)


@FUZZ
@given(st.binary(max_size=300))
def test_junk_bytes_through_load(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("junk") / "ifcfg-bond0"
    path.write_bytes(data)
    for lint_mode in (False, True):
        try:
            formats.read(path.parent, lint=lint_mode)
        except BondkitError:
            pass


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    """A rendered or seed configuration, cut, spliced or sprinkled with YAML and shell syntax."""
    fmt = draw(st.sampled_from(list(formats.FORMATS)))
    spec = draw(bond_specs("netplan" if fmt == "netplan" else "ip" if fmt == "ip" else "ifcfg"))
    texts = list(formats.render(spec, fmt).values())
    if fmt in ("ifcfg", "netplan"):
        texts += _SEED_TEXTS
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "truncate", "swap"]))
        if action == "cut":
            text = text[:position] + text[position + draw(st.integers(1, 20)) :]
        elif action == "truncate":
            text = text[:position]
        elif action == "swap":
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        else:
            piece = draw(
                st.sampled_from(
                    [
                        "\t",
                        ":",
                        "- ",
                        "{",
                        "[",
                        '"',
                        "'",
                        "=",
                        "\\",
                        "#",
                        "&a ",
                        "*a",
                        "!!",
                        "\n  ",
                        " x",
                        "=1",
                        "0",
                        "-1",
                        "99999999999999999999",
                        ",",
                        "\x00",
                    ]
                )
                | st.text(max_size=5)
            )
            text = text[:position] + piece + text[position:]
    return fmt, text


@FUZZ
@given(mutated())
def test_mutated_configurations(case: tuple[str, str]) -> None:
    fmt, text = case
    _only_bondkit_errors(text, _SOURCES[fmt], fmt)
