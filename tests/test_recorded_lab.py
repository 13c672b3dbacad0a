"""The parsers on real kernel output recorded in the lab, and the fail_over_mac stories it tells.

These files come from scripts/record_observations.py (the real bonding driver in a lab guest, recorded
on the lab's earlier User-Mode Linux engine), so the assertions here are the kernel documentation's,
checked against what the kernel really printed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bondkit.lab.topology import vbox_mac
from bondkit.observe import guess_kind, parse_file

RECORDED = Path(__file__).resolve().parent.parent / "data" / "recorded" / "lab"
ENP0S8, ENP0S9 = vbox_mac("server", "enp0s8"), vbox_mac("server", "enp0s9")


def macs(stem: str, suffix: str) -> dict[str, str]:
    _, links = parse_file(RECORDED / f"{stem}.{suffix}")
    return {link["ifname"]: link["mac"] for link in links if link["ifname"] in ("bond0", "enp0s8", "enp0s9")}


@pytest.mark.parametrize("suffix", ["ip-link.txt", "ip-link.json"])
def test_text_and_json_agree_and_tell_each_policy_story(suffix):
    # none: one MAC for the bond and both slaves, before and after.
    for moment in ("before", "after"):
        assert set(macs(f"none-{moment}", suffix).values()) == {ENP0S8}
    # active: the bond takes the new active slave's own MAC; slaves keep theirs.
    assert macs("active-before", suffix) == {"enp0s8": ENP0S8, "enp0s9": ENP0S9, "bond0": ENP0S8}
    assert macs("active-after", suffix) == {"enp0s8": ENP0S8, "enp0s9": ENP0S9, "bond0": ENP0S9}
    # follow: the bond keeps its MAC, the new active slave takes it, the old one takes the new one's.
    assert macs("follow-before", suffix) == {"enp0s8": ENP0S8, "enp0s9": ENP0S9, "bond0": ENP0S8}
    assert macs("follow-after", suffix) == {"enp0s8": ENP0S9, "enp0s9": ENP0S8, "bond0": ENP0S8}


@pytest.mark.parametrize("policy", ["none", "active", "follow"])
def test_proc_bonding_from_the_real_driver(policy):
    kind, before = parse_file(RECORDED / f"{policy}-before.proc-bonding.txt", bond="bond0")
    assert kind == "proc-bonding"
    _, after = parse_file(RECORDED / f"{policy}-after.proc-bonding.txt", bond="bond0")
    assert (before["mode"], before["fail_over_mac"], before["miimon"]) == ("active-backup", policy, 100)
    assert (before["active_slave"], after["active_slave"]) == ("enp0s8", "enp0s9")
    slaves = {slave["name"]: slave for slave in after["slaves"]}
    assert slaves["enp0s8"]["mii_status"] == "down" and slaves["enp0s8"]["link_failure_count"] == 1
    # The permanent address is the one the NIC had when enslaved, whatever fail_over_mac did since.
    assert {name: s["perm_hwaddr"] for name, s in slaves.items()} == {"enp0s8": ENP0S8, "enp0s9": ENP0S9}


def test_json_carries_the_bond_and_slave_details():
    _, links = parse_file(RECORDED / "follow-after.ip-link.json")
    by_name = {link["ifname"]: link for link in links}
    assert by_name["bond0"]["bond"]["active_slave"] == "enp0s9"
    assert by_name["enp0s9"]["slave"]["state"] == "ACTIVE"
    assert by_name["enp0s8"]["slave"]["state"] == "BACKUP"
    assert by_name["enp0s8"]["state"] == "DOWN"


def test_ping_from_the_lab():
    text = (RECORDED / "ping-client-to-server.txt").read_text()
    assert guess_kind(text) == "ping"
    _, rows = parse_file(RECORDED / "ping-client-to-server.txt")
    assert len(rows) == 20 and not any(row["lost"] for row in rows)
    assert all(0 < row["rtt_ms"] < 50 for row in rows)
