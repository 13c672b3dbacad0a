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
from bondkit.formats import netplan
from bondkit.spec import BondSpec, SlaveSpec
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
    for name, text in netplan.render(spec).items():
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
        addresses = (network / f"10-netplan-{spec.name}.network").read_text()
        for address in spec.addresses:
            assert f"Address={address}\n" in addresses
        if spec.gateway:
            assert f"Gateway={spec.gateway}\n" in addresses
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
