"""Record repeated failover runs on the live lab: the evidence behind notebook 05's timing claims.

    .venv/bin/python scripts/record_sweeps.py [--repeats 10] [--only SUBSTRING] [--out data/sweeps]

One run says little about timing: the fault lands at a random point of the monitor's period, so the
detection time of ``miimon M`` is spread over about 0..M ms, plus the kernel's own delays. Each
setting here is run ``--repeats`` times (10 by default) on one lab: every miimon value (50, 100, 200,
500) on a pulled cable, ``downdelay`` 200 alone, every ARP interval (50, 100, 200, 500) on a silent
drop, and the tutorial's Ubuntu ``primary enp0s8``, whose failback when enp0s8 returns is a second
outage. Every run is saved whole under ``<out>/<setting>/<nn>/`` (loadable with
``bondkit.failover.Run.load``) and summarised, one row per run, in ``<out>/index.csv``; the fault is
stamped by the guest itself, and each row says how wide that stamp and the link sampling are.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path

from bondkit.failover import FailoverError, RunParams, run_failover
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--only", default="", help="record only the settings whose name contains this")
    parser.add_argument("--out", type=Path, default=default_sweeps_dir())
    args = parser.parse_args()
    chosen = {name: params for name, params in settings().items() if args.only in name}
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.csv"
    kept = []
    if index.exists():  # rows of the settings not recorded this time stay
        with index.open() as f:
            kept = [r for r in csv.DictReader(f) if r["setting"] not in chosen]
    rows = list(kept)
    with lab_session(lambda stage, info: None) as lab:
        for name, params in chosen.items():
            shutil.rmtree(out / name, ignore_errors=True)
            for repeat in range(1, args.repeats + 1):
                try:
                    run = run_failover(lab, params)
                except FailoverError as error:
                    print(f"{name} #{repeat}: {error}", file=sys.stderr)
                    return 1
                path = run.save(out / name / f"{repeat:02d}")
                rows.append(row(name, repeat, run, path, out))
                m = run.metrics
                print(f"{name} #{repeat}: detect {m.detect_ms} ms, outage {m.outage_ms} ms", flush=True)
    rows.sort(key=lambda r: (r["setting"], int(r["repeat"])))
    with index.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"recorded {len(rows) - len(kept)} runs into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
