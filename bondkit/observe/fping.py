"""``fping -D -c N`` output (fping 5): one row per probe, lost ones included.

The failover runs probe with fping rather than iputils ping: at an interval of 10 ms, iputils ping
spins between a reply and the next probe (``sched_yield`` while less than a clock tick remains), and
in an emulated guest every one of those system calls is costly: on the lab's earlier User-Mode Linux
engine each was a round trip to the host, and one run kept a whole core busy. fping waits in
``select`` until its next probe is due.
"""

from __future__ import annotations

import math
import re
from typing import Any

from bondkit.observe.common import checked_lines, fail

# "[1796121095.14212] 10.0.2.11 : [28], 64 bytes, 0.036 ms (0.040 avg, 0% loss)"
# "[1796121095.67592] 10.0.2.11 : [3], timed out (NaN avg, 75% loss)"
_PROBE = re.compile(r"^\[([0-9]+(?:\.[0-9]+)?)\]\s+\S+\s+:\s+\[([0-9]{1,9})\],\s+"
                    r"(?:[0-9]+ bytes, ([0-9]+(?:\.[0-9]+)?) ms|(timed out))")
# "10.0.2.11 : xmt/rcv/%loss = 400/398/0%, min/avg/max = ..."
_SUMMARY = re.compile(r"^\S+\s+:\s+xmt/rcv/%loss = ([0-9]+)/([0-9]+)/", re.M)


def parse_fping(text: str, source: str = "<text>") -> list[dict[str, Any]]:
    """Read ``fping -D -c`` output into one row per probe reported: ``{t, seq, rtt_ms, lost}``.

    ``seq`` counts from 1, as ping's ``icmp_seq`` does (fping prints from 0). ``t`` is the line's
    ``-D`` stamp: the reply's arrival, or when fping gave the probe up (``-t`` after sending it).
    A reply wins over a report of the same probe; rows are sorted by ``seq``. Lines not about a
    probe (ICMP errors, the summary) are skipped.
    """
    rows: dict[int, dict[str, Any]] = {}
    for line in checked_lines(text, source):
        probe = _PROBE.match(line.strip())
        if not probe:
            continue
        when, seq = float(probe.group(1)), int(probe.group(2)) + 1  # counted from 1, as fping_seq counts
        if probe.group(3) is not None:
            if seq not in rows or rows[seq]["lost"]:
                rows[seq] = {"t": when, "seq": seq, "rtt_ms": float(probe.group(3)), "lost": False}
        else:
            rows.setdefault(seq, {"t": when, "seq": seq, "rtt_ms": math.nan, "lost": True})
    if not rows:
        fail("observe.fping.no_probes", source)
    return [rows[seq] for seq in sorted(rows)]


def fping_seq(line: str) -> int | None:
    """The probe a line of fping's reports (counted from 1, as :func:`parse_fping` counts), or None."""
    probe = _PROBE.match(line.strip())
    return int(probe.group(2)) + 1 if probe else None


def fping_sent(text: str) -> int | None:
    """How many probes fping says it sent (its summary line), or None without one."""
    match = _SUMMARY.search(text)
    return int(match.group(1)) if match else None
