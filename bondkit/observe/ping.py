"""``ping -D -O`` output of iputils (``ping/ping_common.c``): one row per probe, lost ones included.
"""

from __future__ import annotations

import math
import re
from typing import Any

from bondkit.observe.common import checked_lines, fail

_PING_TIME = re.compile(r"^\[([0-9]+(?:\.[0-9]+)?)\]\s*(.*)$")
# "64 bytes from 192.168.99.102: icmp_seq=3 ttl=64 time=0.512 ms" (icmp_req= in old iputils; the name
# part may be "host (addr)" or an IPv6 address with colons; time= is missing for tiny packets)
_PING_REPLY = re.compile(
    r"^[0-9]+ bytes from .+?: icmp_[rs]eq=([0-9]{1,9})(?![0-9])(?:.*? time=([0-9]+(?:\.[0-9]+)?) ms)?")
_PING_NO_ANSWER = re.compile(r"^no answer yet for icmp_[rs]eq=([0-9]{1,9})(?![0-9])")
# "From 192.168.99.101 icmp_seq=1 Destination Host Unreachable" (and other ICMP errors)
_PING_ERROR = re.compile(r"^From .*?icmp_[rs]eq=([0-9]{1,9})(?![0-9])")


def parse_ping(text: str, source: str = "<text>") -> list[dict[str, Any]]:
    """Read iputils ``ping -D -O`` output into one row per probe: ``{t, seq, rtt_ms, lost}``.

    A probe is lost when the text never shows a reply for it. A probe that was reported ("no answer
    yet", or an ICMP error such as "Destination Host Unreachable") and answered later is not lost: the
    reply wins, with its round-trip time. ``t`` is the ``-D`` timestamp (epoch seconds) of the line that
    decided the row, i.e. the reply for answered probes and the first report for lost ones (NaN when ping
    ran without ``-D``); ``rtt_ms`` is NaN for lost probes (and for replies too small to carry a time).
    Duplicate replies (``DUP!``) do not add rows. Rows are sorted by ``seq``.

    Only probes that appear in the text have rows: with ``-O`` every unanswered probe but the last is
    reported, but the last one, and every loss of a ping run without ``-O``, leaves no line. The header,
    the statistics and any line not about a probe are skipped.
    """
    rows: dict[int, dict[str, Any]] = {}
    for line in checked_lines(text, source):
        stamp = _PING_TIME.match(line)
        when, body = (float(stamp.group(1)), stamp.group(2)) if stamp else (math.nan, line.strip())
        reply = _PING_REPLY.match(body)
        if reply:
            seq = int(reply.group(1))
            if seq not in rows or rows[seq]["lost"]:
                rtt = float(reply.group(2)) if reply.group(2) else math.nan
                rows[seq] = {"t": when, "seq": seq, "rtt_ms": rtt, "lost": False}
            continue
        report = _PING_NO_ANSWER.match(body) or _PING_ERROR.match(body)
        if report:
            seq = int(report.group(1))
            rows.setdefault(seq, {"t": when, "seq": seq, "rtt_ms": math.nan, "lost": True})
    if not rows:
        fail("observe.ping.no_probes", source)
    return [rows[seq] for seq in sorted(rows)]
