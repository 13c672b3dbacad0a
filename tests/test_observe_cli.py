"""Tests of `bondkit parse FILE [--kind ...] [--json|--csv]` on real and constructed recordings."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import bondkit.cli
from bondkit.cli import main
from bondkit.i18n import set_lang

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed" / "ip-link"
REC = ROOT / "data" / "recorded" / "netns-veth"

# CONSTRUCTED after bond_procfs.c of RHEL 7's 3.10 kernel (see tests/test_observe.py): the tutorial's
# bond with fail_over_mac=1 before the failure.
CENTOS7_ACTIVE_BEFORE = """\
Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)

Bonding Mode: fault-tolerance (active-backup) (fail_over_mac active)
Primary Slave: None
Currently Active Slave: enp0s8
MII Status: up
MII Polling Interval (ms): 100
Up Delay (ms): 0
Down Delay (ms): 0

Slave Interface: enp0s8
MII Status: up
Speed: 1000 Mbps
Duplex: full
Link Failure Count: 0
Permanent HW addr: 08:00:27:e8:26:58
Slave queue ID: 0

Slave Interface: enp0s9
MII Status: up
Speed: 1000 Mbps
Duplex: full
Link Failure Count: 0
Permanent HW addr: 08:00:27:27:a9:2d
Slave queue ID: 0
"""


@pytest.fixture(autouse=True)
def english_to_start_with(monkeypatch):
    """The language starts from English."""
    monkeypatch.setenv("BONDKIT_LANG", "en")
    set_lang(None)
    yield
    set_lang(None)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bond0(tmp_path) -> Path:
    path = tmp_path / "bond0"
    path.write_text(CENTOS7_ACTIVE_BEFORE)
    return path


def test_parse_is_registered():
    assert bondkit.cli.module_of("parse") == "bondkit.cli.observe_cmds"
    from bondkit.cli import observe_cmds

    assert bondkit.cli.build_parser("parse").parse_args(["parse", "x"]).func is observe_cmds.run_parse


def test_table_of_the_tutorial_output(capsys):
    code, out, err = run(capsys, "parse", str(SEED / "follow-after.txt"))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["ifname", "mac", "state", "flags", "master"]
    expected = ["enp0s8", "08:00:27:27:a9:2d", "DOWN", "BROADCAST,MULTICAST,SLAVE", "bond0"]
    assert expected in [line.split() for line in lines]


def test_json_of_ip_link_text_and_json(capsys):
    code, out, _ = run(capsys, "parse", str(SEED / "active-after.txt"), "--json")
    links = json.loads(out)
    assert code == 0 and [set(link) for link in links] == [{"ifname", "mac", "state", "flags", "master"}] * 5
    assert links[4] == {"ifname": "bond0", "mac": "08:00:27:27:a9:2d", "state": "UP",
                        "flags": ["BROADCAST", "MULTICAST", "MASTER", "UP", "LOWER_UP"], "master": None}
    code, out, _ = run(capsys, "parse", str(REC / "ip-d-j-link-peer-down.json"), "--json")
    links = {link["ifname"]: link for link in json.loads(out)}
    assert links["mv0"]["state"] == "LOWERLAYERDOWN" and links["veth0"]["slave_kind"] == "bridge"


def test_json_of_proc_bonding_has_exactly_the_documented_keys(capsys, bond0):
    code, out, _ = run(capsys, "parse", str(bond0), "--json")
    info = json.loads(out)
    assert code == 0
    assert list(info) == ["bond", "mode", "fail_over_mac", "primary", "primary_reselect", "active_slave",
                          "mii_status", "miimon", "updelay", "downdelay", "peer_notif_delay", "arp_interval",
                          "arp_ip_targets", "slaves"]
    assert (info["bond"], info["mode"], info["fail_over_mac"]) == ("bond0", "active-backup", "active")
    assert list(info["slaves"][0]) == ["name", "mii_status", "speed", "duplex", "link_failure_count",
                                       "perm_hwaddr", "queue_id"]
    code, out, _ = run(capsys, "parse", str(bond0), "--json", "--bond", "bond7")
    assert json.loads(out)["bond"] == "bond7"


def test_table_of_proc_bonding(capsys, bond0):
    code, out, _ = run(capsys, "--lang", "ko", "parse", str(bond0))
    assert code == 0
    assert "fail_over_mac     active" in out
    assert "슬레이브" in out
    assert "enp0s9" in out


def test_ping_json_csv_and_summary(capsys):
    path = str(REC / "ping-peer-down.txt")
    code, out, _ = run(capsys, "parse", path, "--json")
    rows = json.loads(out)  # NaN would not be valid JSON
    assert code == 0 and rows[2] == {"t": 1795617792.363933, "seq": 3, "rtt_ms": None, "lost": True}
    code, out, _ = run(capsys, "parse", path, "--csv")
    assert out.splitlines()[0] == "t,seq,rtt_ms,lost"
    assert out.splitlines()[3] == "1795617792.363933,3,,True"
    code, out, _ = run(capsys, "parse", path)
    assert "5 probes: 3 answered, 2 lost" in out
    assert "1795617792.363933" in out


def test_csv_of_links_and_slaves(capsys, bond0):
    code, out, _ = run(capsys, "parse", str(SEED / "none-before.txt"), "--csv")
    assert out.splitlines()[0].split(",")[:5] == ["ifname", "mac", "state", "flags", "master"]
    code, out, _ = run(capsys, "parse", str(bond0), "--csv")
    assert out.splitlines()[0] == ("bond,name,active,mii_status,speed,duplex,link_failure_count,"
                                   "perm_hwaddr,queue_id")
    assert out.splitlines()[1] == "bond0,enp0s8,True,up,1000,full,0,08:00:27:e8:26:58,0"


def test_kind_given_explicitly_and_stdin(capsys, monkeypatch):
    data = (REC / "ip-d-j-link-up.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "parse", "-", "--kind", "ip-link-json", "--json")
    assert code == 0 and [link["ifname"] for link in json.loads(out)] == ["lo", "veth0", "br0", "mv0"]


@pytest.mark.parametrize("content, kind, where, words", [
    (b"", None, ":", "empty"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", None, ":1", "binary"),
    (b"\xff\xfe\xfd\n", None, ":1", "binary"),
    (b"hello world\n", None, ":", "--kind"),
    (b'[{"ifname": "lo", "flags": [', None, ":1", "JSON"),
    (CENTOS7_ACTIVE_BEFORE.encode(), "ip-link", ":1", "ip link show"),
    (CENTOS7_ACTIVE_BEFORE[:-60].encode(), None, ":19", "cut short"),
])
def test_bad_files_exit_2_with_file_and_line(capsys, tmp_path, content, kind, where, words):
    path = tmp_path / "recorded.txt"
    path.write_bytes(content)
    code, out, err = run(capsys, "parse", str(path), *(["--kind", kind] if kind else []))
    assert code == 2 and out == ""
    assert err.startswith(f"bondkit: error: {path}{where}")
    assert words in err and "Traceback" not in err


def test_missing_file_and_directory(capsys, tmp_path):
    code, _, err = run(capsys, "parse", str(tmp_path / "nope.txt"))
    assert code == 2 and "nope.txt: cannot read the file" in err
    code, _, err = run(capsys, "parse", str(tmp_path))
    assert code == 2 and "cannot read the file" in err


def test_errors_in_korean(capsys, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("")
    code, _, err = run(capsys, "--lang", "ko", "parse", str(path))
    assert code == 2 and err.startswith(f"bondkit: 오류: {path}: 출력이 비어 있습니다")


def test_json_and_csv_are_exclusive(capsys):
    with pytest.raises(SystemExit) as info:
        main(["parse", str(SEED / "none-before.txt"), "--json", "--csv"])
    assert info.value.code == 2
