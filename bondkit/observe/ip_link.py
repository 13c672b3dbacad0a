"""``ip link show`` text (also ``-d``, ``-o``), as ``ip/ipaddress.c`` of iproute2 prints it.
"""

from __future__ import annotations

import re
from typing import Any

from bondkit.observe.common import COMMANDS, checked_lines, fail

# "3: enp0s8: <BROADCAST,MULTICAST,SLAVE,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast master bond0 state UP ..."
# "2: veth0@if2: <...> ..." -- the @ suffix names the peer or lower device and is not part of the name.
#: The first line of each link ("N: name: <FLAGS> ..."), also what tells ip link text from other kinds.
LINK_HEADER = re.compile(r"^[0-9]+: ([^\s:]+): <([^>]*)>(.*)$")
_LINK_ADDRESS = re.compile(r"^\s+link/(\S+)(?: (\S+))?")
#: Operational states as iproute2 prints them (RFC 2863, see oper_states[] in ip/ipaddress.c).
OPER_STATES = ("UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP")


def parse_ip_link(text: str, source: str = "<text>") -> list[dict[str, Any]]:
    """Read ``ip link show`` text (as the tutorial shows it) into one dict per link.

    Each dict is ``{ifname, mac, state, flags, master}``: ``ifname`` without the ``@ifN``/``@NONE``/
    ``@lower`` suffix, ``mac`` the address on the ``link/...`` line (None for ``link/none``), ``state``
    the operational state as printed (``UP``, ``DOWN``, ``LOWERLAYERDOWN``, ``UNKNOWN``...), ``flags``
    the list between ``<>``, ``master`` the bond or bridge the link is enslaved to, or None.
    ``ip -d`` detail lines, ``altname`` lines and ``ip -o`` one-line output are accepted too.
    """
    lines = checked_lines(text, source)
    links: list[dict[str, Any]] = []
    header_lines: list[int] = []
    for number, line in enumerate(lines, 1):
        for part in line.split("\\"):  # `ip -o` joins a link's lines with "\"
            _read_link_line(part, number, links, header_lines, source)
    if not links:
        fail("observe.not_kind", source, command=COMMANDS["ip-link"])
    for link, number in zip(links, header_lines, strict=True):
        if "mac" not in link:
            fail("observe.link.no_address", source, number, ifname=link["ifname"])
    return [ordered_link(link) for link in links]


def _read_link_line(line: str, number: int, links: list[dict[str, Any]], header_lines: list[int],
                    source: str) -> None:
    if not line.strip():
        return
    header = LINK_HEADER.match(line)
    if header:
        ifname = header.group(1).split("@", 1)[0]
        if not ifname:
            fail("observe.link.bad_line", source, number, text=line[:80])
        if any(link["ifname"] == ifname for link in links):
            fail("observe.link.duplicate", source, number, ifname=ifname)
        state = re.search(r" state (\S+)", header.group(3))
        if not state or state.group(1) not in OPER_STATES:
            fail("observe.link.no_state", source, number, ifname=ifname)
        master = re.search(r" master (\S+)", header.group(3))
        flags = [flag for flag in header.group(2).split(",") if flag]
        links.append({"ifname": ifname, "state": state.group(1), "flags": flags,
                      "master": master.group(1) if master else None})
        header_lines.append(number)
        return
    if not line[0].isspace() or not links:
        fail("observe.link.bad_line", source, number, text=line[:80])
    address = _LINK_ADDRESS.match(line)
    if address and "mac" not in links[-1]:
        links[-1]["mac"] = None if address.group(1) == "none" else address.group(2)
    # Every other indented line (altname, `ip -d` details, `ip -s` counters) is a detail we skip.


def ordered_link(link: dict[str, Any]) -> dict[str, Any]:
    """The keys every link has, text or JSON, in the order frames show them."""
    return {key: link.get(key) for key in ("ifname", "mac", "state", "flags", "master")}
