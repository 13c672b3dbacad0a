"""The embedded lab, on the real bonding driver in its guests: reachability, isolation, faults."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bondkit.errors import LabError, SSHError
from bondkit.i18n import set_lang, t
from bondkit.lab.topology import vbox_mac
from bondkit.ssh import Host
from tests.labutil import (
    BOND_ADDRESSES,
    active_slave,
    build_bond,
    link,
    ping_ok,
    ready_active_slave,
    wait_for,
)

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


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def test_guest_writes_never_reach_host_files(lab, tmp_path):
    """A guest's root may remount its disk read-write and write the raw device, and try every way a
    VM has of reaching the host's files (hostfs, 9p, virtiofs): no host file changes, not the root
    image the guests share, not the user's home, not the checkout. The guest's writes land in its own
    throw-away overlay, where it reads them back."""
    checkout = Path(__file__).resolve().parents[1]
    home = Path.home()
    image = Path(lab.engine.describe()["image_path"])
    image_before = hashlib.sha256(image.read_bytes()).hexdigest()
    before = {folder: _snapshot(folder) for folder in (checkout, home) if folder.is_dir()}
    mark = "bondkit-guest-was-here"
    script = " ; ".join([
        "mount -o remount,rw /",
        "echo written-by-guest > /etc/hostname",
        # the device's last 64 KiB: past every file of the guest's root
        "size=$(blockdev --getsz /dev/nvme0n1 2>/dev/null || cat /sys/block/nvme0n1/size)",
        f"printf {mark} | dd of=/dev/nvme0n1 bs=512 seek=$((size - 128)) conv=notrunc,fsync 2>/dev/null",
        "echo 3 > /proc/sys/vm/drop_caches",
        "dd if=/dev/nvme0n1 bs=512 skip=$((size - 128)) count=1 2>/dev/null | head -c 22; echo",
        "mkdir -p /mnt/host",
        *(f"mount -t {kind} host /mnt/host 2>&1 || echo no-{kind}" for kind in ("hostfs", "9p", "virtiofs")),
    ])
    result = lab["server"].run(script)
    assert mark in result.stdout  # the write happened, in the guest's own overlay
    for kind in ("hostfs", "9p", "virtiofs"):
        assert f"no-{kind}" in result.stdout
    assert lab["server"].run("cat /etc/hostname").stdout.strip() == "written-by-guest"
    assert hashlib.sha256(image.read_bytes()).hexdigest() == image_before
    for folder, files in before.items():
        assert _snapshot(folder) == files, folder
    lab["server"].run("echo server > /etc/hostname")


def _ip_json(*args: str) -> list[dict]:
    return json.loads(subprocess.run(["ip", "-j", *args], capture_output=True, text=True,
                                     check=True).stdout or "[]")


def _listening_sockets(pid: int) -> list[str]:
    """Local addresses on which process ``pid`` listens for TCP (from /proc, the kernel's own view)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.append(fields[1])
    return found


def test_the_lab_stays_inside_the_lab(lab):
    """No lab address, route or link on this machine; every listening socket on 127.0.0.1; no default
    route in any guest; and the guests can open no connection through the plug that carries SSH."""
    build_bond(lab["server"], BOND_ADDRESSES["server"])
    lab_networks = ("10.0.2.", "192.168.99.")
    # The lab's addresses do exist, in the guest: the checks on this machine below could fail.
    inside = [i["local"] for item in json.loads(lab["server"].run("ip -j addr").stdout)
              for i in item["addr_info"]]
    assert any(address.startswith("10.0.2.") for address in inside)
    assert any(address.startswith("192.168.99.") for address in inside)
    for item in _ip_json("addr"):
        assert not item["ifname"].startswith(("bk", "vboxnet", "tap")), item["ifname"]
        for info in item.get("addr_info", []):
            assert not info["local"].startswith(lab_networks), item["ifname"]
    for route in _ip_json("route", "show", "table", "all"):
        assert not route.get("dst", "").startswith(lab_networks), route
        assert not route.get("gateway", "").startswith(lab_networks), route
    listening = [address for pid in [*lab.pids.values(), *lab.helper_pids.values()]
                 for address in _listening_sockets(pid)]
    assert len(listening) == len(lab.hosts)  # one SSH port per guest, and nothing else
    assert all(address.startswith("0100007F:") for address in listening), listening  # 127.0.0.1
    for name in lab.hosts:
        assert lab[name].run("ip -j route show default; ip -j -6 route show default").stdout.split() in (
            ["[]", "[]"], ["[]"], [])
    with socket.socket() as bait:
        bait.bind(("127.0.0.1", 0))
        bait.listen(1)
        port = bait.getsockname()[1]
        probe = lab["server"].run(
            f"ip route add default via 10.0.2.2; timeout 3 bash -c 'echo > /dev/tcp/10.0.2.2/{port}'; "
            f"echo rc=$?; ip route del default")
        bait.settimeout(0.2)
        with pytest.raises(OSError):
            bait.accept()
    assert "rc=0" not in probe.stdout


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
        # The switch learns the bond's MAC on its new port from the first frame the server sends there
        # (the bond's IGMP/MLD rejoin, 200 ms after failover): until then the pings go to the old port.
        assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1)
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
    before = wait_for(lambda: ready_active_slave(server))
    try:
        lab.fault("server", before, "silent-drop")
        after = wait_for(lambda: (active_slave(server) or before) != before and active_slave(server))
        assert after and after != before
        assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1)
    finally:
        lab.fault("server", before, "restore")


def test_unicast_drop_fools_a_plain_arp_monitor_but_not_arp_validate(lab):
    """bonding.rst, arp_validate: other bonding hosts' ARP probes that still arrive keep a plain ARP
    monitor thinking a dead path is up; validation counts only ARP traffic from the targets.

    The client plays the other bonding host: it probes a second address of the server (another
    subnet), so its broadcast requests reach the server from an address the server does not target.
    """
    client, server = lab["client"], lab["server"]
    build_bond(client, BOND_ADDRESSES["client"], "arp_interval 100 arp_ip_target 192.168.98.102")
    client.run("ip addr add 192.168.98.101/24 dev bond0", check=True)
    for validate in ("none", "all"):
        build_bond(server, BOND_ADDRESSES["server"],
                   f"arp_interval 100 arp_ip_target 192.168.99.101 arp_validate {validate}")
        server.run("ip addr add 192.168.98.102/24 dev bond0", check=True)
        assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1, timeout=10)
        before = wait_for(lambda: ready_active_slave(server))
        try:
            lab.fault("server", before, "unicast-drop")
            if validate == "none":
                time.sleep(1.0)
                assert active_slave(server) == before  # fooled: the client's probes still arrive
                assert ping_ok(client, "192.168.99.102") == 0  # ... while unicast is black-holed
            else:
                assert wait_for(lambda old=before: active_slave(server) not in (None, old))  # failed over
                assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1, timeout=10)
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
    from bondkit.lab import confine, missing_pieces
    from bondkit.lab.qemu import QemuEngine

    engine = QemuEngine("x86_64")
    monkeypatch.setenv("BONDKIT_QEMU", "")
    monkeypatch.setattr(QemuEngine, "program", property(lambda self: None))
    monkeypatch.setattr(confine, "abi_version", lambda: 0)
    set_lang("ko")
    try:
        pieces = dict(missing_pieces(engine))
    finally:
        set_lang(None)
    assert pieces[t("lab.piece.qemu", "ko", arch="x86_64")] == "sudo apt-get install qemu-system-x86"
    assert pieces[t("lab.piece.landlock", "ko")] == t("lab.piece.landlock_how", "ko")
    assert t("lab.piece.landlock", "ko") != t("lab.piece.landlock", "en")
    assert not any("root" in what for what in pieces)  # running never needs root


def test_down_removes_only_what_the_lab_wrote(tmp_path):
    from bondkit.lab import clear_stale_lab

    chosen = tmp_path / "mine"  # as with BONDKIT_LAB_DIR pointing at a directory in use
    (chosen / "guests" / "server").mkdir(parents=True)
    chosen.chmod(0o700)  # a lab folder is the user's alone (bondkit.lab.places)
    for name in ("state.tmp", "id_ed25519", "known_hosts", "server.console.log", "notes.txt"):
        (chosen / name).write_text(name)
    clear_stale_lab(chosen)
    assert [path.name for path in chosen.iterdir()] == ["notes.txt"]
    (chosen / "notes.txt").unlink()
    clear_stale_lab(chosen)
    assert not chosen.exists()


def _nothing_left(directory: Path) -> None:
    """No file, and no process whose command line names the lab's folder (guests, switches, plug)."""
    assert not directory.exists()
    commands = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(directory) not in commands


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
        _nothing_left(directory)
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
    _nothing_left(lab_slot.directory)


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


def test_a_lab_folder_path_the_guests_cannot_carry_is_refused(tmp_path):
    from bondkit.lab import Lab

    spaced = tmp_path / "my lab"
    with pytest.raises(LabError) as caught:
        Lab(directory=spaced).up()
    if caught.value.key == "lab.missing":
        pytest.skip("the lab cannot run here")
    assert caught.value.key == "lab.bad_directory"
    assert not spaced.exists()


def test_the_lab_tests_run_under_the_conditions_asked_for():
    """CI runs the lab's tests as an ordinary user, then also under a container's seccomp filter:
    this proves that they really ran so (BONDKIT_EXPECT names the conditions)."""
    expected = set(filter(None, os.environ.get("BONDKIT_EXPECT", "").split(",")))
    if not expected:
        pytest.skip("BONDKIT_EXPECT asks for no conditions")
    if "unprivileged" in expected:
        assert os.geteuid() != 0 and os.getegid() != 0
    if "no-namespaces" in expected:
        for command in (["unshare", "--net", "true"], ["unshare", "--user", "true"],
                        ["unshare", "--mount", "true"]):
            assert subprocess.run(command, capture_output=True).returncode != 0, command


def test_two_labs_side_by_side_never_see_each_other(lab, short_tmp):
    """One lab per student: a second lab of the same user, in another folder, shares no wire, no
    address space and no process with the first, and its ``down`` leaves the first running."""
    from bondkit.lab import Lab

    tmp_path = short_tmp  # pytest's own folders are too long for a lab's sockets under xdist

    build_bond(lab["server"], BOND_ADDRESSES["server"])
    build_bond(lab["client"], BOND_ADDRESSES["client"])
    assert ping_ok(lab["client"], "192.168.99.102") == 3  # the first lab's own wire works
    other = Lab(directory=tmp_path / "other").up()
    try:
        assert set(other.ports.values()).isdisjoint(lab.ports.values())
        assert set(other.pids.values()).isdisjoint(lab.pids.values())
        build_bond(other["client"], BOND_ADDRESSES["client"])
        assert ping_ok(other["client"], "192.168.99.102") == 0  # the first lab's server is not there
        other["server"].run("hostname second-lab", check=True)
        assert lab["server"].run("hostname").stdout.strip() == "server"
    finally:
        other.down()
    _nothing_left(tmp_path / "other")
    assert ping_ok(lab["client"], "192.168.99.102") == 3  # the first lab is untouched
