"""The Run record: what one experiment saw, as tidy frames plus metadata, saved as CSV + JSON.

A run directory holds ``pings.csv`` (t, seq, rtt_ms, lost), ``links.csv`` (t, host, ifname, mac,
operstate, is_active), ``neigh.csv`` (t, host, ip, mac, state: each host's ARP entry for its peer, the
MAC it sends to), ``frames.csv`` (the frames the hosts' data NICs sent and received during the run,
columns :data:`bondkit.observe.wire.FRAME_COLUMNS`; runs recorded before the lab captured frames have
none), ``switch.csv`` (the lab switch's forwarding table just before the fault and just before the
restore, :data:`SWITCH_COLUMNS`; optional like frames) and ``run.json`` (the parameters, the kernel,
when, the probes' measured cadence, the fault and restore instants and the derived figures). Times in
the frames are seconds relative to the fault (t = 0: the moment the fault command had returned).
Loading needs nothing but pandas: no lab.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from bondkit.failover.metrics import Metrics, compute
from bondkit.failover.params import FailoverError, RunParams
from bondkit.failover.probes import LINK_COLUMNS, NEIGH_COLUMNS, PING_COLUMNS
from bondkit.observe.wire import FRAME_COLUMNS, typed

FILES = {"pings": "pings.csv", "links": "links.csv", "neigh": "neigh.csv", "frames": "frames.csv",
         "switch": "switch.csv", "meta": "run.json"}
#: The folder of a saved run that holds its capture files (:attr:`Run.pcaps`).
CAPTURE_DIR = "capture"
#: Columns of a run's switch tables: ``moment`` (``before``: just before the fault; ``after``: just
#: before the restore) and the table's own (:data:`bondkit.lab.switch.NAMED_COLUMNS`, written out here
#: so that loading a run needs no part of the lab).
SWITCH_COLUMNS = ("moment", "mac", "owner", "port", "port_nic", "via", "vlan", "age_s")
#: The decimals save() writes of a float: what a run's frames keep in memory too.
SAVED_DIGITS = 6
#: Keys every run.json has at its top level (besides ``params``), for readers that do not know ours.
TOP_KEYS = ("id", "fail_over_mac", "fault", "switch", "miimon", "arp_interval", "kernel", "started")


@dataclass(eq=False)
class Run:
    """One failover experiment. ``meta['params']`` is a :class:`RunParams` as a dict."""

    meta: dict[str, Any]
    pings: pd.DataFrame
    links: pd.DataFrame
    neigh: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(NEIGH_COLUMNS)))
    #: The frames on the wire (empty for a run recorded without a capture).
    frames: pd.DataFrame = field(default_factory=lambda: typed(pd.DataFrame(columns=list(FRAME_COLUMNS))))
    #: The switch's table before and after (empty for a run recorded without it).
    switch: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(SWITCH_COLUMNS)))
    #: Where the run was loaded from or saved to (None for a run only in memory).
    path: Path | None = None
    #: The frames as captured, one pcap file per host, NIC and direction (``server-enp0s8-out.pcap``),
    #: with QEMU's own time stamps: a fresh run only; :meth:`save` writes them gzipped to ``capture/``
    #: (Wireshark opens them as they are; ``zcat FILE | tcpdump -e -n -r -``), and :attr:`pcap_files`
    #: lists them in a saved run.
    pcaps: dict[str, bytes] = field(default_factory=dict, repr=False)
    #: What the probes printed, per host (a fresh run only; not saved).
    raw: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # The frames hold what a saved run holds (the decimals save() writes), so that a run fresh
        # from the lab and the same run loaded back give the same metrics to the last digit.
        saved = f"{{:.{SAVED_DIGITS}f}}".format
        for frame in (self.pings, self.links, self.neigh, self.frames):
            for column in frame.columns:
                if pd.api.types.is_float_dtype(frame[column]):
                    frame[column] = frame[column].map(saved).astype(float)

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @cached_property
    def params(self) -> RunParams:
        return RunParams.from_dict(self.meta["params"])

    @cached_property
    def metrics(self) -> Metrics:
        return compute(self.meta, self.pings, self.links, self.neigh)

    def lanes(self) -> pd.DataFrame:
        """The faulted host's link samples (the MAC timeline of the figures)."""
        return self.links[self.links["host"] == self.params.host]

    def summary(self) -> dict[str, Any]:
        """One row of the summary table and of ``index.csv``."""
        p, m = self.params, self.metrics
        return {
            "id": self.id, "fail_over_mac": p.fail_over_mac, "fault": p.fault, "switch": p.switch,
            "monitoring": p.monitoring, "miimon": p.effective_miimon, "arp_interval": p.arp_interval,
            "updelay": p.updelay, "downdelay": p.downdelay, "primary": p.primary or "",
            "host": p.host, "slave": self.meta.get("failed_slave", ""),
            "detect_ms": m.detect_ms, "outage_ms": m.outage_ms, "lost": m.lost, "sent": m.sent,
            "recovered": m.recovered, "survived": m.survived, "mac_changes": m.mac_changes,
            "delivered_after": m.delivered_after, "active_before": m.active_before,
            "active_after": m.active_after, "bond_mac_before": m.macs_before.get("bond0"),
            "bond_mac_after": m.macs_after.get("bond0"), "peer_arp_after": m.peer_arp_after,
            "port_mac_after": m.port_mac_after,
            "ping_interval_ms": round(float(self.meta.get("ping_interval_ms") or float("nan")), 2),
            "sample_period_ms": round(float(self.meta.get("sample_period_ms") or float("nan")), 2),
            "kernel": self.meta.get("kernel", ""), "started": self.meta.get("started", ""),
        }

    # -- files ----------------------------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the run into ``directory`` (created; files replaced whole) and return it."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {**self.meta, "metrics": self.metrics.to_dict()}
        saved = [("pings", self.pings), ("links", self.links), ("neigh", self.neigh)]
        saved += [("frames", self.frames)] if len(self.frames) else []
        saved += [("switch", self.switch)] if len(self.switch) else []
        for name, frame in saved:
            _write(directory / FILES[name], frame.to_csv(index=False, float_format=f"%.{SAVED_DIGITS}f"))
        _write(directory / FILES["meta"], json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        if self.pcaps:
            (directory / CAPTURE_DIR).mkdir(exist_ok=True)
            for name, data in self.pcaps.items():  # gzip: a seventh of the size; Wireshark opens it as is
                _write_bytes(directory / CAPTURE_DIR / (Path(name).name + ".gz"),
                             gzip.compress(data, compresslevel=9, mtime=0))
        self.path = directory
        return directory

    @property
    def pcap_files(self) -> list[Path]:
        """The saved run's capture files (none for a run in memory or recorded without a capture)."""
        return sorted((self.path / CAPTURE_DIR).glob("*.pcap.gz")) if self.path is not None else []

    @classmethod
    def load(cls, directory: str | Path) -> Run:
        """Read a run saved by :meth:`save` (a missing or broken file is a FailoverError)."""
        directory = Path(directory)
        try:
            meta = json.loads((directory / FILES["meta"]).read_text(encoding="utf-8"))
            pings = pd.read_csv(directory / FILES["pings"])
            links = pd.read_csv(directory / FILES["links"], dtype={"mac": "object", "ifname": "object",
                                                                   "host": "object", "operstate": "object"})
            neigh_file = directory / FILES["neigh"]
            neigh = (pd.read_csv(neigh_file, dtype={"mac": "object", "ip": "object", "host": "object",
                                                    "state": "object"})
                     if neigh_file.exists() else pd.DataFrame(columns=list(NEIGH_COLUMNS)))
            switch_file = directory / FILES["switch"]
            switch = (pd.read_csv(switch_file, dtype=str, keep_default_na=False).astype(
                          {"port": "int64", "vlan": "int64", "age_s": "int64"})
                      if switch_file.exists() else pd.DataFrame(columns=list(SWITCH_COLUMNS)))
            frames_file = directory / FILES["frames"]
            frames = (typed(pd.read_csv(frames_file, dtype=str, keep_default_na=False))
                      if frames_file.exists() else typed(pd.DataFrame(columns=list(FRAME_COLUMNS))))
        except (OSError, ValueError) as exc:
            raise FailoverError("failover.bad_run_dir", where=str(directory), reason=str(exc)) from None
        missing = [c for c in PING_COLUMNS if c not in pings] + [c for c in LINK_COLUMNS if c not in links]
        missing += [c for c in FRAME_COLUMNS if c not in frames]
        missing += [c for c in SWITCH_COLUMNS if c not in switch]
        if missing or "params" not in meta:
            raise FailoverError("failover.bad_run_dir", where=str(directory),
                                reason="missing " + ", ".join(missing or ["params"]))
        pings = pings.astype({"t": "float64", "seq": "int64", "rtt_ms": "float64", "lost": bool})
        links = links.astype({"t": "float64", "is_active": bool})
        links["mac"] = links["mac"].where(links["mac"].notna(), None)
        return cls(meta=meta, pings=pings, links=links, neigh=neigh, frames=frames, switch=switch,
                   path=directory)


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
