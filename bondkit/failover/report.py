"""The summary table of a set of runs, in the user's language: what `bondkit failover` prints.

Besides the figures of the issue (detect, outage, lost pings, MAC changes) it shows bond0's MAC before
and after, and whether pings still reach the server after the failover, with the reason taken from
the data when they do not: the MAC the client sends to against the MAC the switch port lets through.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from bondkit.failover.record import Run
from bondkit.i18n import get_lang, t


def _short(mac: str | None) -> str:
    return mac[-8:] if mac else "-"


def summary_frame(runs: Sequence[Run], lang: str | None = None) -> pd.DataFrame:
    """One row per run with localised column names."""
    lang = get_lang(lang)
    rows = []
    for run in runs:
        p, m = run.params, run.metrics
        monitor = f"arp {p.arp_interval}" if p.arp_interval else f"miimon {p.miimon}"
        bond = f"{_short(m.macs_before.get('bond0'))} -> {_short(m.macs_after.get('bond0'))}"
        rows.append({
            t("failover.col.mode", lang): p.fail_over_mac,
            t("failover.col.fault", lang): p.fault,
            t("failover.col.switch", lang): p.switch,
            t("failover.col.monitor", lang): monitor,
            t("failover.col.detect", lang): "-" if m.detect_ms is None else f"{m.detect_ms:.0f}",
            t("failover.col.outage", lang): f"{m.outage_ms:.0f}" + ("" if m.recovered else "+"),
            t("failover.col.lost", lang): m.lost,
            t("failover.col.mac_changes", lang): m.mac_changes,
            t("failover.col.bond_mac", lang): bond,
            t("failover.col.reaches", lang): t("failover.yes" if m.survived else "failover.no", lang),
        })
    return pd.DataFrame(rows)


def explanations(runs: Sequence[Run], lang: str | None = None) -> list[str]:
    """For each run whose pings stopped reaching the server on a filtering switch, why (from data)."""
    lang = get_lang(lang)
    lines = []
    for run in runs:
        m = run.metrics
        if run.params.switch == "vbox-hostonly" and not m.delivered_after and m.active_after:
            lines.append(t("failover.why_lost", lang, mode=run.params.fail_over_mac,
                           arp=m.peer_arp_after or "?", slave=m.active_after, port=m.port_mac_after or "?"))
    return lines


def format_table(frame: pd.DataFrame) -> str:
    """A plain-text table whose columns line up for Hangul too (a Hangul syllable is two cells wide)."""
    def width(text: str) -> int:
        return sum(2 if "\uac00" <= ch <= "\ud7a3" else 1 for ch in text)

    def pad(text: str, size: int) -> str:
        return text + " " * (size - width(text))

    cells = [[str(c) for c in frame.columns]]
    cells += [[str(v) for v in row] for row in frame.itertuples(index=False)]
    sizes = [max(width(row[i]) for row in cells) for i in range(len(frame.columns))]
    lines = ["  ".join(pad(cell, size) for cell, size in zip(row, sizes, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * size for size in sizes))
    return "\n".join(lines)


def sweep_frame(sweeps: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """One row per repeated setting (``scripts/record_sweeps.py``): how many runs, and the median and
    range of the detection time and of the outage, with the failback's outage where there was one."""
    from bondkit.failover.store import SWEEPS

    lang = get_lang(lang)

    def spread(values: pd.Series) -> str:
        return "-" if values.empty else f"{values.median():.0f} ({values.min():.0f}-{values.max():.0f})"

    rows = []
    order = {name: number for number, name in enumerate(SWEEPS)}
    for setting, group in sorted(sweeps.groupby("setting"), key=lambda item: order.get(item[0], len(order))):
        detect = pd.to_numeric(group["detect_ms"], errors="coerce").dropna()
        outage = pd.to_numeric(group["outage_ms"], errors="coerce").dropna()
        failback = pd.to_numeric(group["failback_outage_ms"], errors="coerce").fillna(0.0)
        with_primary = group["primary"].fillna("").astype(str).ne("").any()
        rows.append({
            t("failover.col.setting", lang): setting,
            t("failover.col.runs", lang): len(group),
            t("failover.col.detect_spread", lang): spread(detect),
            t("failover.col.outage_spread", lang): spread(outage),
            t("failover.col.failback", lang): spread(failback) if with_primary else "-",
        })
    return pd.DataFrame(rows)
