"""pandas frames of the parsers' results, with fixed, documented columns, so that observations taken at
different moments can be concatenated. pandas is imported where a frame is made, not before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bondkit.observe.ip_link import ordered_link

if TYPE_CHECKING:
    import pandas as pd

#: Columns of :func:`slaves_frame`: one row per slave of a ``/proc/net/bonding`` snapshot.
SLAVE_COLUMNS = ("bond", "name", "active", "mii_status", "speed", "duplex", "link_failure_count",
                 "perm_hwaddr", "queue_id")

#: Columns of :func:`links_frame`: one row per link. ``flags`` is the comma-joined flag list as ip
#: prints it between ``<>``; the columns after ``master`` come from ``ip -d -j`` and are empty for text.
LINK_COLUMNS = ("ifname", "mac", "state", "flags", "master", "kind", "slave_kind", "active_slave",
                "fail_over_mac", "slave_state", "slave_mii_status", "perm_hwaddr", "link_failure_count")

#: Columns of :func:`pings_frame`: one row per probe (icmp_seq).
PING_COLUMNS = ("t", "seq", "rtt_ms", "lost")


def slaves_frame(info: dict[str, Any]) -> pd.DataFrame:
    """One row per slave of a :func:`parse_proc_bonding` result; columns :data:`SLAVE_COLUMNS`.

    ``active`` says whether the slave is the bond's ``Currently Active Slave``; ``speed`` and
    ``queue_id`` are nullable integers (``Int64``).
    """
    import pandas as pd

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
    import pandas as pd

    rows = []
    for link in links:
        bond = link.get("bond") or {}
        slave = link.get("slave") or {}
        rows.append({
            **ordered_link(link),
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
    import pandas as pd

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
