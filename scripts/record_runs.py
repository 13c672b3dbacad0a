"""Regenerate data/runs/ from the live lab: the recorded failover runs notebooks and tests read.

    .venv/bin/python scripts/record_runs.py [--out data/runs] [--only SUBSTRING] [--list] [--reindex]

The grid: 3 fail_over_mac modes x 3 faults x 2 switch profiles at miimon 100; miimon sweeps (50, 200,
500, with 100 from the grid) on carrier loss; ARP monitoring (every mode and fault at 100 ms, a sweep
of 50/200/500 on silent drop, and the VirtualBox switch); and two runs with updelay/primary options.
Every run is a real one, made by bondkit.failover.run_failover on the embedded lab (started for the
script unless one is running); index.csv describes them all. ``--reindex`` needs no lab: it recomputes
the derived figures kept in each run.json and index.csv from the recorded frames (after a change to
bondkit.failover.metrics), leaving the measurements as they are.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from bondkit.failover import FAULTS, MODES, SWITCHES, FailoverError, RunParams, run_failover
from bondkit.failover.demo import lab_session
from bondkit.failover.store import default_runs_dir, load_runs, write_index


def plans() -> list[RunParams]:
    grid = [RunParams(mode, fault, switch, miimon=100) for switch in SWITCHES for fault in FAULTS
            for mode in MODES]
    miimon = [RunParams(mode, "carrier-loss", "learning", miimon=ms) for ms in (50, 200, 500)
              for mode in MODES]
    arp = [RunParams(mode, fault, "learning", arp_interval=100) for fault in FAULTS for mode in MODES]
    arp += [RunParams("active", "silent-drop", "learning", arp_interval=ms) for ms in (50, 200, 500)]
    arp += [RunParams(mode, "admin-down", "vbox-hostonly", arp_interval=100) for mode in MODES]
    extras = [RunParams("active", "admin-down", "learning", miimon=100, primary="enp0s8"),
              RunParams("active", "carrier-loss", "learning", miimon=100, downdelay=200, updelay=200)]
    return grid + miimon + arp + extras


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_runs_dir())
    parser.add_argument("--only", help="record only the runs whose id contains this")
    parser.add_argument("--list", action="store_true", help="print the run ids and stop")
    parser.add_argument("--reindex", action="store_true", help="recompute run.json metrics and index.csv")
    args = parser.parse_args()
    if args.reindex:
        runs = load_runs(args.out)
        for run in runs:
            run.save(run.path)
        print(f"{write_index(args.out, runs)}: {len(runs)} runs")
        return 0
    todo = [p for p in plans() if not args.only or args.only in p.run_id()]
    if args.list:
        print("\n".join(p.run_id() for p in todo))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.only:  # a full regeneration: runs no longer in the plan go
        keep = {p.run_id() for p in todo}
        for old in args.out.iterdir():
            if old.is_dir() and (old / "run.json").exists() and old.name not in keep:
                shutil.rmtree(old)
    started = time.monotonic()
    with lab_session() as lab:
        switch = lab.switch
        for number, params in enumerate(todo, 1):
            for attempt in (1, 2):
                try:
                    run = run_failover(lab, params, restore_switch=False)
                    break
                except FailoverError as exc:
                    print(f"  {params.run_id()}: {exc} (attempt {attempt})", file=sys.stderr)
                    if attempt == 2:
                        raise
            run.save(args.out / run.id)
            m = run.metrics
            elapsed = time.monotonic() - started
            print(f"[{number:2}/{len(todo)}] {run.id:55} detect {m.detect_ms!s:>6} ms  lost {m.lost:3}  "
                  f"outage {m.outage_ms:7.1f} ms  macs {m.mac_changes}  ({elapsed:5.0f} s)", flush=True)
        lab.set_switch(switch)
    write_index(args.out, load_runs(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
