"""Figures derived from a run's frames: time to detect, outage, pings lost, MAC changes, and the
addresses that explain why traffic did or did not reach the faulted host after the failover.

They are always recomputed from the frames (``run.json`` keeps a copy for the index), so a recorded
run and a fresh one are judged by the same code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

#: How long before the restore pings must be answered again for the bond to have survived the fault.
SURVIVAL_WINDOW_S = 0.25
#: Fewer answered pings than this between two lost ones do not end an outage.
MERGE_ANSWERED = 3


@dataclass(frozen=True)
class Metrics:
    """What a run measured. Times are milliseconds relative to the fault (t = 0).

    ``detect_ms``: first link sample showing another active slave (None: no failover seen).
    ``outage_ms``: from the first lost probe to the last of the loss the fault caused, plus one ping
    interval (0 when none was lost); when ``recovered`` is False it lasted to the end of the
    measurement. ``lost`` counts every lost probe of the run (a failback can lose some too).
    ``mac_changes``: MAC address changes seen on the faulted host's bond and slaves.
    ``survived``: pings got through again before the restore (some answered in the last
    :data:`SURVIVAL_WINDOW_S` before it): the bond rode out the fault by itself.
    ``peer_arp_after``: the MAC the pinger sends to at the end of the fault; ``port_mac_after``: the
    MAC the switch port of the new active slave delivers unicast to (None: any, a learning switch).
    """

    active_before: str | None
    active_after: str | None
    detect_ms: float | None
    lost: int
    sent: int
    outage_ms: float
    first_lost_ms: float | None
    recovered: bool
    survived: bool
    mac_changes: int
    macs_before: dict[str, str | None]
    macs_after: dict[str, str | None]
    peer_arp_before: str | None
    peer_arp_after: str | None
    port_mac_after: str | None
    delivered_after: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fault_episode(pings: pd.DataFrame, issued: float,
                  bridge: int = MERGE_ANSWERED) -> tuple[float, float] | None:
    """(first, last) send time of the run of lost pings the fault caused, or None.

    Lost pings separated by fewer than ``bridge`` answered ones belong to one run (a reply slipping
    through does not end an outage). The fault's run is the first one that ends after the fault was
    issued; a later one (a failback to the primary after the restore) is another outage.
    """
    ordered = pings.sort_values("seq")
    episodes: list[list[float]] = []
    answered_since = bridge
    for t, lost in zip(ordered["t"], ordered["lost"], strict=True):
        if lost:
            if answered_since < bridge and episodes:
                episodes[-1][1] = t
            else:
                episodes.append([t, t])
            answered_since = 0
        else:
            answered_since += 1
    for first, last in episodes:
        if last >= issued:
            return float(first), float(last)
    return None


def _state_at(links: pd.DataFrame, t: float) -> pd.DataFrame:
    """The last sample at or before ``t`` (the first one if none is that early), one row per ifname."""
    stamps = links["t"].unique()
    if len(stamps) == 0:
        return links
    earlier = stamps[stamps <= t]
    stamp = earlier.max() if len(earlier) else stamps.min()
    return links[links["t"] == stamp]


def _active(state: pd.DataFrame) -> str | None:
    names = state.loc[state["is_active"], "ifname"]
    return str(names.iloc[0]) if len(names) else None


def _arp_at(neigh: pd.DataFrame, t: float) -> str | None:
    rows = neigh[(neigh["t"] <= t) & (neigh["state"] == "complete")]
    if not len(rows):
        return None
    mac = rows.iloc[-1]["mac"]
    return None if pd.isna(mac) else str(mac)


def compute(meta: dict[str, Any], pings: pd.DataFrame, links: pd.DataFrame, neigh: pd.DataFrame) -> Metrics:
    """The run's figures from its frames and metadata (``host``, ``pinger``, ``fault_call_ms``, ...)."""
    params = meta["params"]
    host, switch = params["host"], params["switch"]
    issued = -float(meta.get("fault_window_ms", 0.0)) / 1000
    restore = float(meta.get("restore_t", params["duration"]))
    mine = links[links["host"] == host].sort_values("t", kind="stable")

    before = _state_at(mine, issued - 1e-6)
    after = _state_at(mine, restore - 1e-6)
    active_before = _active(before)
    detect = None
    for t, state in mine[mine["t"] > issued].groupby("t", sort=True):
        now = _active(state)
        if now is not None and now != active_before:
            detect = float(t) * 1000
            break

    changes = 0
    for _, lane in mine.groupby("ifname"):
        macs = lane["mac"].dropna()
        changes += int((macs != macs.shift()).sum() - 1) if len(macs) else 0

    lost = pings[pings["lost"]]
    interval = float(meta.get("ping_interval_ms") or params["interval_ms"])
    episode = fault_episode(pings, issued)
    if episode is not None:
        first, last = episode
        outage = (last - first) * 1000 + interval
        recovered = bool((~pings.loc[pings["t"] > last, "lost"]).any())
    else:
        first, outage, recovered = None, 0.0, True

    late = pings[(pings["t"] >= restore - SURVIVAL_WINDOW_S) & (pings["t"] < restore)]
    survived = bool((~late["lost"]).any())

    peer_arp = neigh[(neigh["host"] == params["pinger"])]
    arp_after = _arp_at(peer_arp, restore - 1e-6)
    active_after = _active(after)
    ports = meta.get("adapters", {}).get(host, {})
    port_mac = ports.get(active_after) if switch == "vbox-hostonly" and active_after else None
    delivered = switch != "vbox-hostonly" or (arp_after is not None and arp_after == port_mac)
    return Metrics(
        active_before=active_before,
        active_after=active_after,
        detect_ms=None if detect is None else round(detect, 1),
        lost=int(len(lost)),
        sent=int(len(pings)),
        outage_ms=round(outage, 1),
        first_lost_ms=None if first is None else round(first * 1000, 1),
        recovered=recovered,
        survived=survived,
        mac_changes=changes,
        macs_before=_macs(before),
        macs_after=_macs(after),
        peer_arp_before=_arp_at(peer_arp, issued - 1e-6),
        peer_arp_after=arp_after,
        port_mac_after=port_mac,
        delivered_after=bool(delivered),
    )


def _macs(state: pd.DataFrame) -> dict[str, str | None]:
    return {str(row.ifname): row.mac if isinstance(row.mac, str) else None for row in state.itertuples()}
