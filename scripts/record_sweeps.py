"""Record repeated failover runs on the live lab: the evidence behind notebook 05's timing claims.

    .venv/bin/python scripts/record_sweeps.py [--repeats 10] [--only TEXT] [--missing] [--out data/sweeps]

One run says little about timing: the fault lands at a random point of the monitor's period, so the
detection time of ``miimon M`` is spread over about 0..M ms, plus the kernel's own delays. Each
setting here is run ``--repeats`` times (10 by default) on one lab: every miimon value (50, 100, 200,
500) on a pulled cable, ``downdelay`` 200 alone, every ARP interval (50, 100, 200, 500) on a silent
drop, and the tutorial's Ubuntu ``primary enp0s8``, whose failback when enp0s8 returns is a second
outage. Every run is saved whole under ``<out>/<setting>/<nn>/`` (loadable with
``bondkit.failover.Run.load``) and summarised, one row per run, in ``<out>/index.csv``; the fault is
stamped by the guest itself, and each row says how wide that stamp and the link sampling are. The index
is written again after every setting, from the runs on disk, so an interrupted recording keeps what it
made; ``--missing`` then records only the settings that have fewer than ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path

from bondkit.errors import BondkitError
from bondkit.failover import Run, RunParams, run_failover
from bondkit.failover.demo import lab_session
from bondkit.failover.store import SWEEPS, default_sweeps_dir

COLUMNS = ("setting", "repeat", "fail_over_mac", "fault", "monitoring", "miimon", "arp_interval", "updelay",
           "downdelay", "primary", "detect_ms", "outage_ms", "lost", "sent", "survived", "failback_outage_ms",
           "fault_call_ms", "sample_period_ms", "ping_interval_ms", "started", "path")


def settings() -> dict[str, RunParams]:
    return {name: RunParams(**params) for name, params in SWEEPS.items()}


def row(setting: str, repeat: int, run, path: Path, out: Path) -> dict[str, object]:
    p, m, meta = run.params, run.metrics, run.meta
    return {
        "setting": setting, "repeat": repeat, "fail_over_mac": p.fail_over_mac, "fault": p.fault,
        "monitoring": p.monitoring, "miimon": p.effective_miimon, "arp_interval": p.arp_interval,
        "updelay": p.updelay, "downdelay": p.downdelay, "primary": p.primary or "",
        "detect_ms": m.detect_ms, "outage_ms": m.outage_ms, "lost": m.lost, "sent": m.sent,
        "survived": m.survived, "failback_outage_ms": failback_outage_ms(run),
        "fault_call_ms": meta.get("fault_call_ms"), "sample_period_ms": meta.get("sample_period_ms"),
        "ping_interval_ms": meta.get("ping_interval_ms"), "started": meta.get("started"),
        "path": str(path.relative_to(out)),
    }


def failback_outage_ms(run) -> float | None:
    """The longest run of lost pings after the restore (the failback's outage), in ms; None when
    nothing was lost then."""
    pings = run.pings
    restore = run.params.duration
    after = pings[pings["t"] >= restore].sort_values("t")
    if not len(after) or not after["lost"].any():
        return None
    longest, start = 0.0, None
    for t, lost in zip(after["t"], after["lost"], strict=True):
        if lost and start is None:
            start = t
        elif not lost and start is not None:
            longest, start = max(longest, t - start), None
    if start is not None:
        longest = max(longest, float(after["t"].iloc[-1]) - start)
    return round(longest * 1000, 1)


ATTEMPTS = 3  # a run whose bonds did not come up (both hosts are configured at once) is made again


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--only", default="", help="record only the settings whose name contains this")
    parser.add_argument("--missing", action="store_true", help="record only settings with too few runs")
    parser.add_argument("--out", type=Path, default=default_sweeps_dir())
    args = parser.parse_args()
    out = args.out
    chosen = {name: params for name, params in settings().items() if args.only in name
              and not (args.missing and len(list((out / name).glob("*/run.json"))) >= args.repeats)}
    out.mkdir(parents=True, exist_ok=True)
    with lab_session(lambda stage, info: None) as lab:
        for name, params in chosen.items():
            shutil.rmtree(out / name, ignore_errors=True)
            for repeat in range(1, args.repeats + 1):
                for attempt in range(1, ATTEMPTS + 1):
                    try:
                        run = run_failover(lab, params)
                        break
                    except BondkitError as error:
                        print(f"{name} #{repeat}: {error} (attempt {attempt})", file=sys.stderr)
                        if attempt == ATTEMPTS:
                            return 1
                run.save(out / name / f"{repeat:02d}")
                m = run.metrics
                print(f"{name} #{repeat}: detect {m.detect_ms} ms, outage {m.outage_ms} ms", flush=True)
            print(f"{write_index(out)}: {name} recorded", flush=True)
    return 0


def write_index(out: Path) -> Path:
    """``<out>/index.csv`` from every run on disk of a known setting, one row per run."""
    rows = []
    for name in settings():
        for path in sorted((out / name).glob("*/run.json")):
            rows.append(row(name, int(path.parent.name), Run.load(path.parent), path.parent, out))
    index = out / "index.csv"
    with index.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return index


if __name__ == "__main__":
    sys.exit(main())
