"""A real peer checks the netplan renderer: Debian's ``netplan generate`` must accept every YAML bondkit
writes and turn it into a systemd-networkd ``.netdev`` whose [Bond] keys say what the spec says.

The test installs nothing (set-up installs netplan.io); without netplan it is skipped, with the reason.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from bondkit import formats
from bondkit.errors import ConfigError
from bondkit.formats import netplan
from bondkit.lint import lint
from bondkit.spec import BondSpec, SlaveSpec
from tests.test_corpus import ACCEPTED, CASES, CORPUS, REFUSED
from tests.test_fuzz_parsers import bond_specs

NETPLAN = shutil.which("netplan") or next(
    (p for p in ("/usr/sbin/netplan", "/sbin/netplan") if Path(p).exists()), None
)
pytestmark = pytest.mark.skipif(
    NETPLAN is None, reason="netplan is not installed (set-up installs netplan.io)"
)

SEED = Path(__file__).resolve().parent.parent / "data" / "seed"

#: kernel option -> (.netdev [Bond] key, how networkd writes the value). netplan leaves out zeros.
NETDEV: dict[str, tuple[str, str]] = {
    "miimon": ("MIIMonitorSec", "{}ms"),
    "updelay": ("UpDelaySec", "{}ms"),
    "downdelay": ("DownDelaySec", "{}ms"),
    "arp_interval": ("ARPIntervalSec", "{}ms"),
    "fail_over_mac": ("FailOverMACPolicy", "{}"),
    "primary_reselect": ("PrimaryReselectPolicy", "{}"),
    "num_grat_arp": ("GratuitousARP", "{}"),
    "arp_validate": ("ARPValidate", "{}"),
    "arp_all_targets": ("ARPAllTargets", "{}"),
    "all_slaves_active": ("AllSlavesActive", "{}"),
    "resend_igmp": ("ResendIGMP", "{}"),
    "lp_interval": ("LearnPacketIntervalSec", "{}"),
    "xmit_hash_policy": ("TransmitHashPolicy", "{}"),
    "lacp_rate": ("LACPTransmitRate", "{}"),
    "ad_select": ("AdSelect", "{}"),
    "min_links": ("MinLinks", "{}"),
    "packets_per_slave": ("PacketsPerSlave", "{}"),
}


def generate(spec: BondSpec) -> Path:
    """Render ``spec``, run ``netplan generate`` on it in a scratch root, return the networkd directory."""
    root = Path(tempfile.mkdtemp(prefix="bondkit-netplan-"))
    etc = root / "etc" / "netplan"
    etc.mkdir(parents=True)
    for name, text in netplan.render(spec, whole=True).items():
        (etc / name).write_text(text)
        (etc / name).chmod(0o600)
    done = subprocess.run(
        [NETPLAN, "generate", "--root-dir", str(root)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"netplan generate refused:\n{done.stderr}\n{netplan.render(spec)}"
    return root / "run" / "systemd" / "network"


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(path.read_text())
    return unit


def check(spec: BondSpec) -> None:
    network = generate(spec)
    try:
        if spec.renderer == "NetworkManager":  # netplan writes NetworkManager keyfiles instead
            keyfiles = network.parent.parent / "NetworkManager" / "system-connections"
            assert f"mode={spec.mode}" in (keyfiles / f"netplan-{spec.name}.nmconnection").read_text()
            return
        netdev = read_unit(network / f"10-netplan-{spec.name}.netdev")
        assert netdev["NetDev"]["Kind"] == "bond" and netdev["NetDev"]["Name"] == spec.name
        bond = dict(netdev["Bond"]) if netdev.has_section("Bond") else {}
        assert bond.pop("Mode") == spec.mode
        for option, value in spec.options.items():
            if option in ("primary", "arp_ip_target"):
                continue
            key, form = NETDEV[option]
            if value in (0, False) and key not in bond:
                continue  # netplan writes nothing for a zero: the kernel's default
            assert bond.pop(key) == form.format(value), (option, value)
        targets = spec.options.get("arp_ip_target")
        if targets:
            assert bond.pop("ARPIPTargets").split() == list(targets)
        assert bond == {}, f"keys the spec did not ask for: {bond}"
        for slave in spec.slaves:
            unit = read_unit(network / f"10-netplan-{slave.name}.network")
            assert unit["Network"]["Bond"] == spec.name
            assert (unit["Network"].get("PrimarySlave") == "true") == (
                spec.options.get("primary") == slave.name
            )
        for interface, conf in spec.interfaces():
            check_interface(network, interface, conf)
        check_stack(spec, network)
    finally:
        shutil.rmtree(network.parent.parent.parent, ignore_errors=True)


@pytest.mark.parametrize(
    "seed",
    ["centos/client", "centos/server", "ubuntu/client", "ubuntu/server"],
)
def test_seed_rendered_as_netplan(seed: str) -> None:
    (spec,) = formats.load(SEED / seed)
    check(spec)


def test_every_netplan_parameter() -> None:
    spec = BondSpec(
        name="bond0",
        mode="active-backup",
        slaves=[SlaveSpec("eth1"), SlaveSpec("eth2", "02:00:00:00:00:02")],
        addresses=["10.0.0.5/24", "2001:db8::5/64"],
        gateway="10.0.0.1",
        routes=[("10.9.0.0/16", "10.0.0.254")],
    )
    values = {
        "miimon": 100,
        "updelay": 200,
        "downdelay": 300,
        "fail_over_mac": "follow",
        "primary": "eth2",
        "primary_reselect": "failure",
        "num_grat_arp": 5,
        "arp_interval": 0,
        "arp_ip_target": ["10.0.0.1", "10.0.0.2"],
        "arp_validate": "all",
        "arp_all_targets": "all",
        "all_slaves_active": 1,
        "resend_igmp": 3,
        "lp_interval": 2,
        "xmit_hash_policy": "layer3+4",
        "lacp_rate": "fast",
        "ad_select": "count",
        "min_links": 1,
        "packets_per_slave": 4,
    }
    for name, value in values.items():
        spec.set_option(name, value)
    assert set(spec.options) == set(netplan.SUPPORTED_OPTIONS)
    check(spec)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bond_specs("netplan", lab=True))
def test_random_bonds(spec: BondSpec) -> None:
    check(spec)


# ------------------------------------------------------------------ the corpus, and what networkd is told


def sections(path: Path) -> list[tuple[str, dict[str, list[str]]]]:
    """A systemd unit as written: sections in order (several [Route]), each key with all its values."""
    result: list[tuple[str, dict[str, list[str]]]] = []
    for line in path.read_text().splitlines():
        if line.startswith("[") and line.endswith("]"):
            result.append((line[1:-1], {}))
        elif "=" in line and result:
            key, value = line.split("=", 1)
            result[-1][1].setdefault(key, []).append(value)
    return result


def values(units: list[tuple[str, dict[str, list[str]]]], section: str, key: str) -> list[str]:
    return [v for name, keys in units if name == section for v in keys.get(key, [])]


def check_interface(network: Path, name: str, conf) -> None:
    """The .network file of one interface says what the spec says about its IP settings."""
    unit = sections(network / f"10-netplan-{name}.network")
    assert values(unit, "Network", "Address") == list(conf.addresses), name
    assert values(unit, "Network", "DNS") == list(conf.nameservers), name
    assert values(unit, "Network", "Domains") == ([" ".join(conf.search)] if conf.search else []), name
    dhcp = {(True, True): ["yes"], (True, False): ["ipv4"], (False, True): ["ipv6"], (False, False): []}
    assert values(unit, "Network", "DHCP") == dhcp[(conf.dhcp4, conf.dhcp6)], name
    if conf.accept_ra is not None:
        assert values(unit, "Network", "IPv6AcceptRA") == ["yes" if conf.accept_ra else "no"], name
    routes = [keys for section, keys in unit if section == "Route"]
    wanted = [{"Destination": ["::/0" if ":" in conf.gateway else "0.0.0.0/0"], "Gateway": [conf.gateway]}
              ] if conf.gateway else []
    for route in conf.route_list():
        entry = {"Destination": [route.to]}
        entry.update({"Gateway": [route.via]} if route.via else {})
        entry.update({"Metric": [str(route.metric)]} if route.metric is not None else {})
        entry.update({"Table": [str(route.table)]} if route.table is not None else {})
        entry.update({"GatewayOnLink": ["true"]} if route.on_link else {})
        wanted.append(entry)
    kept = ("Destination", "Gateway", "Metric", "Table", "GatewayOnLink")
    assert [{k: v for k, v in r.items() if k in kept} for r in routes] == wanted, name
    if not conf.autoconnect:
        assert values(unit, "Link", "ActivationPolicy") == ["manual"], name
    assert values(unit, "Network", "IPv6MTUBytes") == ([str(conf.ipv6_mtu)] if conf.ipv6_mtu else []), name


def check_stack(spec: BondSpec, network: Path) -> None:
    """VLANs, bridge, MTU and MAC address of the bond as networkd gets them."""
    bond_unit = sections(network / f"10-netplan-{spec.name}.network")
    netdev = sections(network / f"10-netplan-{spec.name}.netdev")
    assert values(bond_unit, "Network", "VLAN") == [vlan.name for vlan in spec.vlans]
    assert values(bond_unit, "Network", "Bridge") == ([spec.bridge.name] if spec.bridge else [])
    assert values(netdev, "NetDev", "MTUBytes") == ([str(spec.mtu)] if spec.mtu else [])
    assert values(netdev, "NetDev", "MACAddress") == ([spec.mac] if spec.mac else [])
    for vlan in spec.vlans:
        vlan_dev = sections(network / f"10-netplan-{vlan.name}.netdev")
        assert values(vlan_dev, "NetDev", "Kind") == ["vlan"]
        assert values(vlan_dev, "VLAN", "Id") == [str(vlan.id)]
    if spec.bridge:
        bridge_dev = sections(network / f"10-netplan-{spec.bridge.name}.netdev")
        assert values(bridge_dev, "NetDev", "Kind") == ["bridge"]
        if spec.bridge.stp is not None:
            assert values(bridge_dev, "Bridge", "STP") == ["true" if spec.bridge.stp else "false"]
    for slave in spec.slaves:
        if slave.hwaddr:
            unit = sections(network / f"10-netplan-{slave.name}.network")
            assert values(unit, "Match", "PermanentMACAddress") == [slave.hwaddr]
            assert values(unit, "Network", "Bond") == [spec.name]


def generate_files(files: dict[str, str]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="bondkit-netplan-"))
    etc = root / "etc" / "netplan"
    etc.mkdir(parents=True)
    for name, text in files.items():
        (etc / name).write_text(text)
        (etc / name).chmod(0o600)
    done = subprocess.run(
        [NETPLAN, "generate", "--root-dir", str(root)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"netplan generate refused:\n{done.stderr}\n{files}"
    return root / "run" / "systemd" / "network"


@pytest.mark.parametrize("name", ACCEPTED)
def test_corpus_converted_to_netplan_is_accepted_and_means_the_same(name: str) -> None:
    """Every corpus entry, converted to netplan whole (the management NIC too), is accepted by the real
    netplan generate, and networkd is told the bond's options, addresses, routes, DNS, VLANs and bridge."""
    result = formats.convert_all(CORPUS / name, "netplan")
    network = generate_files(result.files)
    try:
        for spec in result.specs:
            if spec.renderer == "NetworkManager":  # netplan writes NetworkManager keyfiles instead
                keyfiles = network.parent.parent / "NetworkManager" / "system-connections"
                keyfile = (keyfiles / f"netplan-{spec.name}.nmconnection").read_text()
                assert "type=bond" in keyfile and f"mode={spec.mode}" in keyfile
                continue
            netdev = read_unit(network / f"10-netplan-{spec.name}.netdev")
            assert netdev["Bond"]["Mode"] == spec.mode
            for interface, conf in spec.interfaces():
                check_interface(network, interface, conf)
            check_stack(spec, network)
    finally:
        shutil.rmtree(network.parent.parent.parent, ignore_errors=True)


@pytest.mark.parametrize("name", [n for n in REFUSED if any((CORPUS / n).glob("*.yaml"))])
def test_corpus_refusals_are_netplans_own(name: str) -> None:
    """What bondkit refuses in a netplan file, the real netplan generate refuses too, at the same line and
    for the reason the corpus gives."""
    root = Path(tempfile.mkdtemp(prefix="bondkit-netplan-"))
    try:
        etc = root / "etc" / "netplan"
        etc.mkdir(parents=True)
        for path in (CORPUS / name).glob("*.yaml"):
            (etc / path.name).write_text(path.read_text())
            (etc / path.name).chmod(0o600)
        done = subprocess.run([NETPLAN, "generate", "--root-dir", str(root)], capture_output=True,
                              text=True, timeout=60)
        case = CASES[name]
        assert done.returncode != 0
        assert f".yaml:{case['line']}:" in done.stderr
        assert case["owner"].split(": ", 1)[1] in done.stderr, done.stderr
    finally:
        shutil.rmtree(root, ignore_errors=True)


NETPLAN_ACCEPTED = [n for n in ACCEPTED if any((CORPUS / n).glob("*.yaml"))]


@pytest.mark.parametrize("name", NETPLAN_ACCEPTED)
def test_corpus_netplan_files_as_written_are_netplans_own(name: str) -> None:
    """Every netplan entry of the corpus, as written, is accepted by the real netplan generate, and what
    networkd is told agrees with what bondkit read: the bond's mode, its members (by netplan id), each
    member's name as show states it (a .link renaming the NIC to ``name`` exactly when set-name fixes
    it; no renaming when the kernel keeps its own name) and the IPv6 MTU."""
    files = {path.name: path.read_text() for path in (CORPUS / name).glob("*.yaml")}
    network = generate_files(files)
    try:
        for spec in formats.load(CORPUS / name):
            if spec.renderer == "NetworkManager":
                continue
            assert read_unit(network / f"10-netplan-{spec.name}.netdev")["Bond"]["Mode"] == spec.mode
            for slave in spec.slaves:
                unit = sections(network / f"10-netplan-{slave.netplan_id}.network")
                assert values(unit, "Network", "Bond") == [spec.name]
                link = network / f"10-netplan-{slave.netplan_id}.link"
                renamed = values(sections(link), "Link", "Name") if link.exists() else []
                if slave.name_known and slave.name != slave.netplan_id and "name" not in slave.match:
                    assert renamed == [slave.name] or values(unit, "Match", "Name") == [slave.name]
                if not slave.name_known:
                    assert renamed == []
                    pattern = [slave.match["name"]] if "name" in slave.match else []
                    assert values(unit, "Match", "Name") == pattern
                if slave.hwaddr:
                    assert values(unit, "Match", "PermanentMACAddress") == [slave.hwaddr]
            for interface, conf in spec.interfaces():
                if conf.ipv6_mtu and interface == spec.name:
                    unit = sections(network / f"10-netplan-{interface}.network")
                    assert values(unit, "Network", "IPv6MTUBytes") == [str(conf.ipv6_mtu)]
    finally:
        shutil.rmtree(network.parent.parent.parent, ignore_errors=True)


def test_member_naming_rule_as_networkd_sees_it() -> None:
    """netplan-match-naming: uplink-a is renamed by set-name, port-b keeps the kernel's name (show says
    netplan id), enp7s0 is its exact match: name; networkd is told exactly that."""
    (spec,) = formats.load(CORPUS / "netplan-match-naming")
    assert [(s.name, s.name_known, s.netplan_id) for s in spec.slaves] == [
        ("uplink-a", True, "port-a"), ("port-b", False, "port-b"), ("enp7s0", True, "port-c")]
    network = generate_files({"30-bond.yaml": (CORPUS / "netplan-match-naming" / "30-bond.yaml").read_text()})
    try:
        assert values(sections(network / "10-netplan-port-a.link"), "Link", "Name") == ["uplink-a"]
        assert not (network / "10-netplan-port-b.link").exists()
        assert values(sections(network / "10-netplan-port-c.network"), "Match", "Name") == ["enp7s0"]
    finally:
        shutil.rmtree(network.parent.parent.parent, ignore_errors=True)


FLAGGED = Path(__file__).resolve().parent / "fixtures" / "netplan-flagged"


@pytest.mark.parametrize("path", sorted(FLAGGED.glob("*.yaml")), ids=lambda p: p.name)
def test_flagged_netplan_files_are_refused_by_netplan_where_lint_says(path: Path) -> None:
    """A primary that netplan generate refuses ("interface '...' is not defined": a typo, or the member's
    set-name where netplan wants its id): bondkit reads the file (the tutorial shows lint finding it), and
    lint says it as an error at the very line netplan names."""
    root = Path(tempfile.mkdtemp(prefix="bondkit-netplan-"))
    try:
        etc = root / "etc" / "netplan"
        etc.mkdir(parents=True)
        (etc / path.name).write_text(path.read_text())
        (etc / path.name).chmod(0o600)
        done = subprocess.run([NETPLAN, "generate", "--root-dir", str(root)], capture_output=True, text=True,
                              timeout=60)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert done.returncode != 0 and "is not defined" in done.stderr
    line = int(done.stderr.split(f"{path.name}:", 1)[1].split(":", 1)[0])
    errors = [f for f in lint(path) if f.severity == "error"]
    assert [(f.rule, f.where.line) for f in errors] == [("primary-not-slave", line)]
    assert errors[0].message("ko") and errors[0].message("en")


def test_networkmanager_renderer_refuses_ipv6_mtu_as_bondkit_does() -> None:
    text = ("network:\n  version: 2\n  renderer: NetworkManager\n  ethernets:\n    eth0: {}\n  bonds:\n"
            "    bond0:\n      interfaces: [eth0]\n      ipv6-mtu: 1400\n")
    root = Path(tempfile.mkdtemp(prefix="bondkit-netplan-"))
    try:
        etc = root / "etc" / "netplan"
        etc.mkdir(parents=True)
        (etc / "01.yaml").write_text(text)
        (etc / "01.yaml").chmod(0o600)
        done = subprocess.run([NETPLAN, "generate", "--root-dir", str(root)], capture_output=True, text=True,
                              timeout=60)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert done.returncode != 0 and "NetworkManager definitions do not support ipv6-mtu" in done.stderr
    with pytest.raises(ConfigError) as info:
        netplan.parse(text)
    assert info.value.key == "formats.netplan.nm_ipv6_mtu"
    assert "NetworkManager definitions do not support ipv6-mtu" in info.value.message("en")
