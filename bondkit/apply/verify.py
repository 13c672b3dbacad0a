"""Verification: what the spec intends against what the kernel shows, row by row.

Why compare against the kernel and not trust the tool's exit status: ``netplan apply`` and ``ifup``
succeed while the bond they made differs from the file (an option the mode ignores, a delay rounded to
miimon, a primary whose cable is out), and a student checking /proc/net/bonding by eye, as the tutorial
does, misses half of it. Values come from ``/proc/net/bonding/<bond>`` first (what the tutorial reads)
and ``ip -d -j link`` for what /proc does not print. A row that does not match is a failure; a row
bondkit could not observe (an old iproute2 without JSON) is shown as ``?`` and does not fail.
"""

from __future__ import annotations

import time
from typing import Any

from bondkit.apply import state as live
from bondkit.apply.report import Check
from bondkit.spec import BondSpec
from bondkit.ssh import Host

#: /proc/net/bonding fields, by kernel option name.
PROC_FIELDS = {"miimon": "miimon", "updelay": "updelay", "downdelay": "downdelay",
               "peer_notif_delay": "peer_notif_delay", "arp_interval": "arp_interval",
               "arp_ip_target": "arp_ip_targets", "primary": "primary",
               "primary_reselect": "primary_reselect", "fail_over_mac": "fail_over_mac",
               "active_slave": "active_slave"}
#: ``ip -d -j link`` bond attributes, by kernel option name (where iproute2 names them otherwise).
JSON_FIELDS = {"peer_notif_delay": "peer_notify_delay", "lacp_rate": "ad_lacp_rate",
               "num_grat_arp": "num_peer_notif", "num_unsol_na": "num_peer_notif"}
#: Modes with one active slave at a time.
ONE_ACTIVE = ("active-backup", "balance-tlb", "balance-alb")
NONE = "-"


def _show(value: object) -> str:
    if value is None or value == "" or value == [] or value == ():
        return NONE
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return str(value)


def _observed_option(name: str, proc: dict[str, Any], data: dict[str, Any] | None) -> tuple[object, bool]:
    """The value of option ``name`` on the host, and whether it could be observed at all."""
    if name in PROC_FIELDS and PROC_FIELDS[name] in proc:
        value = proc[PROC_FIELDS[name]]
        if name == "fail_over_mac" and value is None:
            value = "none"
        return value, True
    if data is not None:
        key = JSON_FIELDS.get(name, name)
        if key in data:
            return data[key], True
    return None, False


def _same(intended: object, observed: object) -> bool:
    if isinstance(intended, tuple | list) or isinstance(observed, tuple | list):
        return sorted(map(str, intended or ())) == sorted(map(str, observed or ()))  # type: ignore[call-overload]
    return str(intended) == str(observed)


def checks(spec: BondSpec, state: live.LiveState) -> list[Check]:
    """The intended-vs-observed rows of one bond."""
    link = state.links.get(spec.name)
    if link is None or not state.is_bond(spec.name):
        observed = "missing" if link is None else f"{link.kind or 'not a bond'}"
        return [Check(f"bond {spec.name}", "present", observed, False)]
    proc = state.bonding.get(spec.name, {})
    data = link.bond
    rows: list[Check] = []
    mode = proc.get("mode") or (data or {}).get("mode")
    rows.append(Check("mode", spec.mode, _show(mode), mode == spec.mode))
    names = list(spec.options)
    if spec.mode == "active-backup" and "fail_over_mac" not in names:
        names.insert(0, "fail_over_mac")
    for name in names:
        if name == "active_slave":
            continue
        intended = spec.options.get(name, "none" if name == "fail_over_mac" else None)
        value, seen = _observed_option(name, proc, data)
        rows.append(Check(name, _show(intended), _show(value) if seen else "?",
                          _same(intended, value) if seen else None))
    slaves = state.slaves_of(spec.name)
    rows.append(Check("slaves", _show(spec.slave_names), _show(slaves),
                      sorted(slaves) == sorted(spec.slave_names)))
    observed_addrs = state.global_addrs(spec.name)
    if spec.dhcp4:
        v4 = [a for a in observed_addrs if ":" not in a]
        rows.append(Check("addresses", "dhcp", _show(observed_addrs), bool(v4)))
    else:
        rows.append(Check("addresses", _show(spec.addresses), _show(observed_addrs),
                          sorted(observed_addrs) == sorted(spec.addresses)))
    routes = [r for r in state.routes if r.dev == spec.name]
    if spec.gateway:
        found = [r.gateway for r in routes if r.dst == "default" and r.gateway]
        rows.append(Check("gateway", spec.gateway, _show(found), spec.gateway in found))
    for dest, via in spec.routes:
        ok = any(r.dst == dest and r.gateway == via for r in routes)
        rows.append(Check(f"route {dest}", via, via if ok else NONE, ok))
    rows.append(_link_check(link, proc))
    if spec.mode in ONE_ACTIVE:
        rows.append(_active_check(spec, proc, data))
    for slave in proc.get("slaves", []):
        if slave["name"] in spec.slave_names:
            status = slave["mii_status"]
            rows.append(Check(f"{slave['name']} link", "up", status, status == "up"))
    return rows


def _link_check(link: live.Link, proc: dict[str, Any]) -> Check:
    """Up means the driver's MII status is up and the kernel reports the bond operationally UP, as
    ``ip link show`` will: right after bring-up the second lags the first by a few hundred ms."""
    mii = proc.get("mii_status") or ("up" if link.up else "down")
    observed = mii if link.operstate in (None, "UP") else f"{mii}, state {link.operstate}"
    return Check("link", "up", observed, mii == "up" and link.operstate in (None, "UP"))


def _active_check(spec: BondSpec, proc: dict[str, Any], data: dict[str, Any] | None) -> Check:
    """The active slave: the one the spec names (active_slave, else primary), else any of its slaves."""
    observed = proc.get("active_slave") if proc else (data or {}).get("active_slave")
    wanted = spec.options.get("active_slave") or spec.options.get("primary")
    if wanted:
        return Check("active slave", str(wanted), _show(observed), observed == wanted)
    return Check("active slave", " | ".join(spec.slave_names), _show(observed), observed in spec.slave_names)


def all_checks(specs: list[BondSpec], state: live.LiveState) -> list[Check]:
    rows: list[Check] = []
    for spec in specs:
        found = checks(spec, state)
        if len(specs) > 1:
            for row in found:
                row.item = f"{spec.name}: {row.item}"
        rows += found
    return rows


def settle_seconds(specs: list[BondSpec]) -> float:
    """How long a freshly made bond may take to look as intended: a few link-monitor rounds plus its
    delays (miimon ticks bring slaves up; updelay holds them back), at least 3 s, at most 20 s."""
    longest = 0.0
    for spec in specs:
        step = max(int(spec.options.get("miimon") or 0), int(spec.options.get("arp_interval") or 0))  # type: ignore[call-overload]
        delay = int(spec.options.get("updelay") or 0)  # type: ignore[call-overload]
        longest = max(longest, (3 * step + delay) / 1000.0)
    return min(max(3.0, longest + 2.0), 20.0)


def observe(host: Host, source: str = "verify") -> live.LiveState:
    """A fresh snapshot of the host (read-only: needs no root)."""
    return live.parse(host.run(live.SNAPSHOT, timeout=30, check=True).stdout, source)


def verify(host: Host, specs: list[BondSpec], seconds: float | None = None,
           interval: float = 0.2) -> tuple[list[Check], live.LiveState]:
    """Poll until every row matches or ``seconds`` pass (default :func:`settle_seconds`); the last rows."""
    deadline = time.monotonic() + (settle_seconds(specs) if seconds is None else seconds)
    while True:
        state = observe(host, host.name)
        rows = all_checks(specs, state)
        if all(row.ok is not False for row in rows) or time.monotonic() >= deadline:
            return rows, state
        time.sleep(interval)
