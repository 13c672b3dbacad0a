"""Applying bond configurations over SSH.

On the lab (real bonding driver, real sshd): the tutorial's CentOS and Ubuntu files configure both
hosts, the bonds ping each other, refusals leave the host untouched, failures roll back (by bondkit,
and by the host's own timer when the SSH path is cut), ``restore`` undoes a good apply. For CentOS 7,
Ubuntu and NetworkManager hosts, a recording fake checks the exact commands bondkit sends.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from bondkit.apply import apply, backup, bringup, detect, restore, rollback
from bondkit.apply import state as live
from bondkit.apply.restore_script import FileRecord, RestoreInputs
from bondkit.apply.restore_script import commands as restore_commands
from bondkit.cli.apply_cmds import parse_ssh_target
from bondkit.errors import ApplyError, SSHError
from bondkit.formats import iproute, nmcli
from bondkit.formats import load as load_config
from bondkit.ssh import Host
from tests import applyfake as fake
from tests.labutil import BOND_ADDRESSES, build_bond, wait_for

SEED = Path(__file__).resolve().parent.parent / "data" / "seed"
CENTOS = {name: SEED / "centos" / name for name in ("client", "server")}
UBUNTU = {name: SEED / "ubuntu" / name / "50-cloud-init.yaml" for name in ("client", "server")}
DATA_NICS = ("enp0s8", "enp0s9")

# ============================================================================================ the lab


def fingerprint(host) -> dict:
    """What a student would compare by hand: links (master, up, MAC, bond settings), addresses, routes."""
    links = json.loads(host.run("ip -d -j link show", check=True).stdout)
    addrs = json.loads(host.run("ip -j addr show", check=True).stdout)
    routes = json.loads(host.run("ip -j route show", check=True).stdout)
    seen = {}
    for link in links:
        info = link.get("linkinfo", {}).get("info_data") or {}
        seen[link["ifname"]] = (link.get("master"), "UP" in link["flags"], link["address"],
                                {k: info.get(k) for k in ("mode", "miimon", "fail_over_mac", "primary")})
    for item in addrs:
        seen[item["ifname"] + " addrs"] = sorted(f"{a['local']}/{a['prefixlen']}" for a in item["addr_info"]
                                                 if a["scope"] == "global")
    seen["routes"] = sorted((r["dst"], r.get("gateway"), r.get("dev")) for r in routes
                            if r.get("protocol") != "kernel")
    return seen


def backups_on(host) -> list[str]:
    return host.run(f"ls -1 {backup.ROOT} 2>/dev/null", check=True).stdout.split()


def ping(host, address: str) -> int:
    """Replies out of 3 (bounded: -c 3 -i 0.2 -W 1, as the brief says)."""
    out = host.run(f"ping -n -q -c 3 -i 0.2 -W 1 {address}", timeout=10).stdout
    for line in out.splitlines():
        if "received" in line:
            return int(line.split(",")[1].split()[0])
    return 0


@pytest.fixture
def quiet(lab):
    """Both hosts with a hand-made bond (a 'before' worth coming back to); bond0 is removed afterwards."""
    build_bond(lab["client"], BOND_ADDRESSES["client"], "miimon 100")
    build_bond(lab["server"], BOND_ADDRESSES["server"], "miimon 100")
    yield lab
    for name in ("client", "server"):
        lab[name].run("ip link del bond0 2>/dev/null; true")


@pytest.mark.lab
def test_tutorial_centos_files_configure_both_hosts_and_the_bonds_ping(quiet):
    reports = {name: apply(quiet[name], CENTOS[name], on_step=lambda step: None) for name in CENTOS}
    for name, report in reports.items():
        assert report.ok and not report.rolled_back
        assert report.platform == "lab"
        assert [s.name for s in report.steps] == ["lint", "detect", "preflight", "backup", "timer", "upload",
                                                  "bringup", "verify", "keep"]
        assert all(check.ok for check in report.checks), report.format()
        items = {c.item: c.observed for c in report.checks}
        assert items["mode"] == "active-backup" and items["fail_over_mac"] == "active"
        assert items["miimon"] == "100" and items["slaves"] == "enp0s8, enp0s9"
        host = quiet[name]
        uploaded = host.run("cat /etc/sysconfig/network-scripts/ifcfg-bond0", check=True).stdout
        assert uploaded == (CENTOS[name] / "ifcfg-bond0").read_text()
        assert "timer" not in host.run(f"cat {report.backup}/decided/by", check=True).stdout
    assert ping(quiet["client"], "192.168.99.102") == 3
    assert ping(quiet["server"], "192.168.99.101") == 3


@pytest.mark.lab
def test_tutorial_netplan_file_configures_both_hosts_and_the_bonds_ping(quiet):
    for name in UBUNTU:
        report = apply(quiet[name], UBUNTU[name], on_step=lambda step: None)
        assert report.ok, report.format()
        lint = report.steps[0]
        assert lint.status == "warning" and "gateway4" in lint.output  # deprecated, not an error
        items = {c.item: (c.intended, c.observed) for c in report.checks}
        assert items["primary"] == ("enp0s8", "enp0s8") and items["active slave"] == ("enp0s8", "enp0s8")
        assert items["gateway"] == ("192.168.225.1", "192.168.225.1")
        mode = quiet[name].run("stat -c %a /etc/netplan/50-cloud-init.yaml", check=True).stdout.strip()
        assert mode == "600"
    assert ping(quiet["client"], "192.168.225.102") == 3


@pytest.mark.lab
def test_restore_after_a_successful_apply_brings_the_previous_bond_back(quiet):
    host = quiet["client"]
    host.run("rm -f /etc/netplan/50-cloud-init.yaml", check=True)
    before = fingerprint(host)
    report = apply(host, UBUNTU["client"], on_step=lambda step: None)
    assert report.ok and fingerprint(host) != before
    undone = restore(host, on_step=lambda step: None)
    assert undone.ok and undone.backup == report.backup
    assert "restore finished" in undone.steps[0].output
    assert fingerprint(host) == before
    assert not host.run("ls /etc/netplan/50-cloud-init.yaml").ok  # the apply created it; restore removed it


@pytest.mark.lab
def test_config_naming_a_nic_the_host_lacks_fails_and_leaves_the_host_as_it_was(quiet, tmp_path):
    host = quiet["server"]
    (tmp_path / "ifcfg-bond0").write_text((CENTOS["server"] / "ifcfg-bond0").read_text())
    for nic in ("enp0s8", "enp0s10"):
        (tmp_path / f"ifcfg-{nic}").write_text(
            (CENTOS["server"] / "ifcfg-enp0s8").read_text().replace("enp0s8", nic))
    before, stored = fingerprint(host), backups_on(host)
    with pytest.raises(ApplyError) as caught:
        apply(host, tmp_path, on_step=lambda step: None)
    assert caught.value.key == "apply.missing_nic" and "enp0s10" in str(caught.value)
    assert caught.value.report.steps[-1].status == "failed"
    assert fingerprint(host) == before and backups_on(host) == stored  # not even a backup was made


@pytest.mark.lab
def test_config_that_would_enslave_the_management_nic_is_refused(quiet, tmp_path):
    host = quiet["client"]
    text = UBUNTU["client"].read_text().replace("- enp0s9", "- enp0s3")  # enp0s3 is there as dhcp4: true
    (tmp_path / "50-cloud-init.yaml").write_text(text)
    before = fingerprint(host)
    with pytest.raises(ApplyError) as caught:
        apply(host, tmp_path / "50-cloud-init.yaml", on_step=lambda step: None)
    assert caught.value.key == "apply.ssh_nic" and "enp0s3" in str(caught.value)
    assert fingerprint(host) == before


@pytest.mark.lab
def test_failed_verification_rolls_back_to_the_previous_bond(quiet):
    """The primary's cable is out: the bond comes up on enp0s9, not as the file intends; rolled back."""
    host = quiet["client"]
    before = fingerprint(host)
    quiet.fault("client", "enp0s8", "carrier-loss")
    try:
        with pytest.raises(ApplyError) as caught:
            apply(host, UBUNTU["client"], verify_seconds=1.0, on_step=lambda step: None)
    finally:
        quiet.fault("client", "enp0s8", "restore")
    report = caught.value.report
    assert caught.value.key == "apply.verify_failed_error" and report.rolled_back
    bad = {c.item: c.observed for c in report.checks if c.ok is False}
    assert bad == {"active slave": "enp0s9", "enp0s8 link": "down"}
    assert report.steps[-1].name == "rollback" and report.steps[-1].status == "ok"
    assert fingerprint(host) == before
    assert host.run(f"cat {report.backup}/decided/by", check=True).stdout.strip() == "bondkit-rollback"


@pytest.mark.lab
def test_cut_ssh_path_is_restored_by_the_timer_on_the_host(quiet, tmp_path):
    """--force onto the management NIC: the session dies mid-change and the host restores itself."""
    host = quiet["server"]
    (tmp_path / "mgmt.yaml").write_text(
        "network:\n  version: 2\n  ethernets:\n    enp0s3: {dhcp4: false}\n    enp0s9: {dhcp4: false}\n"
        "  bonds:\n    bond0:\n      interfaces: [enp0s3, enp0s9]\n      addresses: [192.168.77.2/24]\n"
        "      parameters: {mode: active-backup, mii-monitor-interval: 100}\n")
    before = fingerprint(host)
    with pytest.raises(ApplyError) as caught:
        apply(host, tmp_path / "mgmt.yaml", force=True, rollback_after=8, on_step=lambda step: None)
    report = caught.value.report
    assert caught.value.key == "apply.lost_path" and report.rolled_back
    assert [s.name for s in report.steps][-2:] == ["connection", "rollback"]
    assert host.run(f"cat {report.backup}/decided/by", check=True).stdout.strip() == "timer"
    assert fingerprint(host) == before


@pytest.mark.lab
def test_unknown_host_key_is_refused_before_anything_changes(lab, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    address, port = lab.endpoint("client")
    stranger = Host(address, port, user="root", key_file=lab.key_file, known_hosts=empty, name="client")
    with pytest.raises(SSHError) as caught:
        apply(stranger, CENTOS["client"], on_step=lambda step: None)
    assert caught.value.key == "ssh.host_key_unknown" and "SHA256:" in str(caught.value)


@pytest.mark.lab
def test_refused_key_is_told_before_anything_changes(lab, tmp_path):
    import subprocess

    key = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    address, port = lab.endpoint("client")
    stranger = Host(address, port, user="root", key_file=key, known_hosts=lab.known_hosts, name="client")
    with pytest.raises(SSHError) as caught:
        apply(stranger, CENTOS["client"], on_step=lambda step: None)
    assert caught.value.key == "ssh.key_refused"


@pytest.mark.lab
def test_a_backup_is_never_overwritten(lab):
    from bondkit.apply.remote import Remote

    remote = Remote(lab["server"])
    first, _ = backup.create(remote, "19990101T000000Z", ["/etc/hostname"])
    second, _ = backup.create(remote, "19990101T000000Z", ["/etc/hostname"])
    assert (first.directory, second.directory) == (f"{backup.ROOT}/19990101T000000Z",
                                                   f"{backup.ROOT}/19990101T000000Z-2")
    assert first.files == second.files and first.files[0].existed
    copied = remote.run(f"cat {first.directory}/files/etc/hostname", check=True).stdout
    assert copied.strip() == "server"
    remote.run(f"rm -rf {first.directory} {second.directory}", check=True)


@pytest.mark.lab
def test_cli_apply_then_restore(quiet, monkeypatch, capsys):
    from bondkit.cli import main

    monkeypatch.setenv("BONDKIT_LAB_DIR", str(quiet.directory))
    before = fingerprint(quiet["server"])
    assert main(["apply", "server", str(CENTOS["server"]), "--lab"]) == 0
    out = capsys.readouterr().out
    assert "ip link add bond0 type bond mode active-backup fail_over_mac active miimon 100" in out
    assert "active slave" in out
    assert main(["restore", "server", "--lab"]) == 0
    assert wait_for(lambda: fingerprint(quiet["server"]) == before, timeout=10)
    assert main(["apply", "nosuchhost", str(CENTOS["server"]), "--lab"]) == 2
    assert "client, server" in capsys.readouterr().err


# ============================================================== real distributions: the exact commands

SSH = "10.0.2.2 50000 10.0.2.15 22"
TOOLS = {"have_setsid": "1", "have_nohup": "1"}

CENTOS_LINKS = """1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
2: enp0s3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT qlen 1000
    link/ether 08:00:27:2b:04:6e brd ff:ff:ff:ff:ff:ff
3: enp0s8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT qlen 1000
    link/ether 08:00:27:e8:26:58 brd ff:ff:ff:ff:ff:ff
4: enp0s9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT qlen 1000
    link/ether 08:00:27:27:a9:2d brd ff:ff:ff:ff:ff:ff
"""
CENTOS_ADDRS = """2: enp0s3    inet 10.0.2.15/24 brd 10.0.2.255 scope global noprefixroute dynamic enp0s3\\       valid_lft 86353sec preferred_lft 86353sec
3: enp0s8    inet 192.168.56.101/24 brd 192.168.56.255 scope global noprefixroute dynamic enp0s8\\       valid_lft 1153sec preferred_lft 1153sec
"""  # noqa: E501 - recorded lines are kept whole
CENTOS_ROUTES = """default via 10.0.2.2 dev enp0s3 proto dhcp metric 100
10.0.2.0/24 dev enp0s3 proto kernel scope link src 10.0.2.15 metric 100
"""
CENTOS_AFTER_LINKS = CENTOS_LINKS.replace(
    "3: enp0s8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state",
    "3: enp0s8: <BROADCAST,MULTICAST,SLAVE,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast master bond0 state",
).replace(
    "4: enp0s9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state",
    "4: enp0s9: <BROADCAST,MULTICAST,SLAVE,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast master bond0 state",
) + """5: bond0: <BROADCAST,MULTICAST,MASTER,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT
    link/ether 08:00:27:e8:26:58 brd ff:ff:ff:ff:ff:ff
"""


def centos7(**facts: str) -> fake.FakeHost:
    """CentOS 7.7 as the tutorial has it: user centos with sudo, NetworkManager on, iproute2 4.11 (no -j)."""
    values = {"uid": "1000", "ssh": SSH, "os": "CentOS Linux 7 (Core)", "os_id": "centos", "have_nmcli": "1",
              "have_ifup": "1", "have_sudo": "1", **TOOLS, "dir_network_scripts": "1", "initscripts": "1",
              "nm": "active", "bonding": "module", "sudo": "1", "route": "10.0.2.2 dev enp0s3 src 10.0.2.15"}
    values.update(facts)
    before = fake.snapshot_text(CENTOS_LINKS, CENTOS_ADDRS, CENTOS_ROUTES)
    after = fake.snapshot_text(CENTOS_AFTER_LINKS, CENTOS_ADDRS.replace("enp0s8    inet 192.168.56.101/24",
                                                                        "bond0    inet 192.168.99.101/24"),
                               CENTOS_ROUTES, {"bond0": fake.proc_bonding(["enp0s8", "enp0s9"])})
    return fake.FakeHost(fake.probe_output(values, before), before, after, name="centos-client")


def ubuntu(after_down: tuple[str, ...] = (), **facts: str) -> fake.FakeHost:
    """Ubuntu 18.04 reached as root, netplan with networkd, iproute2 with JSON."""
    values = {"uid": "0", "ssh": SSH, "os": "Ubuntu 18.04.6 LTS", "os_id": "ubuntu", "have_netplan": "1",
              **TOOLS, "dir_netplan": "1", "nm": "inactive", "bonding": "loaded",
              "route": "10.0.2.2 dev enp0s3 src 10.0.2.15 uid 0"}
    values.update(facts)
    links = [fake.json_link(name) for name in ("lo", "enp0s3", "enp0s8", "enp0s9")]
    routes = [{"dst": "default", "gateway": "10.0.2.2", "dev": "enp0s3", "protocol": "dhcp", "metric": 100}]
    before = fake.snapshot_json(links, {"enp0s3": ["10.0.2.15/24"]}, routes)
    bond = {"mode": "active-backup", "miimon": 100, "fail_over_mac": "active", "primary": "enp0s8"}
    active = "enp0s9" if "enp0s8" in after_down else "enp0s8"
    after = fake.snapshot_json(
        [fake.json_link("enp0s3"), fake.json_link("enp0s8", master="bond0"),
         fake.json_link("enp0s9", master="bond0"),
         fake.json_link("bond0", bond={**bond, "active_slave": active})],
        {"enp0s3": ["10.0.2.15/24"], "bond0": ["192.168.225.101/24"]},
        [*routes, {"dst": "default", "gateway": "192.168.225.1", "dev": "bond0"}],
        {"bond0": fake.proc_bonding(["enp0s8", "enp0s9"], primary="enp0s8", active=active, down=after_down)})
    return fake.FakeHost(fake.probe_output(values, before), before, after, name="ubuntu-client")


def rocky9() -> fake.FakeHost:
    """A NetworkManager host (RHEL 9 family): nmcli, no initscripts, no netplan."""
    host = ubuntu(os="Rocky Linux 9.3 (Blue Onyx)", os_id="rocky", have_nmcli="1", nm="active")
    host.probe = host.probe.replace("have_netplan=1\n", "").replace("dir_netplan=1\n", "")
    return host


def sent(host: fake.FakeHost) -> list[str]:
    """Commands other than the read-only probe and snapshots."""
    return [c for c in host.commands if c not in (detect.PROBE, live.SNAPSHOT)]


def uploaded_script(host: fake.FakeHost, name: str) -> list[str]:
    return fake.script_commands(host.uploads[f"{fake.BACKUP_DIR}/{name}"][0])


def test_centos7_network_scripts_exact_commands():
    host = centos7()
    report = apply(host, CENTOS["client"], on_step=lambda step: None)
    assert report.ok and report.platform == "network-scripts"
    assert uploaded_script(host, "bringup.sh") == [
        "modprobe bonding", "nmcli connection reload", "ifdown enp0s8", "ifdown enp0s9", "ifdown bond0",
        "ifup bond0"]
    staged = "/tmp/bondkit-upload.abc123/etc_sysconfig_network-scripts_ifcfg-"
    for nic in ("bond0", "enp0s8", "enp0s9"):
        inner = (f"install -m 0644 -o root -g root {staged}{nic} /etc/sysconfig/network-scripts/ifcfg-{nic}"
                 f" && rm -f {staged}{nic}")
        assert f"sudo -n sh -c {shlex.quote(inner)}" in host.commands
    for nic in ("bond0", "enp0s8", "enp0s9"):
        text, mode = host.uploads[f"/etc/sysconfig/network-scripts/ifcfg-{nic}"]
        assert text == (CENTOS["client"] / f"ifcfg-{nic}").read_text() and mode == 0o644
    privileged = [c for c in sent(host) if not c.startswith(("mktemp", "rm -rf /tmp/bondkit-upload"))]
    assert privileged and all(c.startswith("sudo -n sh -c ") for c in privileged)
    assert uploaded_script(host, "restore.sh") == [
        "ifdown bond0",
        "rm -f /etc/sysconfig/network-scripts/ifcfg-bond0",
        'cp -p "$D/files"/etc/sysconfig/network-scripts/ifcfg-enp0s8 '
        "/etc/sysconfig/network-scripts/ifcfg-enp0s8",
        "rm -f /etc/sysconfig/network-scripts/ifcfg-enp0s9",
        "[ ! -e /sys/class/net/bond0 ] || ip link del bond0",
        "[ ! -e /sys/class/net/enp0s8/master ] || ip link set enp0s8 nomaster",
        "[ ! -e /sys/class/net/enp0s9/master ] || ip link set enp0s9 nomaster",
        "nmcli connection reload",
        "[ ! -e /etc/sysconfig/network-scripts/ifcfg-enp0s8 ] || ifup enp0s8",
        "[ ! -e /etc/sysconfig/network-scripts/ifcfg-enp0s9 ] || ifup enp0s9",
    ]
    # verified from the text forms of iproute2 4.11 and /proc/net/bonding
    assert {c.item: c.observed for c in report.checks}["addresses"] == "192.168.99.101/24"


def test_ubuntu_netplan_exact_commands():
    host = ubuntu()
    report = apply(host, UBUNTU["client"], on_step=lambda step: None)
    assert report.ok and report.platform == "netplan"
    assert host.uploads["/etc/netplan/50-cloud-init.yaml"] == (UBUNTU["client"].read_text(), 0o600)
    assert uploaded_script(host, "bringup.sh") == ["netplan generate", "netplan apply"]
    assert uploaded_script(host, "restore.sh") == [
        'cp -p "$D/files"/etc/netplan/50-cloud-init.yaml /etc/netplan/50-cloud-init.yaml',
        "[ ! -e /sys/class/net/bond0 ] || ip link del bond0",
        "[ ! -e /sys/class/net/enp0s8/master ] || ip link set enp0s8 nomaster",
        "[ ! -e /sys/class/net/enp0s9/master ] || ip link set enp0s9 nomaster",
        "netplan apply",
    ]
    timer = host.uploads[f"{fake.BACKUP_DIR}/timer.sh"][0]
    assert "sleep 90\n" in timer and 'mkdir "$D/decided"' in timer and 'exec sh "$D/restore.sh"' in timer
    assert not any(c.startswith("sudo") for c in host.commands)  # root login: no sudo


def test_networkmanager_exact_commands():
    host = rocky9()
    report = apply(host, UBUNTU["client"], on_step=lambda step: None)
    assert report.ok and report.platform == "networkmanager"
    spec = load_config(UBUNTU["client"])[0]
    names = ["bond0", "bond0-port-enp0s8", "bond0-port-enp0s9"]
    replace = [f"nmcli -t -f NAME connection show | grep -qxF {n} && nmcli connection delete {n}"
               for n in names]
    assert uploaded_script(host, "bringup.sh") == [*replace, *nmcli.commands(spec)]
    assert not [p for p in host.uploads if p.startswith("/etc/")]  # NetworkManager keeps its own files
    assert uploaded_script(host, "restore.sh") == [
        *replace,
        'cp -a "$D/files"/etc/NetworkManager/system-connections/. /etc/NetworkManager/system-connections/',
        "[ ! -e /sys/class/net/bond0 ] || ip link del bond0",
        "[ ! -e /sys/class/net/enp0s8/master ] || ip link set enp0s8 nomaster",
        "[ ! -e /sys/class/net/enp0s9/master ] || ip link set enp0s9 nomaster",
        "nmcli connection reload",
        "nmcli connection up uuid 77aa-uuid",  # enp0s8's connection before; enp0s3's is not touched
    ]


def test_refusals_send_nothing_but_the_probe():
    cases = {
        "apply.no_sudo": centos7(sudo=""),
        "apply.no_bonding": centos7(bonding="missing"),
        "apply.ssh_nic": ubuntu(ssh="192.168.56.1 50000 192.168.56.101 22",
                                route="192.168.56.1 dev enp0s8 src 192.168.56.101"),
        "apply.unsupported": ubuntu(have_netplan="", dir_netplan=""),
    }
    for key, host in cases.items():
        with pytest.raises(ApplyError) as caught:
            apply(host, UBUNTU["client"], on_step=lambda step: None)
        assert caught.value.key == key
        assert host.commands == [detect.PROBE] and not host.uploads, key


def test_lint_errors_stop_before_connecting(tmp_path):
    bad = tmp_path / "50-cloud-init.yaml"
    bad.write_text(UBUNTU["client"].read_text().replace("primary: enp0s8", "primary: enp0s7"))
    host = ubuntu()
    with pytest.raises(ApplyError) as caught:
        apply(host, bad, on_step=lambda step: None)
    assert caught.value.key == "apply.lint_failed" and "primary-not-slave" in str(caught.value)
    assert host.commands == []


def test_verification_mismatch_rolls_back_on_a_real_host():
    host = ubuntu(after_down=("enp0s8",))
    with pytest.raises(ApplyError) as caught:
        apply(host, UBUNTU["client"], verify_seconds=0, on_step=lambda step: None)
    assert caught.value.key == "apply.verify_failed_error" and caught.value.report.rolled_back
    tail = [fake._unsudo(c) for c in sent(host)][-2:]
    assert "echo bondkit-rollback" in tail[0] and 'sh "$D/restore.sh"' in tail[1]


def test_bringup_failure_rolls_back_and_names_the_command():
    host = ubuntu()
    host.bringup_fails_at = "netplan apply"
    with pytest.raises(ApplyError) as caught:
        apply(host, UBUNTU["client"], on_step=lambda step: None)
    assert caught.value.key == "apply.bringup_failed" and "`netplan apply`" in str(caught.value)
    assert caught.value.report.rolled_back


def test_timer_that_fired_first_is_not_contradicted():
    host = ubuntu()
    host.decide = "lost timer"
    with pytest.raises(ApplyError) as caught:
        apply(host, UBUNTU["client"], on_step=lambda step: None)
    assert caught.value.key == "apply.timer_fired"
    assert not any('sh "$D/restore.sh"' in c for c in host.commands)  # the timer's restore is the one


# ========================================================================================= the pieces


def test_platform_detection_order():
    assert detect.choose_platform({"os_id": "bondkit-lab", "have_netplan": "1", "dir_netplan": "1"}) == "lab"
    assert detect.choose_platform({"have_netplan": "1", "dir_netplan": "1", "have_nmcli": "1",
                                   "nm": "active"}) == "netplan"
    assert detect.choose_platform({"dir_network_scripts": "1", "initscripts": "1", "have_ifup": "1",
                                   "have_nmcli": "1", "nm": "active"}) == "network-scripts"
    assert detect.choose_platform({"dir_network_scripts": "1", "have_ifup": "1", "have_nmcli": "1",
                                   "nm": "active"}) == "networkmanager"
    assert detect.choose_platform({"have_netplan": "1"}) is None


def test_backup_directories_are_never_reused():
    shell = backup.command("20260101T000000Z", ["/etc/netplan/a.yaml"])
    assert 'mkdir "$B/20260101T000000Z$s"' in shell and "mkdir -p \"$B/2026" not in shell
    assert "exit 3" in shell and "cp -p /etc/netplan/a.yaml" in shell
    assert backup.stamp(0) == "19700101T000000Z"


def test_state_from_old_iproute_text():
    state = live.parse(fake.snapshot_text(CENTOS_AFTER_LINKS, CENTOS_ADDRS, CENTOS_ROUTES,
                                          {"bond0": fake.proc_bonding(["enp0s8", "enp0s9"])}))
    assert not state.json and state.is_bond("bond0") and state.slaves_of("bond0") == ["enp0s8", "enp0s9"]
    assert state.global_addrs("enp0s3") == ["10.0.2.15/24"] and state.addrs["enp0s3"][0].dynamic
    assert state.routes[0].command() == "ip route add default via 10.0.2.2 dev enp0s3 proto dhcp metric 100"
    assert live.session_nics(state, SSH, "10.0.2.2 dev enp0s3 src 10.0.2.15") == {"enp0s3"}
    assert live.session_nics(state, "192.168.99.1 1 192.168.99.101 22", "") == set()


def test_session_over_a_bond_protects_its_slaves():
    state = live.parse(fake.snapshot_json(
        [fake.json_link("enp0s8", master="bond0"), fake.json_link("enp0s9", master="bond0"),
         fake.json_link("bond0", bond={"mode": "active-backup"})], {"bond0": ["192.168.99.101/24"]}, [],
        {"bond0": fake.proc_bonding(["enp0s8", "enp0s9"])}))
    assert live.session_nics(state, "192.168.99.1 5 192.168.99.101 22", "") == {"bond0", "enp0s8", "enp0s9"}


def test_lab_restore_rebuilds_the_bond_that_was_there():
    before = live.parse(fake.snapshot_json(
        [fake.json_link("enp0s8", master="bond0"), fake.json_link("enp0s9", master="bond0"),
         fake.json_link("bond0", bond={"mode": "active-backup", "miimon": 100, "fail_over_mac": "none",
                                       "updelay": 0})],
        {"bond0": ["192.168.99.101/24"]}, [{"dst": "default", "gateway": "192.168.99.1", "dev": "bond0"}],
        {"bond0": fake.proc_bonding(["enp0s8", "enp0s9"], fail_over_mac="none")}))
    spec = load_config(CENTOS["client"])[0]
    found = restore_commands(RestoreInputs("/d", "lab", [spec], [FileRecord("/etc/x", False)], before))
    rebuilt = iproute.commands(live.bond_spec(before, "bond0"))
    assert rebuilt[0] == "ip link add bond0 type bond mode active-backup fail_over_mac none miimon 100"
    assert found[:2] == ["rm -f /etc/x", "[ ! -e /sys/class/net/bond0 ] || ip link del bond0"]
    assert found[-len(rebuilt):] == rebuilt
    assert rebuilt[-1] == "ip route add default via 192.168.99.1 dev bond0"
    assert "ip link set enp0s8 address 08:00:27:e8:26:58" in found


def test_bringup_script_log_round_trip():
    commands = [bringup.Command("ifdown enp0s8", may_fail=True), bringup.Command("ifup bond0")]
    script = bringup.script(commands, "title")
    assert fake.script_commands(script) == ["ifdown enp0s8", "ifup bond0"]
    outcomes, finished = bringup.read_log("+ ifdown enp0s8\nnot up\n+ ifup bond0\nbad\n! exit 1\n")
    assert not finished and outcomes[1].status == 1 and outcomes[0].output == ["not up"]
    assert bringup.read_log("+ ifup bond0\n== done\n")[1]


def test_timer_and_decision_commands():
    timer = rollback.timer_script("/var/lib/bondkit/backups/x", 4)
    assert timer.splitlines()[3:6] == ['echo $$ > "$D/timer.pid"', "sleep 4",
                                       'mkdir "$D/decided" 2>/dev/null || exit 0']
    decide = rollback.decide_command("/b", "bondkit-keep")
    assert "kill -TERM -$pid" in decide and 'grep -qa "$D/timer.sh" /proc/$pid/cmdline' in decide


def test_ssh_target_parsing():
    assert parse_ssh_target("centos@192.168.56.101") == ("centos", "192.168.56.101", 22)
    assert parse_ssh_target("ubuntu@[fe80::1]:2222") == ("ubuntu", "fe80::1", 2222)
    for bad in ("192.168.56.101", "user@host:99999", "user@"):
        with pytest.raises(ApplyError):
            parse_ssh_target(bad)


def test_uploads_follow_the_host_format():
    from bondkit.apply import source

    plan = source.load(UBUNTU["client"])
    assert [(u.path, u.mode) for u in source.uploads(plan, "network-scripts")] == [
        (f"/etc/sysconfig/network-scripts/ifcfg-{nic}", 0o644) for nic in ("bond0", "enp0s8", "enp0s9")]
    plan = source.load(CENTOS["client"])
    assert [(u.path, u.mode) for u in source.uploads(plan, "netplan")] == [("/etc/netplan/bond0.yaml", 0o600)]
    assert [u.path for u in source.uploads(plan, "lab")][0] == "/etc/sysconfig/network-scripts/ifcfg-bond0"
    spec = load_config(CENTOS["client"])[0]
    assert source.uploads(source.load(spec), "lab")[0].path == "/etc/bondkit/bond0-ip.sh"
