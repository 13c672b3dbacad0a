"""Lint rules: each rule fires on the mistake it describes, at the right file and line, in both languages."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bondkit import formats
from bondkit.errors import ConfigError
from bondkit.i18n import catalog, t
from bondkit.lint import RULES, SEVERITIES, Finding, counts, lint
from bondkit.spec import BondSpec, SlaveSpec

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"
BOND_HEAD = "DEVICE=bond0\nNAME=bond0\nTYPE=Bond\n"
SLAVES = {
    "ifcfg-eth1": "DEVICE=eth1\nMASTER=bond0\nSLAVE=yes\n",
    "ifcfg-eth2": "DEVICE=eth2\nMASTER=bond0\nSLAVE=yes\n",
}


def lint_files(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return lint(tmp_path)


def lint_opts(tmp_path: Path, opts: str, extra: dict[str, str] | None = None) -> list[Finding]:
    bond = BOND_HEAD + f'BONDING_OPTS="{opts}"\n'
    return lint_files(tmp_path, {"ifcfg-bond0": bond, **SLAVES, **(extra or {})})


def rules(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


def only(findings: list[Finding], rule: str) -> Finding:
    matching = [f for f in findings if f.rule == rule]
    assert len(matching) == 1, findings
    return matching[0]


# ------------------------------------------------------------------------------------------- the seed


def test_the_seed_slip_is_flagged() -> None:
    findings = lint(SEED / "centos" / "server-as-published")
    slip = only(findings, "file-name-mismatch")
    assert slip.severity == "warning"
    assert slip.where.source.endswith("server-as-published/ifcfg-enp0s9") and slip.where.line == 2
    assert "DEVICE=enp0s8" in slip.message("en") and "ifcfg-enp0s9" in slip.message("ko")
    assert only(findings, "single-slave").params["count"] == 1


def test_the_intended_seed_is_clean() -> None:
    assert lint([SEED / "centos" / "client", SEED / "centos" / "server"]) == []


def test_seed_ubuntu_gateway4_is_deprecated() -> None:
    finding = only(lint(SEED / "ubuntu" / "client"), "gateway4-deprecated")
    assert finding.where.line == 20 and finding.severity == "warning"
    # The advice works on old netplan too (Ubuntu 18.04's 0.99 has no "to: default").
    assert "routes: [{to: 0.0.0.0/0" in finding.message() and "0.103" in finding.message("ko")


# ---------------------------------------------------------------------------------------- each rule


def test_unknown_option_with_a_hint(tmp_path: Path) -> None:
    finding = only(lint_opts(tmp_path, "mode=active-backup mimon=100 fail_over_mac=active"), "unknown-option")
    assert finding.severity == "error" and finding.where.line == 4
    assert "miimon" in finding.message() and "miimon" in finding.message("ko")


def test_bad_value_is_a_finding_not_an_abort(tmp_path: Path) -> None:
    findings = lint_opts(tmp_path, "mode=9 miimon=100 fail_over_mac=sometimes")
    bad = [f for f in findings if f.rule == "bad-value"]
    assert len(bad) == 2 and all(f.severity == "error" and f.where.line == 4 for f in bad)


@pytest.mark.parametrize("option", ["fail_over_mac=active", "primary=eth1"])
def test_option_ignored_by_mode(tmp_path: Path, option: str) -> None:
    finding = only(lint_opts(tmp_path, f"mode=balance-rr miimon=100 {option}"), "ignored-by-mode")
    assert finding.params["option"] == option.split("=")[0] and finding.params["mode"] == "balance-rr"


def test_default_values_are_not_flagged_in_other_modes(tmp_path: Path) -> None:
    assert "ignored-by-mode" not in rules(lint_opts(tmp_path, "mode=802.3ad miimon=100 fail_over_mac=none"))


def test_primary_not_a_slave(tmp_path: Path) -> None:
    finding = only(lint_opts(tmp_path, "mode=1 miimon=100 fail_over_mac=1 primary=eth3"), "primary-not-slave")
    assert finding.severity == "error" and "eth1, eth2" in finding.message()


def test_slave_whose_master_names_no_bond(tmp_path: Path) -> None:
    """initscripts (NM_CONTROLLED=no) makes bond1 from its slave alone: a warning (a typo in MASTER= looks
    the same); NetworkManager never brings the port up: an error."""
    extra = {"ifcfg-eth3": "DEVICE=eth3\nMASTER=bond1\nSLAVE=yes\nNM_CONTROLLED=no\n"}
    finding = only(lint_opts(tmp_path, "mode=1 miimon=100 fail_over_mac=1", extra), "bond-from-slaves")
    assert finding.where.source.endswith("ifcfg-eth3") and finding.where.line == 2
    assert finding.severity == "warning" and "balance-rr" in finding.message("ko")
    extra = {"ifcfg-eth3": "DEVICE=eth3\nMASTER=bond1\nSLAVE=yes\n"}
    finding = only(lint_opts(tmp_path, "mode=1 miimon=100 fail_over_mac=1", extra), "orphan-slave")
    assert finding.severity == "error" and finding.key == "formats.ifcfg.no_bond_file"
    assert finding.where.line == 2 and "NetworkManager" in finding.message("ko")


def test_slave_enslaved_twice(tmp_path: Path) -> None:
    extra = {"ifcfg-eth1-copy": "DEVICE=eth1\nMASTER=bond0\nSLAVE=yes\n"}
    findings = lint_opts(tmp_path, "mode=1 miimon=100 fail_over_mac=1", extra)
    assert only(findings, "duplicate-slave").severity == "error"
    assert "file-name-mismatch" in rules(findings)


def test_slave_enslaved_twice_in_netplan(tmp_path: Path) -> None:
    text = (
        "network:\n  version: 2\n  ethernets: {eth1: {}, eth2: {}}\n  bonds:\n"
        "    bond0: {interfaces: [eth1, eth2], parameters: {mode: balance-rr, mii-monitor-interval: 100}}\n"
        "    bond1: {interfaces: [eth2], parameters: {mode: balance-rr, mii-monitor-interval: 100}}\n"
    )
    finding = only(lint_files(tmp_path, {"bonds.yaml": text}), "duplicate-slave")
    assert finding.where.line == 6


def test_slave_without_slave_yes(tmp_path: Path) -> None:
    files = {"ifcfg-bond0": BOND_HEAD + 'BONDING_OPTS="mode=1 miimon=100"\n', **SLAVES}
    files["ifcfg-eth2"] = "DEVICE=eth2\nMASTER=bond0\n"
    assert only(lint_files(tmp_path, files), "slave-not-marked").where.line == 2


def test_no_link_monitoring(tmp_path: Path) -> None:
    finding = only(lint_opts(tmp_path, "mode=1 miimon=0 fail_over_mac=1"), "no-link-monitoring")
    assert finding.key == "lint.no-link-monitoring"


def test_no_link_monitoring_when_nothing_is_set(tmp_path: Path) -> None:
    finding = only(lint_opts(tmp_path, "mode=1 fail_over_mac=1"), "no-link-monitoring")
    assert finding.key == "lint.no-link-monitoring-unset"


def test_both_monitors(tmp_path: Path) -> None:
    findings = lint_opts(
        tmp_path, "mode=1 miimon=100 arp_interval=200 arp_ip_target=10.0.0.1 fail_over_mac=1"
    )
    assert rules(findings) == {"both-monitors"}


def test_arp_without_targets(tmp_path: Path) -> None:
    assert "arp-without-targets" in rules(lint_opts(tmp_path, "mode=1 arp_interval=200 fail_over_mac=1"))


def test_delay_not_a_multiple_of_miimon(tmp_path: Path) -> None:
    findings = lint_opts(tmp_path, "mode=1 miimon=100 updelay=250 downdelay=200 fail_over_mac=1")
    finding = only(findings, "delay-not-multiple")
    assert finding.params["rounded"] == 200 and finding.params["option"] == "updelay"
    assert "200" in finding.message("ko")


def test_delay_without_miimon(tmp_path: Path) -> None:
    findings = lint_opts(tmp_path, "mode=1 miimon=0 downdelay=200 fail_over_mac=1")
    assert only(findings, "delay-without-miimon").severity == "error"


def test_removed_option(tmp_path: Path) -> None:
    finding = only(lint_opts(tmp_path, "mode=1 miimon=100 use_carrier=1 fail_over_mac=1"), "removed-option")
    assert "6.16" in finding.message()


def test_out_of_range(tmp_path: Path) -> None:
    finding = only(lint_opts(tmp_path, "mode=1 miimon=100 num_grat_arp=300 fail_over_mac=1"), "out-of-range")
    assert finding.params["high"] == 255


def test_fail_over_mac_none_is_explained(tmp_path: Path) -> None:
    finding = only(lint_opts(tmp_path, "mode=1 miimon=100"), "fail-over-mac-none")
    assert finding.severity == "info" and "VirtualBox" in finding.message()


def test_gateway_ignored_with_defroute_no(tmp_path: Path) -> None:
    bond = BOND_HEAD + 'BONDING_OPTS="mode=1 miimon=100 fail_over_mac=1"\nGATEWAY=10.0.0.1\nDEFROUTE=no\n'
    assert only(lint_files(tmp_path, {"ifcfg-bond0": bond, **SLAVES}), "gateway-ignored").where.line == 5


def test_lint_takes_specs_too() -> None:
    spec = BondSpec(
        mode="balance-rr",
        options={"fail_over_mac": "active", "miimon": 100},
        slaves=[SlaveSpec("eth1"), SlaveSpec("eth1")],
    )
    assert rules(lint(spec)) == {"ignored-by-mode", "duplicate-slave"}
    (spec,) = formats.load(SEED / "ubuntu" / "server")
    assert rules(lint([spec])) == {"gateway4-deprecated"}


def test_lint_of_unreadable_files_still_raises(tmp_path: Path) -> None:
    (tmp_path / "ifcfg-bond0").write_bytes(b"\x00\x01\x02")
    with pytest.raises(ConfigError) as info:  # a student's error, told without a traceback
        lint(tmp_path)
    assert "ifcfg-bond0:1" in str(info.value) and info.value.key == "formats.binary"


# ------------------------------------------------------------------------------------ messages, form


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _keys_used() -> set[str]:
    sources = [
        *(ROOT / "bondkit" / "formats").glob("*.py"),
        ROOT / "bondkit" / "lint.py",
        ROOT / "bondkit" / "cli" / "config_cmds.py",
    ]
    used = set()
    for path in sources:
        used |= set(re.findall(r'"((?:formats|lint|spec)\.[a-z0-9_.-]+)"', path.read_text()))
    return {key for key in used if not key.endswith(".")}


def test_every_message_exists_in_both_languages_with_the_same_fields() -> None:
    table = catalog()
    keys = _keys_used() | {f"lint.{rule}" for rule in RULES if f"lint.{rule}" in table}
    keys |= {f"lint.severity.{s}" for s in SEVERITIES}
    for key in sorted(keys):
        assert key in table, key
        assert set(table[key]) >= {"en", "ko"}, key
        assert _placeholders(table[key]["en"]) == _placeholders(table[key]["ko"]), key
        assert re.search("[가-힣]", table[key]["ko"]) or key.startswith("formats.show.dhcp4"), key


def test_every_rule_with_a_message_of_its_own() -> None:
    spec_rules = {
        "unknown-option",
        "primary-not-slave",
        "delay-without-miimon",
        "out-of-range",
        "ignored-by-mode",
        "removed-option",
        "no-link-monitoring",
        "both-monitors",
        "delay-not-multiple",
        "arp-without-targets",
        "single-slave",
        "fail-over-mac-none",
    }
    assert spec_rules <= set(RULES)
    for rule in spec_rules:
        assert f"lint.{rule}" in catalog(), rule
    assert set(RULES.values()) <= set(SEVERITIES)


def test_format_and_json_shape(tmp_path: Path) -> None:
    findings = lint_opts(tmp_path, "mode=1 miimon=100 updelay=150 fail_over_mac=1")
    finding = only(findings, "delay-not-multiple")
    line = finding.format("en")
    assert re.fullmatch(r".*/ifcfg-bond0:4: warning: updelay=150 .* \[delay-not-multiple\]", line), line
    assert f": {t('lint.severity.warning', 'ko')}: " in finding.format("ko")
    assert finding.to_dict()["line"] == 4 and finding.to_dict()["severity"] == "warning"
    assert counts(findings) == {"error": 0, "warning": 1, "info": 0}


def test_findings_are_sorted_by_file_and_line(tmp_path: Path) -> None:
    extra = {"ifcfg-eth3": "DEVICE=eth3\nMASTER=bond1\nSLAVE=yes\n"}
    findings = lint_opts(tmp_path, "mode=0 miimon=100 primary=eth1 mimon=3", extra)
    places = [(f.where.source, f.where.line) for f in findings]
    assert places == sorted(places)
