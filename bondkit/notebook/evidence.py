"""The moments of a failover run a student should look at, as small tables: the pings around each gap,
and when the active slave changed.

Why here and not in a notebook cell: notebooks 03 to 05 and their exercises all ask the same two
questions of a run ("where is the gap in icmp_seq?", "when did the bond change slaves, and back?"), and
the answer must read the same whether the run was made just now on the lab or loaded from ``data/runs``.
A run made just now keeps its pinger's own output (``Run.raw``: fping, the runs' probe), so the student
sees the lines as fping printed them; a recorded run keeps the parsed pings only, and the table says
so. ping's own lines, recorded on the lab, come from a file (:func:`ping_gap_text`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondkit.i18n import t
from bondkit.observe.fping import fping_seq

_SEQ = re.compile(r"icmp_seq=(\d+)")


@dataclass
class PingGap:
    """The pings around the lost ones: ping's raw lines (a fresh run) or the parsed rows (a recorded one)."""

    lines: list[str]
    frame: Any
    first_lost: int | None
    last_lost: int | None
    raw: bool
    lang: str | None = None
    #: The recorded file the lines come from (None: a run made just now).
    source: str | None = None

    @property
    def lost(self) -> int:
        return int(self.frame["lost"].sum())

    def origin(self) -> str:
        if self.first_lost is None or self.last_lost is None:  # both or neither
            return t("nb.evidence.no_gap", self.lang)
        if self.source is not None:
            return t("nb.evidence.recorded_raw", self.lang, source=self.source, first=self.first_lost,
                     last=self.last_lost, lost=self.lost)
        if self.raw:  # fping's lines number the probes from [0]
            return t("nb.evidence.raw", self.lang, first=self.first_lost - 1, last=self.last_lost - 1,
                     lost=self.lost)
        return t("nb.evidence.parsed", self.lang, first=self.first_lost, last=self.last_lost, lost=self.lost)

    def __repr__(self) -> str:
        body = "\n".join(self.lines) if self.raw else self.frame.to_string(index=False)
        return f"{body}\n({self.origin()})"

    def _repr_html_(self) -> str:
        import html

        body = (f"<pre>{html.escape(chr(10).join(self.lines))}</pre>" if self.raw
                else self.frame.to_html(index=False))
        return f"<div>{body}<small>({html.escape(self.origin())})</small></div>"


def _raw_ping_text(run: Any) -> str:
    """The pinger's own output in a fresh run (fping's lines, after the link samples), or ''."""
    text = (getattr(run, "raw", None) or {}).get(run.params.pinger, "")
    return "\n".join(line for line in text.splitlines() if fping_seq(line) is not None)


def ping_gap(run: Any, *, context: int = 3) -> PingGap:
    """The pings from ``context`` before the first lost one to ``context`` after the last one lost
    around the fault (pings lost at the failback, after the restore, are left to :func:`active_changes`)."""
    pings = run.pings
    restore = float(run.meta.get("restore_t") or float("inf"))
    lost = pings[pings["lost"] & (pings["t"] >= -0.05) & (pings["t"] < restore)]
    if lost.empty:
        window = pings[(pings["t"] > -0.05) & (pings["t"] < 0.05)]
        first = last = None
    else:
        first, last = int(lost["seq"].min()), int(lost["seq"].max())
        window = pings[(pings["seq"] >= first - context) & (pings["seq"] <= last + context)]
    frame = window.assign(t_ms=(window["t"] * 1000).round(1))[["seq", "t_ms", "rtt_ms", "lost"]]
    frame = frame.rename(columns={"seq": "icmp_seq"})
    text = _raw_ping_text(run)
    if text and first is not None and last is not None:
        wanted = set(range(first - context, last + context + 1))
        lines = [line for line in text.splitlines() if fping_seq(line) in wanted]
        return PingGap(lines, frame, first, last, raw=True)
    return PingGap([], frame, first, last, raw=False)


def _lines_around(text: str, first: int, last: int, context: int) -> list[str]:
    wanted = set(range(first - context, last + context + 1))
    return [line for line in text.splitlines() if (m := _SEQ.search(line)) and int(m.group(1)) in wanted]


def ping_gap_text(path: str | os.PathLike[str], *, context: int = 3) -> PingGap:
    """ping's own output saved in a file (``ping -D -O`` run while the fault happened, recorded on the
    lab by ``scripts/record_ping_gap.py``): the lines around the probes that never got an answer, and
    the statistics ping printed at the end."""
    import pandas as pd

    text = Path(path).read_text(encoding="utf-8")
    answered = {int(m.group(1)) for line in text.splitlines()
                if "bytes from" in line and (m := _SEQ.search(line))}
    asked = {int(m.group(1)) for line in text.splitlines() if (m := _SEQ.search(line))}
    # the last probe may still be in flight when ping stops: a gap is lost probes followed by answers
    lost = sorted(seq for seq in asked if seq not in answered and seq < max(answered, default=0))
    frame = pd.DataFrame({"icmp_seq": lost, "lost": [True] * len(lost)})
    if not lost:
        return PingGap([], frame, None, None, raw=True, source=str(path))
    first, last = lost[0], lost[-1]
    lines = _lines_around(text, first, last, context)
    lines += [line for line in text.splitlines() if "packets transmitted" in line]
    return PingGap(lines, frame, first, last, raw=True, source=str(path))


def active_changes(run: Any) -> Any:
    """When the faulted host's active slave changed, one row per change, with the time from the fault
    (``t_ms``) and, for the changes after the restore, ``after_restore_ms``: a ``primary`` shows here as
    the second change, back to the slave that failed."""
    lanes = run.lanes()
    active = lanes[lanes["is_active"]].sort_values("t")
    changed = active[active["ifname"] != active["ifname"].shift()]
    restore = float(run.meta.get("restore_t") or float("nan"))
    frame = changed.assign(t_ms=(changed["t"] * 1000).round(1))[["t_ms", "ifname", "mac"]]
    frame = frame.rename(columns={"ifname": "active_slave"})
    frame["after_restore_ms"] = [f"{ms - restore * 1000:.1f}" if ms > restore * 1000 else ""
                                 for ms in frame["t_ms"]]
    return frame.reset_index(drop=True)
