"""Failover speed and resolution: one run with the lab up, `bondkit demo` from cold, an explorer redraw,
and how finely a run resolves time.

Targets: one run <= 8 s; demo from cold <= 60 s; explorer redraw <= 200 ms; outage resolved to one
ping interval (<= 10 ms) with link state sampled every <= 50 ms. The lab runs in a directory of its
own, so a lab someone else is using is neither reused nor disturbed. Quick mode (``--quick``): one run,
the explorer on one switch profile, and the demo from recorded runs instead of the lab.
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import Report, lab_folder, lab_missing, quick, rounds

from bondkit.errors import LabError
from bondkit.lab import Lab

RUNS = rounds(3, 1)
FAULTS = ("admin-down", "carrier-loss", "silent-drop")
SWITCHES = ("learning",) if quick() else ("learning", "vbox-hostonly")


def one_run_seconds(lab) -> tuple[list[float], list]:
    """``RUNS`` failover runs on the running ``lab``, cycling through the modes: their times and runs."""
    from bondkit.failover import RunParams, run_failover

    times, runs = [], []
    for mode in itertools.islice(itertools.cycle(("active", "follow", "none")), RUNS):
        start = time.perf_counter()
        runs.append(run_failover(lab, RunParams(mode, "admin-down", "learning")))
        times.append(time.perf_counter() - start)
    return times, runs


def demo_from_cold_seconds(out: Path, *, recorded: bool = False) -> tuple[float, int]:
    """``bondkit demo`` as a student starts it (the lab booted for it), or from the recorded runs."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "bondkit", "demo", "--out", str(out)]
    if recorded:
        command.append("--recorded")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bondkit demo failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, len(list(out.glob("*/figure.png")))


def explorer_redraws() -> tuple[float, list[float], list[float]]:
    """Redraw times (ms): the first draw, then every redraw of a selection not drawn before, for one
    run and for the three modes side by side (a selection drawn before comes from the cache)."""
    from bondkit.widgets import Explorer

    explorer = Explorer(lang="en")
    first = explorer.last_redraw_ms
    single: list[float] = []
    trio: list[float] = []
    redraw = explorer.redraw

    def timed() -> None:
        redraw()
        if not explorer.last_redraw_cached:
            (trio if explorer.mode.value == "all" else single).append(explorer.last_redraw_ms)

    explorer.redraw = timed
    for switch, fault, monitor in itertools.product(SWITCHES, FAULTS, ("mii100",)):
        explorer.mode.value = "active"
        explorer.switch.value, explorer.fault.value, explorer.monitor.value = switch, fault, monitor
        for mode in ("none", "follow", "all"):
            explorer.mode.value = mode
    for lang in ("ko", "en"):
        explorer.lang.value = lang
    return first, single, trio


def resolution(runs) -> tuple[float, float, float]:
    """Median ping interval, 99th percentile of the gaps between answered probes outside the outage
    (scheduling jitter of the guests), median link sample period."""
    intervals = [run.meta["ping_interval_ms"] for run in runs]
    gaps = []
    for run in runs:
        answered = run.pings[~run.pings["lost"]]
        steady = answered[(answered["t"] < -0.05) | (answered["t"] > run.metrics.outage_ms / 1000 + 0.1)]
        gaps.append(float(steady["t"].diff().quantile(0.99)) * 1000)
    periods = [run.meta["sample_period_ms"] for run in runs]
    return statistics.median(intervals), max(gaps), statistics.median(periods)


def main() -> int:
    report = Report("failover: the explorer, one run on the lab, and the demo from cold")
    first, single, trio = explorer_redraws()
    report.figure("explorer first draw", first, "ms", digits=0)
    report.figure("explorer redraw, one run (median)", statistics.median(single), "ms", at_most=200, digits=0,
                  detail=f"max {max(single):4.0f} ms over {len(single)}")
    report.figure("explorer redraw, three side by side (median)", statistics.median(trio), "ms", digits=0,
                  detail=f"max {max(trio):4.0f} ms over {len(trio)}; seen before: from the cache, < 5 ms")
    reason = lab_missing()
    if reason:
        report.skip(reason)
        return report.finish()
    with lab_folder("bondkit-bench-failover-") as tmp:
        lab = Lab(directory=tmp / "lab")
        try:
            lab.up()
        except LabError as exc:
            report.skip(f"the lab did not start: {exc}")
            return report.finish()
        try:
            times, runs = one_run_seconds(lab)
        finally:
            lab.down()
        report.figure("one run, lab up (median)", statistics.median(times), "s", at_most=8,
                      detail=f"max {max(times):5.2f} s; windows 1 s + 2 s + 0.5 s")
        interval, gap, period = resolution(runs)
        # fping's -D stamps resolve 10 us: the median is compared at that resolution, not below it
        report.figure("ping interval (measured, median)", round(interval, 2), "ms", at_most=10,
                      detail=f"99th-percentile gap between answers {gap:5.1f} ms")
        report.figure("link state sample period (median)", period, "ms", at_most=50)
        os.environ["BONDKIT_LAB_DIR"] = str(tmp / "demo-lab")  # the lab `bondkit demo` boots
        elapsed, figures = demo_from_cold_seconds(tmp / "demo", recorded=quick())
        label = "bondkit demo from recorded runs" if quick() else "bondkit demo from cold"
        report.figure(label, elapsed, "s", at_most=60, digits=1, detail=f"{figures} run figures")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
