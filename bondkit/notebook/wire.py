"""What the network did at a failover, as the notebooks show it: the lab switch's table before and after,
and the first frames the newly active slave sent.

Both come from a failover run (:class:`bondkit.failover.Run`): a run made just now read them from the
lab (the switch's console, QEMU's capture), a recorded run keeps what was read when it was recorded.
Every table ends with the line that says which, per run.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from bondkit.i18n import t


def _origin(run: Any, lang: str | None) -> str:
    if run.path is None:
        return t("nb.wire.live", lang, id=run.id)
    return t("nb.wire.recorded", lang, id=run.id)


@dataclass
class RunTables:
    """One small table per run, each with its heading and the line saying where it came from."""

    parts: list[tuple[str, pd.DataFrame, str]]
    empty: str

    def __repr__(self) -> str:
        blocks = []
        for heading, frame, origin in self.parts:
            body = frame.to_string(index=False) if len(frame) else self.empty
            blocks.append(f"{heading}\n{body}\n({origin})")
        return "\n\n".join(blocks)

    def _repr_html_(self) -> str:
        blocks = []
        for heading, frame, origin in self.parts:
            body = frame.to_html(index=False) if len(frame) else f"<p>{html.escape(self.empty)}</p>"
            blocks.append(f"<div><b>{html.escape(heading)}</b>{body}"
                          f"<small>({html.escape(origin)})</small></div>")
        return "".join(blocks)


def _heading(run: Any, lang: str | None) -> str:
    return t("nb.wire.heading", lang, mode=run.params.fail_over_mac, fault=run.params.fault)


def switch_tables(runs: Any, lang: str | None = None) -> RunTables:
    """The data switch's table just before the fault and just before the restore, one table per run:
    where the switch sent each MAC address, and whose address it is."""
    parts = []
    for run in _as_list(runs):
        table = run.switch
        shown = pd.DataFrame({
            t("nb.wire.col.moment", lang): [t(f"nb.wire.moment.{m}", lang) for m in table["moment"]],
            t("labcli.switch.col.mac", lang): table["mac"],
            t("labcli.switch.col.owner", lang): table["owner"].replace("", "?"),
            t("labcli.switch.col.port", lang): table["port"],
            t("labcli.switch.col.port_nic", lang): table["port_nic"].replace("", "?"),
            t("labcli.switch.col.via", lang): [t(f"labcli.switch.via.{v}", lang) for v in table["via"]],
        })
        parts.append((_heading(run, lang), shown, _origin(run, lang)))
    return RunTables(parts, t("nb.wire.no_switch", lang))


def sent_at_failover(runs: Any, count: int = 3, lang: str | None = None) -> RunTables:
    """The first ``count`` frames the faulted host's new active slave sent from the fault on, one table
    per run: the moment (ms from the fault), what it was and the source MAC it carried.

    "From the fault" starts where the figures' band of the fault taking effect starts: the instant is
    known only to within it, and a bond that failed over early in the band sent its first frames there.
    """
    parts = []
    for run in _as_list(runs):
        frames = run.frames
        nic = f"{run.params.host}/{run.metrics.active_after or ''}"
        start = -float(run.meta.get("fault_window_ms") or 0.0) / 1000
        sent = frames[(frames["nic"] == nic) & (frames["direction"] == "out") & (frames["t"] >= start)]
        sent = sent.sort_values("t").head(count)
        kinds = zip(sent["kind"], sent["gratuitous"], strict=True)
        addresses = zip(sent["sender_ip"], sent["target_ip"], strict=True)
        shown = pd.DataFrame({
            t("nb.wire.col.t_ms", lang): (sent["t"] * 1000).round(0).astype(int),
            t("nb.wire.col.nic", lang): sent["nic"],
            t("nb.wire.col.kind", lang): [_kind(kind, garp, lang) for kind, garp in kinds],
            t("nb.wire.col.src_mac", lang): sent["src_mac"],
            t("nb.wire.col.says", lang): [f"{ip} → {target}" if ip else "" for ip, target in addresses],
        })
        parts.append((_heading(run, lang), shown, _origin(run, lang)))
    return RunTables(parts, t("nb.wire.no_frames", lang))


def _kind(kind: str, gratuitous: bool, lang: str | None) -> str:
    return t("plot.wire.garp", lang) if gratuitous else t(f"nb.wire.kind.{kind}", lang)


def _as_list(runs: Any) -> Sequence[Any]:
    return list(runs) if isinstance(runs, list | tuple) else [runs]
