"""Speed of applying bond configurations to the lab: prints its figures (none has a target yet).

For each of the tutorial's configurations (CentOS ifcfg files, Ubuntu netplan YAML) applied to both lab
hosts: the wall time of a whole apply and of each step (from the moment the previous step was shown),
a restore, a refusal (a NIC the host lacks), a verification that fails and rolls back, and a change
that cuts the SSH path and is undone by the host's own timer. The lab runs in a directory of its own.
Quick mode (``--quick``): one round.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from common import ROOT, Report, lab_folder, lab_missing, rounds

from bondkit.apply import apply, restore
from bondkit.errors import ApplyError, LabError
from bondkit.lab import Lab

ROUNDS = rounds(3, 1)
SEED = ROOT / "data" / "seed"
CONFIGS = {
    "centos": {h: SEED / "centos" / h for h in ("client", "server")},
    "ubuntu": {h: SEED / "ubuntu" / h / "50-cloud-init.yaml" for h in ("client", "server")},
}


class StepClock:
    """Times each step as the gap since the previous one was shown."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.steps: dict[str, float] = {}

    def __call__(self, step) -> None:
        now = time.perf_counter()
        self.steps[step.name] = self.steps.get(step.name, 0.0) + now - self.last
        self.last = now

    @property
    def total(self) -> float:
        return self.last - self.start


def timed(function, *args, **kwargs) -> tuple[StepClock, object]:
    clock = StepClock()
    try:
        result = function(*args, on_step=clock, **kwargs)
    except ApplyError as exc:
        result = exc
    return clock, result


def main() -> int:
    report = Report("apply on the lab")
    reason = lab_missing()
    if reason:
        report.skip(reason)
        return report.finish()
    with lab_folder("bondkit-bench-apply-") as base:
        lab = Lab(directory=base / "lab")
        try:
            lab.up()
        except LabError as exc:
            report.skip(f"the lab did not start: {exc}")
            return report.finish()
        try:
            run(lab, base, report)
        finally:
            lab.down()
    return report.finish()


def run(lab: Lab, base: Path, report: Report) -> None:
    totals: dict[str, list[float]] = defaultdict(list)
    steps: dict[str, list[float]] = defaultdict(list)
    for _ in range(ROUNDS):
        for kind, paths in CONFIGS.items():
            for host, path in paths.items():
                clock, outcome = timed(apply, lab[host], path)
                assert not isinstance(outcome, ApplyError), outcome
                totals[f"apply {kind} files"].append(clock.total)
                for name, seconds in clock.steps.items():
                    steps[name].append(seconds)
            clock, _ = timed(restore, lab["client"])
            totals["restore"].append(clock.total)
    report.note(f"median of {ROUNDS} round(s) x 2 hosts:")
    for name, values in totals.items():
        report.figure(name, statistics.median(values), "s",
                      detail=f"min {min(values):.2f}, max {max(values):.2f}")
    report.note("per step:")
    for name, values in steps.items():
        report.figure(f"  {name}", statistics.median(values), "s", digits=3)

    bad = base / "bad"
    bad.mkdir()
    (bad / "ifcfg-bond0").write_text((SEED / "centos" / "client" / "ifcfg-bond0").read_text())
    (bad / "ifcfg-enp0s10").write_text("DEVICE=enp0s10\nMASTER=bond0\nSLAVE=yes\n")
    (bad / "ifcfg-enp0s8").write_text("DEVICE=enp0s8\nMASTER=bond0\nSLAVE=yes\n")
    clock, _ = timed(apply, lab["client"], bad)
    report.figure("refusal (missing NIC), nothing changed", clock.total, "s")

    lab.fault("client", "enp0s8", "carrier-loss")
    try:
        clock, error = timed(apply, lab["client"], CONFIGS["ubuntu"]["client"], verify_seconds=1.0)
    finally:
        lab.fault("client", "enp0s8", "restore")
    rollback = clock.steps.get("rollback", 0)
    report.figure("verify fails (1 s polling) + rollback", clock.total, "s",
                  detail=f"rollback step {rollback:.2f} s [{getattr(error, 'key', error)}]")

    mgmt = base / "mgmt.yaml"
    mgmt.write_text("network:\n  version: 2\n  ethernets:\n    enp0s3: {dhcp4: false}\n"
                    "    enp0s9: {dhcp4: false}\n  bonds:\n    bond0:\n"
                    "      interfaces: [enp0s3, enp0s9]\n"
                    "      parameters: {mode: active-backup, mii-monitor-interval: 100}\n")
    clock, error = timed(apply, lab["server"], mgmt, force=True, rollback_after=4)
    key = getattr(error, "key", error)
    report.figure("SSH path cut, host's timer (4 s) restores", clock.total, "s", detail=f"[{key}]")


if __name__ == "__main__":
    sys.exit(main())
