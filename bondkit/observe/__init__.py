"""Parsers of what the kernel and the tools print about a bond, turned into dicts and pandas frames.

Students look at a bond in four ways, and each has its own module here (``proc_bonding``, ``ip_link``,
``ip_link_json``, ``ping``), as each format has in :mod:`bondkit.formats`; this door guesses the kind of
a text, reads files, and gives every parser's name:

=================  ===========================================  =========================================
kind               what it reads                                parser
=================  ===========================================  =========================================
``proc-bonding``   ``cat /proc/net/bonding/<bond>``             :func:`parse_proc_bonding` -> dict
``ip-link``        ``ip link show`` (also ``-d``, ``-o``)       :func:`parse_ip_link` -> list of dicts
``ip-link-json``   ``ip -d -j link show`` (also ``-p``)         :func:`parse_ip_link_json` -> list
``ping``           ``ping -D -O ...`` (iputils)                 :func:`parse_ping` -> list of dicts
=================  ===========================================  =========================================

The failover runs' own probe has a module too (``fping``: :func:`parse_fping`, not a kind a student
records). The dicts are plain JSON-able data (``bondkit parse --json`` prints them as they are); the frames
(:func:`slaves_frame`, :func:`links_frame`, :func:`pings_frame`, or :func:`to_frame` for any of them)
have fixed, documented columns (:mod:`.frames`) so that observations taken at different moments can be
concatenated.

The text formats follow their printers exactly: ``drivers/net/bonding/bond_procfs.c`` from Linux 3.10
(CentOS 7) to 6.x, ``ip/ipaddress.c`` and ``ip/iplink_bond*.c`` of iproute2, ``ping/ping_common.c`` of
iputils. Lines a newer kernel or tool adds are skipped, not refused, so that the kit keeps working on
the next release. What cannot be read (an empty or binary file, the wrong kind of output, output cut
short, broken JSON) raises :class:`~bondkit.errors.ObserveError` naming the file and line: a student
should never see a traceback for a file they recorded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from bondkit.observe.common import COMMANDS, KINDS, checked_lines, decode, fail
from bondkit.observe.fping import fping_sent, fping_seq, parse_fping
from bondkit.observe.frames import (
    LINK_COLUMNS,
    PING_COLUMNS,
    SLAVE_COLUMNS,
    links_frame,
    pings_frame,
    slaves_frame,
    to_frame,
)
from bondkit.observe.ip_link import LINK_HEADER, OPER_STATES, parse_ip_link
from bondkit.observe.ip_link_json import parse_ip_link_json
from bondkit.observe.ping import parse_ping
from bondkit.observe.proc_bonding import parse_proc_bonding


def guess_kind(text: str, source: str = "<text>") -> str:
    """Which of :data:`KINDS` a text is, from the first thing each printer writes.

    JSON starts with ``[`` (``[{``/``[]``; ping's ``-D`` timestamps start with ``[`` and a digit),
    ``/proc/net/bonding`` with the driver's name or ``Bonding Mode:``, ``ip link`` with ``N: name: <``,
    ping with ``PING`` or has ``icmp_seq=``.
    """
    lines = checked_lines(text, source)
    body = "\n".join(lines).lstrip()
    if body.startswith("{") or re.match(r"\[\s*[{\]]", body):
        return "ip-link-json"
    if re.search(r"^\s*(Ethernet Channel Bonding Driver|Bonding Mode):", body, re.M):
        return "proc-bonding"
    if any(LINK_HEADER.match(line) for line in lines):
        return "ip-link"
    if re.search(r"^PING |icmp_[rs]eq=[0-9]", body, re.M):
        return "ping"
    fail("observe.unknown_kind", source, kinds=", ".join(KINDS))


_PARSERS: dict[str, Callable[..., Any]] = {
    "proc-bonding": parse_proc_bonding,
    "ip-link": parse_ip_link,
    "ip-link-json": parse_ip_link_json,
    "ping": parse_ping,
}


def parse(text: str, kind: str | None = None, source: str = "<text>",
          bond: str | None = None) -> tuple[str, dict[str, Any] | list[dict[str, Any]]]:
    """Parse any of the four kinds (guessed when ``kind`` is None); returns ``(kind, parsed)``."""
    if kind is None:
        kind = guess_kind(text, source)
    elif kind not in _PARSERS:
        fail("observe.bad_kind", source, kind=kind, kinds=", ".join(KINDS))
    if kind == "proc-bonding":
        return kind, parse_proc_bonding(text, source, bond=bond)
    return kind, _PARSERS[kind](text, source)


def parse_file(path: str | os.PathLike[str], kind: str | None = None,
               bond: str | None = None) -> tuple[str, dict[str, Any] | list[dict[str, Any]]]:
    """Read and parse a recorded file; unreadable files are ObserveErrors like bad content."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        fail("observe.cannot_read", source, reason=exc.strerror or str(exc))
    return parse(decode(data, source), kind, source, bond)


__all__ = [
    "COMMANDS", "KINDS", "LINK_COLUMNS", "OPER_STATES", "PING_COLUMNS", "SLAVE_COLUMNS", "decode",
    "fping_sent", "fping_seq", "guess_kind", "links_frame", "parse", "parse_file", "parse_fping",
    "parse_ip_link", "parse_ip_link_json", "parse_ping", "parse_proc_bonding", "pings_frame", "slaves_frame",
    "to_frame",
]
