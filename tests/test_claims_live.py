"""The claims of ``notebooks/claims.yaml`` that the lab can show, checked on the kernel itself.

Each test reads what the kernel reports, the way a student would: ``/proc/net/bonding/bond0`` and
``ip -d -j link`` on the lab's guests, after building the bond by hand with ``ip`` and breaking a link
with the lab's faults (``carrier-loss`` drops the virtual NIC's carrier from outside the guest). The
claim each test checks is named in the catalog (``check.test``); ``tests/test_claims.py`` keeps the two
in step.
"""

from __future__ import annotations

import json
import time

import pytest

from bondkit.notebook.demos import EXPECTED, no_monitor
from bondkit.notebook.session import LabSession
from tests.labutil import BOND_ADDRESSES, active_slave, build_bond, link, ping_ok, wait_for

pytestmark = pytest.mark.lab


def _proc(host) -> str:
    return host.run("cat /proc/net/bonding/bond0", check=True).stdout


def _macs(host) -> dict[str, str]:
    links = json.loads(host.run("ip -j link show", check=True).stdout)
    wanted = ("bond0", "enp0s8", "enp0s9")
    return {item["ifname"]: item["address"] for item in links if item["ifname"] in wanted}


def _permanent(host, ifname: str) -> str:
    return link(host, ifname).get("permaddr") or link(host, ifname)["address"]


def test_no_monitor_in_active_backup_leaves_miimon_0_and_never_fails_over(lab):
    server = lab["server"]
    build_bond(server, BOND_ADDRESSES["server"], "")
    assert "MII Polling Interval (ms): 0" in _proc(server)
    data = link(server, "bond0")["linkinfo"]["info_data"]
    assert data.get("miimon", 0) == 0 and data.get("arp_interval", 0) == 0
    before = active_slave(server)
    try:
        lab.fault("server", before, "carrier-loss")
        time.sleep(1.0)  # ten periods of the miimon=100 that is not there
        assert server.run(f"cat /sys/class/net/{before}/carrier", check=True).stdout.strip() == "0"
        assert active_slave(server) == before
    finally:
        lab.fault("server", before, "restore")
    # the notebook's demonstration (03) shows the same lines, live
    server.run("ip link del bond0", check=True)
    demo = no_monitor(LabSession(lab))
    assert demo.live
    shown = dict(demo.steps)
    for command, expected in EXPECTED.items():
        assert shown[command] == expected, command
    assert "bond0" not in server.run("ip -br link", check=True).stdout


@pytest.mark.parametrize(("mode", "miimon"), [("802.3ad", 100), ("balance-tlb", 100), ("balance-alb", 100),
                                              ("active-backup", 0), ("balance-rr", 0)])
def test_only_the_modes_without_arp_monitoring_force_miimon_100(lab, mode, miimon):
    server = lab["server"]
    server.run(f"ip link del bond1 2>/dev/null; ip link add bond1 type bond mode {mode}", check=True)
    try:
        data = link(server, "bond1")["linkinfo"]["info_data"]
        assert data["mode"] == mode and data.get("miimon", 0) == miimon
    finally:
        server.run("ip link del bond1", check=True)


def test_updelay_is_rounded_down_to_a_multiple_of_miimon(lab):
    server = lab["server"]
    build_bond(server, BOND_ADDRESSES["server"], "miimon 100 updelay 150")
    assert "Up Delay (ms): 100" in _proc(server)
    assert link(server, "bond0")["linkinfo"]["info_data"]["updelay"] == 100


@pytest.mark.parametrize("policy", ["none", "active", "follow"])
def test_each_fail_over_mac_policy_moves_the_addresses_it_says(lab, policy):
    client, server = lab["client"], lab["server"]
    build_bond(client, BOND_ADDRESSES["client"])
    build_bond(server, BOND_ADDRESSES["server"], f"miimon 100 fail_over_mac {policy}")
    own = {name: _permanent(server, name) for name in ("enp0s8", "enp0s9")}
    client_before = _macs(client)
    before = _macs(server)
    assert active_slave(server) == "enp0s8"
    try:
        lab.fault("server", "enp0s8", "admin-down")
        assert wait_for(lambda: active_slave(server) == "enp0s9")
        assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1)
        after = _macs(server)
    finally:
        lab.fault("server", "enp0s8", "restore")
    if policy == "none":  # the bond takes its first slave's address and gives it to every slave
        assert set(before.values()) == set(after.values()) == {own["enp0s8"]}
    elif policy == "active":  # the bond uses the active slave's own address; each slave keeps its own
        assert before == {"bond0": own["enp0s8"], **own}
        assert after == {"bond0": own["enp0s9"], **own}
    else:  # follow: the bond keeps its address, the new active slave is given it, the old one the other
        assert before == {"bond0": own["enp0s8"], **own}
        assert after == {"bond0": own["enp0s8"], "enp0s9": own["enp0s8"], "enp0s8": own["enp0s9"]}
    assert _macs(client) == client_before  # the client's own interfaces never change


@pytest.mark.parametrize("primary", [None, "enp0s8"])
def test_the_bond_goes_back_after_the_restore_only_with_a_primary(lab, primary):
    server = lab["server"]
    build_bond(server, BOND_ADDRESSES["server"], "miimon 100" + (f" primary {primary}" if primary else ""))
    assert active_slave(server) == "enp0s8"
    try:
        lab.fault("server", "enp0s8", "admin-down")
        assert wait_for(lambda: active_slave(server) == "enp0s9")
    finally:
        lab.fault("server", "enp0s8", "restore")
    if primary:
        assert wait_for(lambda: active_slave(server) == "enp0s8")
    else:
        time.sleep(1.0)
        assert active_slave(server) == "enp0s9"


def test_delays_are_refused_without_miimon(lab):
    """updelay and downdelay count MII periods: on a bond with ARP monitoring and no miimon, ip refuses
    them (the driver's "Unable to set ... as MII monitoring is disabled", EPERM)."""
    server = lab["server"]
    build_bond(server, BOND_ADDRESSES["server"], "arp_interval 100 arp_ip_target 192.168.99.101")
    refused = server.run("ip link set bond0 type bond downdelay 200")
    assert refused.status != 0
    assert link(server, "bond0")["linkinfo"]["info_data"].get("downdelay", 0) == 0
