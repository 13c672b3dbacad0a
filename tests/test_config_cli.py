"""``bondkit lint``, ``show`` and ``convert`` as a student runs them: output, files and exit codes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bondkit import formats
from bondkit.cli import main
from bondkit.i18n import display_width, set_lang

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"
CLIENT = str(SEED / "centos" / "client")
SLIP = str(SEED / "centos" / "server-as-published")
UBUNTU = str(SEED / "ubuntu" / "client" / "50-cloud-init.yaml")


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English whatever the machine's locale; ``--lang ko`` tests switch."""
    set_lang("en")
    yield
    set_lang(None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_lint_warnings_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", SLIP)
    assert code == 0
    assert "server-as-published/ifcfg-enp0s9:2: warning:" in out and "[file-name-mismatch]" in out
    assert out.rstrip().endswith("0 error(s), 2 warning(s), 0 info")


def test_lint_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "lint", CLIENT) == (0, "no problems found\n", "")


def test_lint_errors_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ifcfg-bond0").write_text(
        'DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS="mode=1 miimon=100 primary=eth9"\n'
    )
    code, out, _ = run(capsys, "lint", str(tmp_path))
    assert code == 1 and "[primary-not-slave]" in out


def test_lint_json_in_korean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "ko", "lint", "--json", SLIP)
    findings = json.loads(out)
    assert code == 0 and {f["rule"] for f in findings} == {"file-name-mismatch", "single-slave"}
    assert all(set(f) == {"rule", "severity", "file", "line", "message"} for f in findings)
    assert any("슬레이브" in f["message"] for f in findings)


@pytest.mark.parametrize(
    "content",
    [b"", b"\x7fELF\x02\x01\x01\x00\x00\x00", b"network:\n  bonds:\n\tbond0: {}\n"],
    ids=["empty", "binary", "tab"],
)
@pytest.mark.parametrize("command", ["lint", "show", "convert"])
def test_bad_input_exits_2_without_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, command: str
) -> None:
    path = tmp_path / "bond.yaml"
    path.write_bytes(content)
    extra = ["--to", "ip"] if command == "convert" else []
    code, out, err = run(capsys, command, str(path), *extra)
    assert code == 2 and out == ""
    assert err.startswith(f"bondkit: error: {path}:") and "Traceback" not in err


def test_directory_with_no_bond_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ifcfg-eth0").write_text("DEVICE=eth0\nBOOTPROTO=dhcp\n")
    code, _, err = run(capsys, "show", str(tmp_path))
    assert code == 2 and "no bond configuration found" in err


def test_show_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "--json", CLIENT, UBUNTU)
    data = json.loads(out)
    assert code == 0 and len(data) == 2
    assert data[0] == {
        "name": "bond0",
        "mode": "active-backup",
        "options": {"fail_over_mac": "active", "miimon": 100},
        "slaves": ["enp0s8", "enp0s9"],
        "members": [{"name": name, "name_known": True, "netplan_id": None, "kind": "ethernet", "hwaddr": None,
                     "match": {}, "mac": None, "mtu": None} for name in ("enp0s8", "enp0s9")],
        "addresses": ["192.168.99.101/24"],
        "gateway": None,
        "routes": [],
        "dhcp4": False,
        "dhcp6": False,
        "never_default": False,
        "accept_ra": None,
        "nameservers": [],
        "search": [],
        "mtu": None,
        "ipv6_mtu": None,
        "mac": None,
        "autoconnect": True,
        "zone": None,
        "vlans": [],
        "bridge": None,
        "renderer": None,
        "netns": None,
    }
    assert data[1]["options"]["primary"] == "enp0s8" and data[1]["gateway"] == "192.168.225.1"
    SHOW_SCHEMA.validate(data)


SHOW_SCHEMA = jsonschema.Draft202012Validator(
    json.loads((ROOT / "bondkit" / "schemas" / "show.schema.json").read_text()))
CORPUS = ROOT / "tests" / "fixtures" / "corpus"


@pytest.mark.parametrize("path", sorted(p.name for p in CORPUS.iterdir() if not p.name.startswith("refused")))
def test_show_json_follows_the_schema(capsys: pytest.CaptureFixture[str], path: str) -> None:
    """Every accepted corpus entry's ``show --json`` is valid against bondkit/schemas/show.schema.json,
    whose every field has one shape (a route is always an object, with or without a metric)."""
    code, out, _ = run(capsys, "show", "--json", str(CORPUS / path))
    data = json.loads(out)
    assert code == 0 and data
    SHOW_SCHEMA.validate(data)
    for bond in data:
        for conf in [bond, *bond["vlans"], *([bond["bridge"]] if bond["bridge"] else [])]:
            assert all(isinstance(route, dict) and set(route) == {"to", "via", "metric", "on_link", "table"}
                       for route in conf["routes"])
        assert bond["slaves"] == [member["name"] for member in bond["members"]]


def test_show_json_schema_is_not_a_formality() -> None:
    """The schema refuses what ``show --json`` used to print: a route as a [to, via] pair, a missing field."""
    (spec,) = formats.load(CORPUS / "alias-and-route-files")
    data = [spec.to_dict()]
    SHOW_SCHEMA.validate(data)
    for broken in ({"routes": [["10.0.0.0/8", "10.1.1.1"]]}, {"netns": 5}, {"members": [{"name": "eth0"}]}):
        with pytest.raises(jsonschema.ValidationError):
            SHOW_SCHEMA.validate([{**data[0], **broken}])
    with pytest.raises(jsonschema.ValidationError):
        SHOW_SCHEMA.validate([{k: v for k, v in data[0].items() if k != "mtu"}])


def test_show_text_in_korean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "ko", "show", UBUNTU)
    assert code == 0 and "슬레이브" in out and "enp0s8, enp0s9" in out and "게이트웨이" in out
    values = ["active-backup", "fail_over_mac=", "enp0s8, enp0s9", "192.168.225.1", "아니요"]
    lines = out.splitlines()
    columns = {display_width(line[: line.index(v)]) for v in values for line in lines if v in line}
    assert len(columns) == 1  # Hangul labels take two columns each, and the values still line up


@pytest.mark.parametrize("fmt", list(formats.FORMATS))
def test_convert_prints_what_parses_back(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, _ = run(capsys, "convert", UBUNTU, "--to", fmt)
    assert code == 0
    chunks = out.split("# ==> ")[1:]
    files = {chunk.split(" <==\n", 1)[0]: chunk.split(" <==\n", 1)[1] for chunk in chunks}
    if fmt == "ifcfg":
        # enp0s3, the management NIC of the same netplan file, is converted too.
        assert sorted(files) == ["ifcfg-bond0", "ifcfg-enp0s3", "ifcfg-enp0s8", "ifcfg-enp0s9"]
        assert "BOOTPROTO=dhcp\n" in files["ifcfg-enp0s3"]
        specs = formats.ifcfg.parse(files)
    else:
        ((name, text),) = files.items()
        specs = formats.parse_text(text, name, fmt)
    assert specs == formats.load(UBUNTU)


def test_convert_writes_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "convert", CLIENT, "--to", "netplan", "--out", str(tmp_path / "np"))
    yaml_file = tmp_path / "np" / "bond0.yaml"
    assert code == 0 and f"wrote {yaml_file}" in out
    assert stat.S_IMODE(yaml_file.stat().st_mode) == 0o600
    code, _, _ = run(
        capsys, "convert", str(tmp_path / "np"), "--to", "ifcfg", "--out", str(tmp_path / "back")
    )
    assert code == 0 and sorted(os.listdir(tmp_path / "back")) == [
        "ifcfg-bond0",
        "ifcfg-enp0s8",
        "ifcfg-enp0s9",
    ]
    assert formats.load(tmp_path / "back") == formats.load(CLIENT)


def test_convert_two_hosts_into_one_place_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "convert", CLIENT, str(SEED / "centos" / "server"), "--to", "nmcli")
    assert code == 2 and "bond0-nmcli.sh" in err


def test_convert_warns_of_what_netplan_cannot_say_and_strict_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "ifcfg-bond0").write_text(
        'DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS="mode=1 peer_notif_delay=100"\n'
    )
    code, out, err = run(capsys, "convert", str(tmp_path), "--to", "netplan")
    assert code == 0 and "mode: active-backup" in out and "peer_notif_delay" not in out
    assert f"{tmp_path / 'ifcfg-bond0'}:3: warning: peer_notif_delay is not carried into netplan" in err
    assert "1 setting(s) not carried into netplan" in err
    code, out, err = run(capsys, "convert", str(tmp_path), "--to", "netplan", "--strict")
    assert code == 1 and out == "" and "peer_notif_delay" in err
    code, out, _ = run(capsys, "lint", str(tmp_path), "--to", "netplan")
    assert "ifcfg-bond0:3: warning: peer_notif_delay is not carried into netplan" in out
    assert "[lost-in-conversion]" in out


def test_convert_of_a_netplan_file_keeps_the_management_nic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """cloud-init's file holds enp0s3 (dhcp4: true) beside the bond: writing the result over the file
    must not cut the host off, so every target writes enp0s3 too, or says with file:line that it cannot."""
    code, out, err = run(capsys, "convert", UBUNTU, "--to", "netplan")
    assert code == 0 and "enp0s3:\n      dhcp4: true\n" in out and "everything was carried" in err
    code, out, err = run(capsys, "convert", UBUNTU, "--to", "nmcli")
    assert code == 0 and "type ethernet con-name enp0s3 ifname enp0s3 ipv4.method auto" in out
    code, out, err = run(capsys, "convert", UBUNTU, "--to", "ip", "--report", str(tmp_path / "r.txt"))
    assert code == 0 and "dev enp0s3" not in out and "ip link set enp0s3 up" in out
    assert f"{UBUNTU}:9: warning: dhcp4 (enp0s3) is not carried into ip" in err
    report = (tmp_path / "r.txt").read_text()
    assert "bond0-ip.sh" in report and "dhcp4 (enp0s3)" in report and "1 setting(s) not carried" in report


def test_real_entry_point() -> None:
    """``python -m bondkit`` (what the ``bondkit`` script runs), with a Korean locale."""
    env = {**os.environ, "BONDKIT_LANG": "ko"}
    done = subprocess.run(
        [sys.executable, "-m", "bondkit", "lint", SLIP],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "경고" in done.stdout and "[file-name-mismatch]" in done.stdout
