"""The embedded lab, on the real UML kernel: reachability, isolation, the bonding driver, faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bondkit.errors import LabError, SSHError
from bondkit.i18n import set_lang, t
from bondkit.lab.topology import vbox_mac
from bondkit.ssh import Host
from tests.labutil import BOND_ADDRESSES, active_slave, build_bond, link, ping_ok, wait_for

pytestmark = pytest.mark.lab


def test_hosts_answer_over_ssh_with_pinned_keys(lab):
    for name in ("client", "server"):
        result = lab[name].run("hostname")
        assert result.status == 0
        assert result.stdout.strip() == name


def test_unknown_host_key_is_refused(lab, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    address, port = lab.endpoint("server")
    stranger = Host(address, port, user="root", key_file=lab.key_file, known_hosts=empty)
    with pytest.raises(SSHError) as caught:
        stranger.run("true")
    assert "SHA256:" in str(caught.value)


def test_nics_have_tutorial_names_and_fixed_macs(lab):
    for name in ("client", "server"):
        links = {item["ifname"]: item for item in json.loads(lab[name].run("ip -j link show").stdout)}
        assert set(links) == {"lo", "enp0s3", "enp0s8", "enp0s9"}
        for nic in ("enp0s3", "enp0s8", "enp0s9"):
            assert links[nic]["address"] == vbox_mac(name, nic)
            assert links[nic]["address"].startswith("08:00:27:")


def test_guest_writes_never_reach_host_files(lab):
    before = Path("/etc/hostname").read_bytes()
    result = lab["server"].run("echo written-by-guest > /etc/hostname && cat /etc/hostname")
    assert result.stdout.strip() == "written-by-guest"
    assert Path("/etc/hostname").read_bytes() == before
    lab["server"].run("echo server > /etc/hostname")


def _ip_json(*args: str, namespace: str | None = None) -> list[dict]:
    command = ["ip", "-j", *args] if namespace is None else ["ip", "-n", namespace, "-j", *args]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout or "[]")


def test_host_namespace_gets_no_lab_address_route_or_link(lab):
    build_bond(lab["server"], BOND_ADDRESSES["server"])
    lab_networks = ("10.0.2.", "192.168.99.")
    # The lab's own namespace does hold its management address and bridges: the check below can fail.
    inside = [i["local"] for item in _ip_json("addr", namespace=lab.namespace) for i in item["addr_info"]]
    assert any(address.startswith("10.0.2.") for address in inside)
    for item in _ip_json("addr"):
        assert not item["ifname"].startswith(("bk", "vboxnet")), item["ifname"]
        for info in item.get("addr_info", []):
            assert not info["local"].startswith(lab_networks), item["ifname"]
    for route in _ip_json("route", "show", "table", "all"):
        assert not route.get("dst", "").startswith(lab_networks), route
        assert not route.get("gateway", "").startswith(lab_networks), route


def test_bond_built_by_hand_runs_on_the_real_driver(lab):
    server = lab["server"]
    build_bond(server, BOND_ADDRESSES["server"], "miimon 100 fail_over_mac active")
    proc = server.run("cat /proc/net/bonding/bond0", check=True).stdout
    assert "Bonding Mode: fault-tolerance (active-backup) (fail_over_mac active)" in proc
    assert "Slave Interface: enp0s8" in proc and "Slave Interface: enp0s9" in proc
    assert link(server, "bond0")["linkinfo"]["info_data"]["mode"] == "active-backup"


@pytest.mark.parametrize("fault", ["admin-down", "carrier-loss"])
def test_miimon_fails_over_on_link_faults(lab, fault):
    client, server = lab["client"], lab["server"]
    build_bond(client, BOND_ADDRESSES["client"])
    build_bond(server, BOND_ADDRESSES["server"])
    assert ping_ok(client, "192.168.99.102") == 3
    before = active_slave(server)
    try:
        lab.fault("server", before, fault)
        after = wait_for(lambda: (active_slave(server) or before) != before and active_slave(server))
        assert after and after != before
        assert ping_ok(client, "192.168.99.102") == 3
    finally:
        lab.fault("server", before, "restore")


def test_silent_drop_escapes_miimon_but_not_arp_monitoring(lab):
    client, server = lab["client"], lab["server"]
    build_bond(client, BOND_ADDRESSES["client"])
    build_bond(server, BOND_ADDRESSES["server"])
    before = active_slave(server)
    try:
        lab.fault("server", before, "silent-drop")
        time.sleep(0.5)
        assert active_slave(server) == before  # miimon sees the carrier, still up
        assert ping_ok(client, "192.168.99.102") == 0  # ... and traffic is black-holed
    finally:
        lab.fault("server", before, "restore")

    build_bond(server, BOND_ADDRESSES["server"], "arp_interval 100 arp_ip_target 192.168.99.101")
    assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1)
    before = wait_for(lambda: active_slave(server))
    try:
        lab.fault("server", before, "silent-drop")
        after = wait_for(lambda: (active_slave(server) or before) != before and active_slave(server))
        assert after and after != before
        assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1)
    finally:
        lab.fault("server", before, "restore")


def test_faults_refuse_unknown_names(lab):
    with pytest.raises(LabError) as caught:
        lab.fault("server", "enp0s3", "admin-down")  # management NIC: would cut the lab's own link
    assert caught.value.key == "lab.not_data_nic"
    assert "UP" in link(lab["server"], "enp0s3")["flags"]  # refused before anything was done
    with pytest.raises(LabError) as caught:
        lab.fault("nosuchhost", "enp0s8", "admin-down")
    assert caught.value.key == "lab.unknown_host"
    with pytest.raises(LabError) as caught:
        lab.fault("server", "enp0s8", "unplug")
    assert caught.value.key == "lab.bad_fault" and lab.faults == {}
    before = lab.switch
    with pytest.raises(LabError) as caught:
        lab.set_switch("hub")
    assert caught.value.key == "lab.bad_switch" and lab.switch == before
    with pytest.raises(LabError) as caught:
        type(lab)(switch="hub")
    assert caught.value.key == "lab.bad_switch"


def test_missing_pieces_are_told_in_the_users_language(monkeypatch):
    from bondkit.lab import host

    monkeypatch.setattr(host, "uml_binary", lambda: None)
    monkeypatch.setattr(host.os, "geteuid", lambda: 1000)
    set_lang("ko")
    try:
        pieces = dict(host.missing_pieces())
    finally:
        set_lang(None)
    assert pieces[t("lab.piece.uml", "ko")] == "sudo apt-get install user-mode-linux"
    assert pieces[t("lab.piece.root", "ko")] == t("lab.piece.root_how", "ko")
    assert t("lab.piece.root", "ko") != t("lab.piece.root", "en")


def test_down_removes_only_what_the_lab_wrote(tmp_path):
    from bondkit.lab.lab import clear_stale_lab

    chosen = tmp_path / "mine"  # as with BONDKIT_LAB_DIR pointing at a directory in use
    (chosen / "guests" / "server").mkdir(parents=True)
    for name in ("state.tmp", "id_ed25519", "known_hosts", "server.console.log", "notes.txt"):
        (chosen / name).write_text(name)
    clear_stale_lab(chosen)
    assert [path.name for path in chosen.iterdir()] == ["notes.txt"]
    (chosen / "notes.txt").unlink()
    clear_stale_lab(chosen)
    assert not chosen.exists()


def _nothing_left(directory: Path, namespace: str) -> None:
    assert not directory.exists()
    assert namespace not in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    uml = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"bk_dir={directory}" not in uml


def test_second_up_refused_then_kill_9_is_cleaned_by_next_up(lab_slot, tmp_path):
    from bondkit.lab import Lab
    from tests.conftest import lab_unavailable_reason

    if lab_unavailable_reason():
        lab_slot.get()  # skips or fails with the reason
    lab_slot.release()
    directory = lab_slot.directory
    script = ("import sys, time\nfrom bondkit.lab import Lab\nlab = Lab(directory=sys.argv[1]).up()\n"
              "print('up', flush=True)\ntime.sleep(600)\n")
    controller = subprocess.Popen([sys.executable, "-c", script, str(directory)], stdout=subprocess.PIPE,
                                  text=True)
    try:
        assert controller.stdout.readline().strip() == "up"
        with pytest.raises(LabError) as caught:
            Lab(directory=directory).up()
        assert caught.value.key == "lab.already_running"
        os.kill(controller.pid, signal.SIGKILL)
        controller.wait()
        assert directory.exists()  # the killed controller could not clean up
        fresh = Lab(directory=directory).up()
        assert fresh.host("server").run("hostname").stdout.strip() == "server"
        fresh.down()
        _nothing_left(directory, fresh.namespace)
    finally:
        if controller.poll() is None:
            controller.kill()


def test_cli_up_status_ssh_fault_down(lab_slot):
    from tests.conftest import lab_unavailable_reason

    if lab_unavailable_reason():
        lab_slot.get()
    lab_slot.release()

    env = {**os.environ, "BONDKIT_LAB_DIR": str(lab_slot.directory)}

    def bondkit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bondkit", *args], capture_output=True, text=True,
                              timeout=120, env=env)

    try:
        assert bondkit("lab", "up").returncode == 0
        again = bondkit("lab", "up")
        assert again.returncode == 2 and "bondkit lab down" in again.stderr
        status = json.loads(bondkit("lab", "status", "--json").stdout)
        assert set(status["hosts"]) == {"client", "server"}
        ssh = bondkit("lab", "ssh", "client", "--", "ip", "-br", "link", "show", "enp0s8")
        assert ssh.returncode == 0 and vbox_mac("client", "enp0s8") in ssh.stdout
        assert bondkit("lab", "ssh", "client", "--", "ip", "link", "set", "enp0s8", "up").returncode == 0
        assert bondkit("lab", "fault", "client", "enp0s8", "carrier-loss").returncode == 0
        assert "NO-CARRIER" in bondkit("lab", "ssh", "client", "--", "ip", "link", "show", "enp0s8").stdout
        assert bondkit("lab", "fault", "client", "enp0s8", "restore").returncode == 0
    finally:
        down = bondkit("lab", "down")
    assert down.returncode == 0
    from bondkit.lab.lab import namespace_name

    _nothing_left(lab_slot.directory, namespace_name(lab_slot.directory))


def test_vbox_hostonly_breaks_none_and_follow_but_not_active(lab):
    """The tutorial's remark, reproduced: with promiscuous mode "Deny", only fail_over_mac=active works."""
    client, server = lab["client"], lab["server"]
    lab.set_switch("vbox-hostonly")
    replies = {}
    try:
        for policy in ("none", "active", "follow"):
            build_bond(client, BOND_ADDRESSES["client"], f"miimon 100 fail_over_mac {policy}")
            build_bond(server, BOND_ADDRESSES["server"], f"miimon 100 fail_over_mac {policy}")
            assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1)
            before = active_slave(server)
            lab.fault("server", before, "admin-down")
            try:
                wait_for(lambda old=before: active_slave(server) not in (None, old))
                replies[policy] = ping_ok(client, "192.168.99.102", count=4)
            finally:
                lab.fault("server", before, "restore")
    finally:
        lab.set_switch("learning")
    assert replies == {"none": 0, "active": 4, "follow": 0}


def test_a_lab_folder_closed_to_guests_is_refused_not_changed(tmp_path):
    from bondkit.lab import Lab
    from tests.conftest import lab_unavailable_reason

    if lab_unavailable_reason():
        pytest.skip(lab_unavailable_reason())
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    closed.chmod(0o700)
    with pytest.raises(LabError) as caught:
        Lab(directory=closed / "lab").up()
    assert caught.value.key == "lab.directory_unreachable"
    assert closed.stat().st_mode & 0o777 == 0o700
    assert not (closed / "lab").exists()
