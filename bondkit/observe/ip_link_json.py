"""``ip -d -j link show`` (also ``-p``): iproute2's JSON, with the bond and slave details the kernel's
bonding selftests read to assert a failover.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bondkit.i18n import t
from bondkit.observe.common import checked_text, fail


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
    items = _json_array(checked_text(text, source), source)
    links = []
    for number, (line, item) in enumerate(items, 1):
        if not isinstance(item, dict):
            fail("observe.json.not_link", source, line, index=number)
        ifname = _json_field(item, "ifname", str, source, line, number)
        flags = _json_field(item, "flags", list, source, line, number)
        state = _json_field(item, "operstate", str, source, line, number)
        mac = _json_field(item, "address", str, source, line, number, required=False)
        master = _json_field(item, "master", str, source, line, number, required=False)
        info = _json_field(item, "linkinfo", dict, source, line, number, required=False) or {}
        if not all(isinstance(flag, str) for flag in flags):
            fail("observe.json.bad_field", source, line, index=number, field="flags")
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
        fail("observe.json.not_list", source, line_of(pos))
    pos = skip(pos + 1)
    items: list[tuple[int, Any]] = []
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            try:
                item, end = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                fail("observe.json.bad", source, exc.lineno, reason=exc.msg)
            except ValueError as exc:  # an integer of more than 4300 digits
                fail("observe.json.bad", source, line_of(pos), reason=str(exc).split(":")[0])
            except RecursionError:
                fail("observe.json.bad", source, line_of(pos), reason=t("observe.json.too_deep"))
            items.append((line_of(pos), item))
            pos = skip(end)
            if text.startswith(",", pos):
                pos = skip(pos + 1)
            elif text.startswith("]", pos):
                pos += 1
                break
            else:
                reason = t("observe.json.cut_short" if pos >= len(text) else "observe.json.no_separator")
                fail("observe.json.bad", source, line_of(pos), reason=reason)
    if skip(pos) != len(text):
        fail("observe.json.bad", source, line_of(skip(pos)), reason=t("observe.json.extra_data"))
    return items


def _json_field(obj: dict[str, Any], name: str, kind: type, source: str, line: int, index: int,
                required: bool = True) -> Any:
    value = obj.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind):
        fail("observe.json.bad_field", source, line, index=index, field=name)
    return value
