"""What a student reads first in an apply report is whether it worked and the intended-against-observed
table; how bondkit got there (steps and commands) comes after, folded away in a notebook."""

from __future__ import annotations

from bondkit.apply.report import ApplyReport, Check
from bondkit.notebook.actions import Applied


def _report(ok: bool = True, rolled_back: bool = False) -> ApplyReport:
    report = ApplyReport(host="server", ok=ok, rolled_back=rolled_back, bonds=["bond0"],
                         on_step=lambda step: None)
    report.add("upload", "ok", "3 files", ["install -m 0644 ifcfg-bond0 /etc/sysconfig/network-scripts/"])
    report.add("verify", "ok" if ok else "failed", "mode", ["cat /proc/net/bonding/bond0"])
    report.checks.append(Check("mode", "active-backup", "active-backup" if ok else "balance-rr", ok))
    return report


def test_the_verdict_and_the_table_come_before_the_steps():
    text = _report().format("en")
    assert text.splitlines()[0].startswith("server: applied")
    assert text.index("active-backup") < text.index("How bondkit got there") < text.index("[+] upload")


def test_a_failed_apply_says_so_first_in_english_and_korean():
    assert _report(ok=False).format("en").splitlines()[0].startswith("server: not verified")
    assert "원래대로" in _report(ok=False, rolled_back=True).format("ko").splitlines()[0]


def test_in_a_notebook_the_steps_are_folded_under_the_table():
    html = Applied({"server": _report(), "client": _report()}, detail="server")._repr_html_()
    assert html.index("active-backup") < html.index("<details>") < html.index("[+] upload")
    assert html.count("<details>") == 1  # the other host shows its verdict only
