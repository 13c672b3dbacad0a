"""Parsers of what the kernel and the tools print about a bond, turned into dicts and pandas frames.

Students look at a bond in four ways, and each has its own parser here:

=================  ===========================================  =========================================
kind               what it reads                                parser
=================  ===========================================  =========================================
``proc-bonding``   ``cat /proc/net/bonding/<bond>``             :func:`parse_proc_bonding` -> dict
``ip-link``        ``ip link show`` (also ``-d``, ``-o``)       :func:`parse_ip_link` -> list of dicts
``ip-link-json``   ``ip -d -j link show`` (also ``-p``)         :func:`parse_ip_link_json` -> list
``ping``           ``ping -D -O ...`` (iputils)                 :func:`parse_ping` -> list of dicts
=================  ===========================================  =========================================

The dicts are plain JSON-able data (``bondkit parse --json`` prints them as they are); the frames
(:func:`slaves_frame`, :func:`links_frame`, :func:`pings_frame`, or :func:`to_frame` for any of them)
have fixed, documented columns so that observations taken at different moments can be concatenated.

The text formats follow their printers exactly: ``drivers/net/bonding/bond_procfs.c`` from Linux 3.10
(CentOS 7) to 6.x, ``ip/ipaddress.c`` and ``ip/iplink_bond*.c`` of iproute2, ``ping/ping_common.c`` of
iputils. Lines a newer kernel or tool adds are skipped, not refused, so that the kit keeps working on
the next release. What cannot be read (an empty or binary file, the wrong kind of output, output cut
short, broken JSON) raises :class:`~bondkit.errors.ObserveError` naming the file and line: a student
should never see a traceback for a file they recorded.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from typing import Any, NoReturn

import pandas as pd

from bondkit.errors import ObserveError
from bondkit.i18n import t

KINDS = ("proc-bonding", "ip-link", "ip-link-json", "ping")

#: The command whose output each kind is, for messages.
COMMANDS = {
    "proc-bonding": "cat /proc/net/bonding/<bond>",
    "ip-link": "ip link show",
    "ip-link-json": "ip -d -j link show",
    "ping": "ping -D -O",
}

#: Columns of :func:`slaves_frame`: one row per slave of a ``/proc/net/bonding`` snapshot.
SLAVE_COLUMNS = ("bond", "name", "active", "mii_status", "speed", "duplex", "link_failure_count",
                 "perm_hwaddr", "queue_id")

#: Columns of :func:`links_frame`: one row per link. ``flags`` is the comma-joined flag list as ip
#: prints it between ``<>``; the columns after ``master`` come from ``ip -d -j`` and are empty for text.
LINK_COLUMNS = ("ifname", "mac", "state", "flags", "master", "kind", "slave_kind", "active_slave",
                "fail_over_mac", "slave_state", "slave_mii_status", "perm_hwaddr", "link_failure_count")

#: Columns of :func:`pings_frame`: one row per probe (icmp_seq).
PING_COLUMNS = ("t", "seq", "rtt_ms", "lost")

_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # `ip -c` colours names and addresses
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MAC = re.compile(r"^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})+$")
_INT = re.compile(r"^-?[0-9]{1,18}$")  # longer is junk, and int() refuses > 4300 digits


def _fail(key: str, source: str, line: int | None = None, **params: object) -> NoReturn:
    raise ObserveError(key, where=f"{source}:{line}" if line else source, **params)


def _text(text: object, source: str) -> str:
    """The text once it is known to be non-empty text (not bytes that are not UTF-8, not binary junk).

    ``ip -c`` colour codes and a UTF-8 byte order mark are dropped.
    """
    if isinstance(text, bytes | bytearray):
        text = decode(bytes(text), source)
    if not isinstance(text, str):
        _fail("observe.not_text", source)
    text = _ANSI_COLOUR.sub("", text.removeprefix("\ufeff"))
    if not text.strip():
        _fail("observe.empty", source)
    unix = text.replace("\r\n", "\n")
    bad = _CONTROL.search(unix)
    if bad:
        _fail("observe.binary", source, unix.count("\n", 0, bad.start()) + 1)
    return text


def _lines(text: object, source: str) -> list[str]:
    """The lines of :func:`_text`, with ``\\r\\n`` endings accepted."""
    return [line.removesuffix("\r") for line in _text(text, source).split("\n")]


def decode(data: bytes, source: str = "<bytes>") -> str:
    """Bytes read from a file or a remote command as text; binary data is a student error, not a crash."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail("observe.binary", source, data.count(b"\n", 0, exc.start) + 1)


# --------------------------------------------------------------------------- /proc/net/bonding/<bond>

#: bond_mode_name() in bond_main.c -> the mode's sysfs name.
_MODE_NAMES = {
    "load balancing (round-robin)": "balance-rr",
    "fault-tolerance (active-backup)": "active-backup",
    "load balancing (xor)": "balance-xor",
    "fault-tolerance (broadcast)": "broadcast",
    "IEEE 802.3ad Dynamic link aggregation": "802.3ad",
    "transmit load balancing": "balance-tlb",
    "adaptive load balancing": "balance-alb",
}
_FAIL_OVER_MAC = ("none", "active", "follow")
_PRIMARY_RESELECT = ("always", "better", "failure")
_BOND_MII = ("up", "down")
_SLAVE_MII = ("up", "down", "going down", "going back")  # bond_slave_link_status()

# Labels printed by bond_info_show_master() and bond_info_show_slave(), mapped to our field names.
# Everything else the kernel prints (xmit hash, 802.3ad details, ARP Missed Max, NS targets) is skipped.
_MASTER_LABELS = {
    "Bonding Mode": "mode",
    "Primary Slave": "primary",
    "Currently Active Slave": "active_slave",
    "MII Status": "mii_status",
    "MII Polling Interval (ms)": "miimon",
    "Up Delay (ms)": "updelay",
    "Down Delay (ms)": "downdelay",
    "Peer Notification Delay (ms)": "peer_notif_delay",
    "ARP Polling Interval (ms)": "arp_interval",
    "ARP IP target/s (n.n.n.n form)": "arp_ip_targets",
}
_SLAVE_LABELS = {
    "MII Status": "mii_status",
    "Speed": "speed",
    "Duplex": "duplex",
    "Link Failure Count": "link_failure_count",
    "Permanent HW addr": "perm_hwaddr",
    "Slave queue ID": "queue_id",
}
_MASTER_REQUIRED = ("mode", "mii_status", "miimon", "updelay", "downdelay")
_SLAVE_REQUIRED = ("mii_status", "link_failure_count", "perm_hwaddr")
_IFNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,15}$")


def parse_proc_bonding(text: str, source: str = "<text>", bond: str | None = None) -> dict[str, Any]:
    """Read ``/proc/net/bonding/<bond>`` into a dict with the keys a student compares with the config.

    Keys: ``bond, mode, fail_over_mac, primary, primary_reselect, active_slave, mii_status, miimon,
    updelay, downdelay, peer_notif_delay, arp_interval, arp_ip_targets, slaves``; each slave is
    ``{name, mii_status, speed, duplex, link_failure_count, perm_hwaddr, queue_id}``.

    The file never names its own bond, so ``bond`` is taken from the argument, else from the file name
    of ``source`` (``/proc/net/bonding/bond0`` or a copy named ``bond0`` / ``bond0.txt``), else None.
    Values are in the sysfs vocabulary (``mode`` is ``active-backup``, not the long name the kernel
    prints) and numbers are ints, in milliseconds as the kernel prints them. What the kernel leaves out
    is filled in with what its absence means: ``fail_over_mac`` is ``none`` for an active-backup bond
    without the ``(fail_over_mac ...)`` suffix (None for other modes, where it does not apply),
    ``arp_interval`` is 0 and ``arp_ip_targets`` empty without ARP lines, ``primary``,
    ``primary_reselect`` and ``active_slave`` are None when not shown or ``None``,
    ``peer_notif_delay`` is None before Linux 5.3, ``speed``/``duplex`` are None when ``Unknown``.
    """
    lines = _lines(text, source)
    master: dict[str, Any] = {}
    slaves: list[dict[str, Any]] = []
    slave_lines: list[int] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("Slave Interface:"):
            if "mode" not in master:
                _fail("observe.proc.missing", source, number, label="Bonding Mode")
            name = line.partition(":")[2].strip()
            if not _IFNAME.match(name):
                _fail("observe.bad_value", source, number, label="Slave Interface", value=name,
                      expected=t("observe.expect.ifname"))
            slaves.append({"name": name})
            slave_lines.append(number)
            continue
        labels = _SLAVE_LABELS if slaves else _MASTER_LABELS
        label, value = _split_label(line, labels)
        if label is None:
            continue
        fields = slaves[-1] if slaves else master
        field = labels[label]
        if field in fields:
            _fail("observe.proc.duplicate", source, number, label=label)
        fields[field] = value
        if slaves:
            _convert_slave(fields, field, label, value, source, number)
        else:
            _convert_master(master, field, label, value, source, number)

    if "mode" not in master:
        _fail("observe.not_kind", source, command=COMMANDS["proc-bonding"])
    for field in _MASTER_REQUIRED:
        if field not in master:
            label = next(k for k, v in _MASTER_LABELS.items() if v == field)
            _fail("observe.proc.missing", source, label=label)
    for slave, number in zip(slaves, slave_lines, strict=True):
        for field in _SLAVE_REQUIRED:
            if field not in slave:
                label = next(k for k, v in _SLAVE_LABELS.items() if v == field)
                _fail("observe.proc.slave_missing", source, number, slave=slave["name"], label=label)

    mode = master["mode"]
    return {
        "bond": bond or _bond_from_source(source),
        "mode": mode,
        "fail_over_mac": master.get("fail_over_mac") or ("none" if mode == "active-backup" else None),
        "primary": master.get("primary"),
        "primary_reselect": master.get("primary_reselect"),
        "active_slave": master.get("active_slave"),
        "mii_status": master["mii_status"],
        "miimon": master["miimon"],
        "updelay": master["updelay"],
        "downdelay": master["downdelay"],
        "peer_notif_delay": master.get("peer_notif_delay"),
        "arp_interval": master.get("arp_interval", 0),
        "arp_ip_targets": master.get("arp_ip_targets", []),
        "slaves": [
            {
                "name": s["name"],
                "mii_status": s["mii_status"],
                "speed": s.get("speed"),
                "duplex": s.get("duplex"),
                "link_failure_count": s["link_failure_count"],
                "perm_hwaddr": s["perm_hwaddr"],
                "queue_id": s.get("queue_id"),
            }
            for s in slaves
        ],
    }


def _split_label(line: str, labels: dict[str, str]) -> tuple[str | None, str]:
    """The known label a line starts with and the value after its colon (labels are matched whole,
    since one of them, ``ARP IP target/s (n.n.n.n form)``, and the skipped IPv6 one contain colons)."""
    for label in labels:
        if line.startswith(label + ":"):
            return label, line[len(label) + 1:].strip()
    return None, ""


def _convert_master(master: dict[str, Any], field: str, label: str, value: str, source: str,
                    number: int) -> None:
    if field == "mode":
        # "fault-tolerance (active-backup) (fail_over_mac active)"
        match = re.fullmatch(r"(.*?)(?: \(fail_over_mac (\S+)\))?", value)
        name, fom = match.group(1), match.group(2)  # type: ignore[union-attr]
        if name not in _MODE_NAMES:
            _fail("observe.bad_value", source, number, label=label, value=value,
                  expected=", ".join(_MODE_NAMES))
        if fom is not None and fom not in _FAIL_OVER_MAC:
            _fail("observe.bad_value", source, number, label=label, value=value,
                  expected="fail_over_mac " + "/".join(_FAIL_OVER_MAC))
        master["mode"] = _MODE_NAMES[name]
        if fom is not None:
            master["fail_over_mac"] = fom
    elif field == "primary":
        # "enp0s8 (primary_reselect always)" or "None"
        match = re.fullmatch(r"(\S+)(?: \(primary_reselect (\S+)\))?", value)
        if not match or (match.group(2) or "always") not in _PRIMARY_RESELECT:
            _fail("observe.bad_value", source, number, label=label, value=value,
                  expected=t("observe.expect.primary"))
        master["primary"] = None if match.group(1) == "None" else match.group(1)
        if match.group(2):
            master["primary_reselect"] = match.group(2)
    elif field == "active_slave":
        if not _IFNAME.match(value):
            _fail("observe.bad_value", source, number, label=label, value=value,
                  expected=t("observe.expect.ifname_or_none"))
        master["active_slave"] = None if value == "None" else value
    elif field == "mii_status":
        master[field] = _choice(value, _BOND_MII, label, source, number)
    elif field == "arp_ip_targets":
        targets = [target.strip() for target in value.split(",") if target.strip()]
        for target in targets:
            if not re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}", target):
                _fail("observe.bad_value", source, number, label=label, value=target,
                      expected=t("observe.expect.ipv4"))
        master[field] = targets
    else:
        master[field] = _number(value, label, source, number)


def _convert_slave(slave: dict[str, Any], field: str, label: str, value: str, source: str,
                   number: int) -> None:
    if field == "mii_status":
        slave[field] = _choice(value, _SLAVE_MII, label, source, number)
    elif field == "speed":
        # "1000 Mbps", "Unknown" (3.10+), or "-1 Mbps" where older kernels printed SPEED_UNKNOWN raw
        if value == "Unknown":
            slave[field] = None
        else:
            speed = _number(value.removesuffix(" Mbps"), label, source, number)
            slave[field] = speed if speed >= 0 else None
    elif field == "duplex":
        slave[field] = None if value == "Unknown" else _choice(value, ("full", "half"), label, source,
                                                                 number)
    elif field == "perm_hwaddr":
        if not _MAC.match(value):
            _fail("observe.bad_value", source, number, label=label, value=value,
                  expected=t("observe.expect.mac"))
        slave[field] = value.lower()
    else:
        slave[field] = _number(value, label, source, number)


def _number(value: str, label: str, source: str, number: int) -> int:
    if not _INT.match(value):
        _fail("observe.bad_value", source, number, label=label, value=value,
              expected=t("observe.expect.number"))
    return int(value)


def _choice(value: str, choices: tuple[str, ...], label: str, source: str, number: int) -> str:
    if value not in choices:
        _fail("observe.bad_value", source, number, label=label, value=value, expected="/".join(choices))
    return value


def _bond_from_source(source: str) -> str | None:
    name = os.path.basename(source).removesuffix(".txt")
    return name if _IFNAME.match(name) and not source.startswith("<") else None


# --------------------------------------------------------------------------- ip link show (text)

# "3: enp0s8: <BROADCAST,MULTICAST,SLAVE,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast master bond0 state UP ..."
# "2: veth0@if2: <...> ..." -- the @ suffix names the peer or lower device and is not part of the name.
_LINK_HEADER = re.compile(r"^[0-9]+: ([^\s:]+): <([^>]*)>(.*)$")
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
    lines = _lines(text, source)
    links: list[dict[str, Any]] = []
    header_lines: list[int] = []
    for number, line in enumerate(lines, 1):
        for part in line.split("\\"):  # `ip -o` joins a link's lines with "\"
            _read_link_line(part, number, links, header_lines, source)
    if not links:
        _fail("observe.not_kind", source, command=COMMANDS["ip-link"])
    for link, number in zip(links, header_lines, strict=True):
        if "mac" not in link:
            _fail("observe.link.no_address", source, number, ifname=link["ifname"])
    return [_order_link(link) for link in links]


def _read_link_line(line: str, number: int, links: list[dict[str, Any]], header_lines: list[int],
                    source: str) -> None:
    if not line.strip():
        return
    header = _LINK_HEADER.match(line)
    if header:
        ifname = header.group(1).split("@", 1)[0]
        if not ifname:
            _fail("observe.link.bad_line", source, number, text=line[:80])
        if any(link["ifname"] == ifname for link in links):
            _fail("observe.link.duplicate", source, number, ifname=ifname)
        state = re.search(r" state (\S+)", header.group(3))
        if not state or state.group(1) not in OPER_STATES:
            _fail("observe.link.no_state", source, number, ifname=ifname)
        master = re.search(r" master (\S+)", header.group(3))
        flags = [flag for flag in header.group(2).split(",") if flag]
        links.append({"ifname": ifname, "state": state.group(1), "flags": flags,
                      "master": master.group(1) if master else None})
        header_lines.append(number)
        return
    if not line[0].isspace() or not links:
        _fail("observe.link.bad_line", source, number, text=line[:80])
    address = _LINK_ADDRESS.match(line)
    if address and "mac" not in links[-1]:
        links[-1]["mac"] = None if address.group(1) == "none" else address.group(2)
    # Every other indented line (altname, `ip -d` details, `ip -s` counters) is a detail we skip.


def _order_link(link: dict[str, Any]) -> dict[str, Any]:
    return {key: link.get(key) for key in ("ifname", "mac", "state", "flags", "master")}


# --------------------------------------------------------------------------- ip -d -j link show


def parse_ip_link_json(text: str, source: str = "<text>") -> list[dict[str, Any]]:
    """Read ``ip -j link show`` (best with ``-d``) into one dict per link.

    Each dict has the keys of :func:`parse_ip_link` (``state`` is the JSON ``operstate``, ``mac`` its
    ``address``) plus what ``-d`` adds about bonding, under names that say where it comes from:

    - ``kind``: ``linkinfo.info_kind`` (``bond``, ``veth``, ``bridge``...) or None;
    - ``slave_kind``: ``linkinfo.info_slave_kind`` (``bond`` for a bond's slave) or None;
    - ``bond``: for a bond, its ``linkinfo.info_data`` as iproute2 prints it (``mode``,
      ``active_slave``, ``fail_over_mac``, ``miimon``, ``updelay``, ``primary``, ``arp_ip_target``...),
      else None;
    - ``slave``: for a bond's slave, its ``linkinfo.info_slave_data`` (``state`` ACTIVE/BACKUP,
      ``mii_status`` UP/DOWN/GOING_DOWN/GOING_BACK, ``link_failure_count``, ``perm_hwaddr``,
      ``queue_id``...), else None.

    These are the fields the kernel's own bonding selftests read to assert a failover.
    """
    items = _json_array(_text(text, source), source)
    links = []
    for number, (line, item) in enumerate(items, 1):
        if not isinstance(item, dict):
            _fail("observe.json.not_link", source, line, index=number)
        ifname = _json_field(item, "ifname", str, source, line, number)
        flags = _json_field(item, "flags", list, source, line, number)
        state = _json_field(item, "operstate", str, source, line, number)
        mac = _json_field(item, "address", str, source, line, number, required=False)
        master = _json_field(item, "master", str, source, line, number, required=False)
        info = _json_field(item, "linkinfo", dict, source, line, number, required=False) or {}
        if not all(isinstance(flag, str) for flag in flags):
            _fail("observe.json.bad_field", source, line, index=number, field="flags")
        kind = _json_field(info, "info_kind", str, source, line, number, required=False)
        slave_kind = _json_field(info, "info_slave_kind", str, source, line, number, required=False)
        data = _json_field(info, "info_data", dict, source, line, number, required=False)
        slave_data = _json_field(info, "info_slave_data", dict, source, line, number, required=False)
        links.append({
            "ifname": ifname.split("@", 1)[0],
            "mac": mac,
            "state": state,
            "flags": list(flags),
            "master": master,
            "kind": kind,
            "slave_kind": slave_kind,
            "bond": dict(data) if kind == "bond" and data is not None else None,
            "slave": dict(slave_data) if slave_kind == "bond" and slave_data is not None else None,
        })
    return links


def _json_array(text: str, source: str) -> list[tuple[int, Any]]:
    """The items of a top-level JSON list, each with the line it starts on (for error messages)."""
    decoder = json.JSONDecoder()
    space = re.compile(r"\s*")

    def skip(pos: int) -> int:
        return space.match(text, pos).end()  # type: ignore[union-attr]

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    pos = skip(0)
    if not text.startswith("[", pos):
        _fail("observe.json.not_list", source, line_of(pos))
    pos = skip(pos + 1)
    items: list[tuple[int, Any]] = []
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            try:
                item, end = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                _fail("observe.json.bad", source, exc.lineno, reason=exc.msg)
            except ValueError as exc:  # an integer of more than 4300 digits
                _fail("observe.json.bad", source, line_of(pos), reason=str(exc).split(":")[0])
            except RecursionError:
                _fail("observe.json.bad", source, line_of(pos), reason=t("observe.json.too_deep"))
            items.append((line_of(pos), item))
            pos = skip(end)
            if text.startswith(",", pos):
                pos = skip(pos + 1)
            elif text.startswith("]", pos):
                pos += 1
                break
            else:
                reason = t("observe.json.cut_short" if pos >= len(text) else "observe.json.no_separator")
                _fail("observe.json.bad", source, line_of(pos), reason=reason)
    if skip(pos) != len(text):
        _fail("observe.json.bad", source, line_of(skip(pos)), reason=t("observe.json.extra_data"))
    return items


def _json_field(obj: dict[str, Any], name: str, kind: type, source: str, line: int, index: int,
                required: bool = True) -> Any:
    value = obj.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind):
        _fail("observe.json.bad_field", source, line, index=index, field=name)
    return value


# --------------------------------------------------------------------------- ping -D -O

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
    for line in _lines(text, source):
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
        _fail("observe.ping.no_probes", source)
    return [rows[seq] for seq in sorted(rows)]


# --------------------------------------------------------------------------- kinds and files


def guess_kind(text: str, source: str = "<text>") -> str:
    """Which of :data:`KINDS` a text is, from the first thing each printer writes.

    JSON starts with ``[`` (``[{``/``[]``; ping's ``-D`` timestamps start with ``[`` and a digit),
    ``/proc/net/bonding`` with the driver's name or ``Bonding Mode:``, ``ip link`` with ``N: name: <``,
    ping with ``PING`` or has ``icmp_seq=``.
    """
    lines = _lines(text, source)
    body = "\n".join(lines).lstrip()
    if body.startswith("{") or re.match(r"\[\s*[{\]]", body):
        return "ip-link-json"
    if re.search(r"^\s*(Ethernet Channel Bonding Driver|Bonding Mode):", body, re.M):
        return "proc-bonding"
    if any(_LINK_HEADER.match(line) for line in lines):
        return "ip-link"
    if re.search(r"^PING |icmp_[rs]eq=[0-9]", body, re.M):
        return "ping"
    _fail("observe.unknown_kind", source, kinds=", ".join(KINDS))


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
        _fail("observe.bad_kind", source, kind=kind, kinds=", ".join(KINDS))
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
        _fail("observe.cannot_read", source, reason=exc.strerror or str(exc))
    return parse(decode(data, source), kind, source, bond)


# --------------------------------------------------------------------------- frames


def slaves_frame(info: dict[str, Any]) -> pd.DataFrame:
    """One row per slave of a :func:`parse_proc_bonding` result; columns :data:`SLAVE_COLUMNS`.

    ``active`` says whether the slave is the bond's ``Currently Active Slave``; ``speed`` and
    ``queue_id`` are nullable integers (``Int64``).
    """
    rows = [{"bond": info.get("bond"), **slave, "active": slave["name"] == info.get("active_slave")}
            for slave in info.get("slaves", [])]
    frame = pd.DataFrame(rows, columns=list(SLAVE_COLUMNS))
    return frame.astype({"active": bool, "speed": "Int64", "queue_id": "Int64",
                         "link_failure_count": "int64"})


def links_frame(links: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per link of :func:`parse_ip_link` or :func:`parse_ip_link_json`; columns
    :data:`LINK_COLUMNS`.

    ``flags`` is joined with commas (``BROADCAST,MULTICAST,SLAVE,UP,LOWER_UP``) so the frame saves to
    CSV as it reads. From the JSON details: ``active_slave`` and ``fail_over_mac`` on bond rows,
    ``slave_state`` (ACTIVE/BACKUP), ``slave_mii_status``, ``perm_hwaddr`` and ``link_failure_count``
    (nullable ``Int64``) on slave rows; None elsewhere and for text input.
    """
    rows = []
    for link in links:
        bond = link.get("bond") or {}
        slave = link.get("slave") or {}
        rows.append({
            **_order_link(link),
            "flags": ",".join(link.get("flags") or []),
            "kind": link.get("kind"),
            "slave_kind": link.get("slave_kind"),
            "active_slave": bond.get("active_slave"),
            "fail_over_mac": bond.get("fail_over_mac"),
            "slave_state": slave.get("state"),
            "slave_mii_status": slave.get("mii_status"),
            "perm_hwaddr": slave.get("perm_hwaddr"),
            "link_failure_count": slave.get("link_failure_count"),
        })
    frame = pd.DataFrame(rows, columns=list(LINK_COLUMNS))
    return frame.astype({"link_failure_count": "Int64"})


def pings_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per probe of :func:`parse_ping`; columns :data:`PING_COLUMNS` (float, int, float, bool)."""
    frame = pd.DataFrame(list(rows), columns=list(PING_COLUMNS))
    return frame.astype({"t": "float64", "seq": "int64", "rtt_ms": "float64", "lost": bool})


def to_frame(parsed: dict[str, Any] | list[dict[str, Any]], kind: str | None = None) -> pd.DataFrame:
    """The frame for any parser's result: slaves for proc-bonding, links for ip-link(-json), probes for
    ping. ``kind`` is needed only for an empty list, whose kind cannot be seen."""
    if kind is None:
        if isinstance(parsed, dict):
            kind = "proc-bonding"
        elif parsed and "seq" in parsed[0]:
            kind = "ping"
        elif parsed:
            kind = "ip-link"
        else:
            raise ValueError("to_frame() needs kind= for an empty list")
    if kind == "proc-bonding":
        return slaves_frame(parsed)  # type: ignore[arg-type]
    if kind == "ping":
        return pings_frame(parsed)  # type: ignore[arg-type]
    return links_frame(parsed)  # type: ignore[arg-type]
