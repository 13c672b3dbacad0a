"""The lab switch's forwarding table: the console exchange with a real ``vde_switch``, the parser of its
``hash/print``, the names the lab gives MACs and ports, ``bondkit lab switch``, and on the live lab
where the switch sends each MAC before and after a failover.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from bondkit.errors import LabError
from bondkit.lab.switch import NAMED_COLUMNS, TABLE_COLUMNS, ask, name_table, parse_table
from tests.labutil import BOND_ADDRESSES, active_slave, build_bond, ping_ok, wait_for

#: What vde_switch 2.3.2 (Debian bookworm) printed for ``hash/print`` in the lab, after a failover
#: with fail_over_mac=none (the server's bond MAC on enp0s9's port, 4).
HASH_PRINT = """0000 DATA END WITH '.'
Hash: 0113 Addr: 08:00:27:e9:fa:f3 VLAN 0000 to port: 001  age 1 secs
Hash: 0222 Addr: 08:00:27:ad:1b:ac VLAN 0000 to port: 004  age 12 secs
.
1000 Success
"""
OWNERS = {"08:00:27:e9:fa:f3": "client/enp0s8", "08:00:27:ad:1b:ac": "server/enp0s8",
          "08:00:27:99:81:8a": "server/enp0s9"}
PORTS = {1: "client/enp0s8", 2: "client/enp0s9", 3: "server/enp0s8", 4: "server/enp0s9"}


def test_hash_print_reads_into_mac_port_vlan_and_age():
    table = parse_table(HASH_PRINT)
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert table.to_dict(orient="records") == [
        {"mac": "08:00:27:e9:fa:f3", "port": 1, "vlan": 0, "age_s": 1},
        {"mac": "08:00:27:ad:1b:ac", "port": 4, "vlan": 0, "age_s": 12}]
    assert parse_table("0000 DATA END WITH '.'\n.\n1000 Success\n").empty


def test_a_mac_on_another_nic_of_its_host_is_the_bonds():
    named = name_table(parse_table(HASH_PRINT), OWNERS, PORTS)
    assert list(named.columns) == list(NAMED_COLUMNS)
    client, server = named.to_dict(orient="records")
    assert (client["owner"], client["port_nic"], client["via"]) == ("client/enp0s8", "client/enp0s8", "nic")
    assert (server["owner"], server["port_nic"], server["via"]) == ("server/enp0s8", "server/enp0s9", "bond")
    stranger = parse_table("Addr: 02:00:00:00:00:01 VLAN 0000 to port: 003  age 0 secs")
    assert name_table(stranger, OWNERS, PORTS).iloc[0][["owner", "port_nic", "via"]].tolist() == \
        ["", "server/enp0s8", "nic"]


@pytest.fixture
def real_switch(tmp_path):
    """A vde_switch of this test's own, as the lab starts one (daemon, management console mode 600)."""
    if not shutil.which("vde_switch"):
        pytest.skip("vde_switch is not installed")
    pidfile, console = tmp_path / "switch.pid", tmp_path / "net.mgmt"
    subprocess.run(["vde_switch", "--daemon", "--pidfile", str(pidfile), "--sock", str(tmp_path / "net"),
                    "--mgmt", str(console), "--mgmtmode", "600"], check=True, timeout=10)
    deadline = time.monotonic() + 5
    while not (pidfile.exists() and pidfile.read_text().strip() and console.exists()):
        assert time.monotonic() < deadline, "vde_switch did not start"
        time.sleep(0.02)
    pid = int(pidfile.read_text())
    yield console
    os.kill(pid, signal.SIGTERM)


def test_the_console_of_a_real_switch_answers_and_refuses_what_it_does_not_know(real_switch):
    assert parse_table(ask(real_switch, "hash/print")).empty  # nothing plugged in, nothing learnt
    assert ask(real_switch, "port/showinfo").splitlines()[0] == "Numports=32"
    with pytest.raises(LabError) as caught:
        ask(real_switch, "hash/no-such-command")
    assert caught.value.key == "lab.switch_console" and str(real_switch) in str(caught.value)


def test_a_console_that_is_not_there_is_an_error_naming_it(tmp_path):
    with pytest.raises(LabError) as caught:
        ask(tmp_path / "gone.mgmt", "hash/print", timeout=1)
    assert str(tmp_path / "gone.mgmt") in str(caught.value)


def test_the_cli_verb_needs_a_running_lab(tmp_path):
    env = {**os.environ, "BONDKIT_LAB_DIR": str(tmp_path / "lab"), "BONDKIT_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "bondkit", "lab", "switch"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "lab" in done.stderr


# ------------------------------------------------------------------------------------ the live lab


def _where(table: pd.DataFrame, mac: str) -> str:
    rows = table[table["mac"] == mac]
    return str(rows["port_nic"].iloc[0]) if len(rows) else ""


def test_the_switch_sends_each_mac_to_the_port_it_last_came_from(lab):
    """After a ping both hosts' active slaves are in the table on their own ports. After a failover
    with fail_over_mac=none the bond's MAC (enp0s8's) moves to enp0s9's port: the bond sends it there."""
    client, server = lab["client"], lab["server"]
    macs = {spec.name: {nic.name: nic.mac for nic in spec.data} for spec in lab.topology.hosts}
    try:
        for host, name in ((client, "client"), (server, "server")):
            build_bond(host, BOND_ADDRESSES[name], "miimon 100 fail_over_mac none")
        assert wait_for(lambda: active_slave(server) == "enp0s8" and active_slave(client) == "enp0s8", 10)
        assert ping_ok(client, "192.168.99.102") >= 2
        table = lab.switch_table()
        assert _where(table, macs["client"]["enp0s8"]) == "client/enp0s8"
        assert _where(table, macs["server"]["enp0s8"]) == "server/enp0s8"
        lab.fault("server", "enp0s8", "carrier-loss")
        assert wait_for(lambda: active_slave(server) == "enp0s9", 10)
        assert ping_ok(client, "192.168.99.102") >= 2
        moved = lab.switch_table()
        row = moved[moved["mac"] == macs["server"]["enp0s8"]].iloc[0]
        assert (row["owner"], row["port_nic"], row["via"]) == ("server/enp0s8", "server/enp0s9", "bond")
        assert row["port"] == lab.data_port("server", "enp0s9")
        assert _where(moved, macs["server"]["enp0s9"]) in ("", "server/enp0s9")
    finally:
        lab.fault("server", "enp0s8", "restore")
        for host in (client, server):
            host.run("ip link del bond0 2>/dev/null; true")
    with pytest.raises(LabError):
        lab.switch_table("no-such-network")


def test_a_runs_switch_tables_have_the_switch_modules_columns():
    from bondkit.failover.record import SWITCH_COLUMNS

    assert SWITCH_COLUMNS == ("moment", *NAMED_COLUMNS)


@pytest.mark.parametrize(("lang", "words"), [("en", ("whose MAC", "NIC on the port", "the bond")),
                                             ("ko", ("MAC 주인", "포트에 연결된 NIC", "본딩"))])
def test_the_cli_prints_the_named_table_in_the_users_language(monkeypatch, capsys, lang, words):
    import argparse

    from bondkit.cli import lab_cmds
    from bondkit.i18n import set_lang

    table = name_table(parse_table(HASH_PRINT), OWNERS, PORTS)

    class Running:
        def switch_table(self):
            return table

    monkeypatch.setattr(lab_cmds, "running_lab", Running)
    set_lang(lang)
    assert lab_cmds.lab_switch(argparse.Namespace(json=False)) == 0
    out = capsys.readouterr().out.splitlines()
    assert all(word in out[0] for word in words[:2]) and len(out) == 3
    assert out[2].split()[:4] == ["08:00:27:ad:1b:ac", "server/enp0s8", "4", "server/enp0s9"]
    assert words[2] in out[2]
    assert lab_cmds.lab_switch(argparse.Namespace(json=True)) == 0
    assert '"via": "bond"' in capsys.readouterr().out
