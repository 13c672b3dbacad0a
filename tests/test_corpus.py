"""The corpus of realistic configurations (tests/fixtures/corpus/, described in corpus.yaml): each is read
as its owning tool reads it, linted, converted to every format, and every conversion is either complete
(it parses back to the same bonds) or names, setting by setting with file:line, what it could not carry.
A refused entry is refused with the catalog key, line and reason of what the owning tool itself rejects.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bondkit import formats
from bondkit.errors import ConfigError
from bondkit.lint import lint
from bondkit.spec import BondSpec

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = FIXTURES / "corpus"
CASES: dict[str, dict] = yaml.safe_load((FIXTURES / "corpus.yaml").read_text())
ACCEPTED = sorted(name for name, case in CASES.items() if "refused" not in case)
REFUSED = sorted(name for name, case in CASES.items() if "refused" in case)


def write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def plain_interfaces(specs: list[BondSpec]) -> dict[str, object]:
    """The plain NICs of the same files (the management interface), which every format writes too."""
    return {other.conf.name: other.conf for spec in specs for other in spec.others if other.conf is not None}


def test_every_corpus_directory_is_described() -> None:
    assert sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) == sorted(CASES)
    assert len(ACCEPTED) >= 35 and len(REFUSED) >= 8
    assert all(CASES[name].get("shape") for name in CASES)


@pytest.mark.parametrize("name", REFUSED)
def test_refused_with_the_owning_tools_reason(name: str) -> None:
    case = CASES[name]
    with pytest.raises(ConfigError) as info:
        formats.load(CORPUS / name)
    assert (info.value.key, info.value.line) == (case["refused"], case["line"]), str(info.value)
    assert info.value.source and info.value.source.startswith(str(CORPUS / name))
    assert info.value.message("ko") and case["owner"]
    # lint tells the same thing, as an error, or stops at the same place when the file cannot be read.
    try:
        findings = lint(CORPUS / name)
    except ConfigError as exc:
        assert (exc.key, exc.line) == (case["refused"], case["line"])
    else:
        assert any(f.severity == "error" and f.key == case["refused"] and f.where.line == case["line"]
                   for f in findings)


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted_parses_and_lints_without_errors(name: str) -> None:
    specs = formats.load(CORPUS / name)
    assert [spec.name for spec in specs] == CASES[name]["bonds"]
    findings = lint(CORPUS / name)
    assert not [f.format() for f in findings if f.severity == "error"]
    for finding in findings:
        assert finding.where is not None and finding.where.source.startswith(str(CORPUS / name))
        assert finding.message("en") and finding.message("ko")
    # Whatever bondkit keeps outside its model is told, as info, with its line.
    kept = [extra for spec in specs for _, conf in spec.interfaces() for extra in conf.extras]
    kept += [extra for spec in specs for slave in spec.slaves for extra in slave.extras]
    told = {(f.where.source, f.where.line) for f in findings if f.rule == "outside-model"}
    assert {(extra.where.source, extra.where.line) for extra in kept} <= told


@pytest.mark.parametrize("fmt", list(formats.FORMATS))
@pytest.mark.parametrize("name", ACCEPTED)
def test_conversion_is_complete_or_names_each_loss(tmp_path: Path, name: str, fmt: str) -> None:
    source = CORPUS / name
    result = formats.convert_all(source, fmt)
    expected = CASES[name]["lost"].get(fmt, [])
    assert [loss.setting for loss in result.lost] == expected
    for loss in result.lost:
        assert loss.where is not None and loss.where.line, loss
        assert loss.where.source.startswith(str(source)) and Path(loss.where.source).is_file()
        assert loss.message("en") and loss.message("ko") and loss.target == fmt
    findings = [f for f in lint(source, to=fmt) if f.rule == "lost-in-conversion"]
    assert sorted((f.where.source, f.where.line) for f in findings) == sorted(
        (loss.where.source, loss.where.line) for loss in result.lost)
    # What was written reads back without an error, in the target format's own reading.
    back = formats.load(write(tmp_path / fmt, result.files))
    assert [spec.name for spec in back] == [spec.name for spec in result.specs]
    assert not [f.format() for f in lint(tmp_path / fmt) if f.severity == "error"]
    if not expected:
        assert back == result.specs, f"{name} -> {fmt} is not the same bond"
        assert plain_interfaces(back) == plain_interfaces(result.specs)


@pytest.mark.parametrize("fmt", ["netplan", "nmcli"])
def test_whole_network_scripts_copy_migrates_with_the_management_nic(tmp_path: Path, fmt: str) -> None:
    """``bondkit convert DIR --to nmcli|netplan`` on a network-scripts copy: the bond, its route file,
    the DHCP management NIC; ifup scripts, loopback and the backup file passed over; ZONE reported."""
    result = formats.convert_all(CORPUS / "centos7-network-scripts-copy", fmt)
    text = "".join(result.files.values())
    assert "10.99.0.0/16" in text and "10.10.10.2" in text
    assert ("type ethernet con-name enp0s3 ifname enp0s3 ipv4.method auto" in text if fmt == "nmcli"
            else "enp0s3:\n      dhcp4: true\n" in text)
    assert "127.0.0.1" not in text and "ifup" not in text
    # enp0s3 takes its address by DHCP but not the default route (DEFROUTE=no), and bond0 is in the
    # firewalld zone "internal": NetworkManager says both, netplan neither.
    assert ("ipv4.never-default yes" in text and "connection.zone internal" in text) == (fmt == "nmcli")
    assert [(loss.setting, loss.where.line) for loss in result.lost] == ([] if fmt == "nmcli" else [
        ("ZONE=internal (bond0)", 11), ("DEFROUTE=no (enp0s3)", 5)])


def test_address_on_the_vlan_survives_every_conversion() -> None:
    """The how-to whose only address is on bond0.53: every format carries the VLAN and its address."""
    for fmt in formats.FORMATS:
        (spec,) = formats.convert_all(CORPUS / "howto-address-on-vlan", fmt).specs
        files = formats.render(spec, fmt, whole=True)
        assert any("192.0.2.53" in text for text in files.values()), fmt
        assert any("53" in text and ("vlan" in text.lower()) for text in files.values()), fmt
