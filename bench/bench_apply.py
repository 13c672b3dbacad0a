"""Speed of applying bond configurations to the lab (issue 4): prints its figures, asserts nothing.

For each of the tutorial's configurations (CentOS ifcfg files, Ubuntu netplan YAML) applied to both lab
hosts: the wall time of a whole apply and of each step (from the moment the previous step was shown),
a restore, a refusal (a NIC the host lacks), a verification that fails and rolls back, and a change
that cuts the SSH path and is undone by the host's own timer. The lab runs in a directory of its own.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bondkit.apply import apply, restore  # noqa: E402
from bondkit.errors import ApplyError  # noqa: E402
from bondkit.lab import Lab  # noqa: E402

ROUNDS = 3
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


def main() -> None:
    base = Path(tempfile.mkdtemp(prefix="bondkit-bench-apply-"))
    base.chmod(0o711)
    try:
        run(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run(base: Path) -> None:
    with Lab(directory=base / "lab") as lab:
        totals: dict[str, list[float]] = defaultdict(list)
        steps: dict[str, list[float]] = defaultdict(list)
        for _ in range(ROUNDS):
            for kind, paths in CONFIGS.items():
                for host, path in paths.items():
                    clock, report = timed(apply, lab[host], path)
                    assert not isinstance(report, ApplyError), report
                    totals[f"apply {kind} files"].append(clock.total)
                    for name, seconds in clock.steps.items():
                        steps[name].append(seconds)
                clock, _ = timed(restore, lab["client"])
                totals["restore"].append(clock.total)
        print(f"apply on the lab, median of {ROUNDS} rounds x 2 hosts (seconds):")
        for name, values in totals.items():
            median = statistics.median(values)
            print(f"  {name:<22} {median:6.2f}  (min {min(values):.2f}, max {max(values):.2f})")
        print("  per step:")
        for name, values in steps.items():
            print(f"    {name:<20} {statistics.median(values):6.3f}")

        bad = base / "bad"
        bad.mkdir()
        (bad / "ifcfg-bond0").write_text((SEED / "centos" / "client" / "ifcfg-bond0").read_text())
        (bad / "ifcfg-enp0s10").write_text("DEVICE=enp0s10\nMASTER=bond0\nSLAVE=yes\n")
        (bad / "ifcfg-enp0s8").write_text("DEVICE=enp0s8\nMASTER=bond0\nSLAVE=yes\n")
        clock, _ = timed(apply, lab["client"], bad)
        print(f"  refusal (missing NIC), nothing changed   {clock.total:6.2f}")

        lab.fault("client", "enp0s8", "carrier-loss")
        try:
            clock, error = timed(apply, lab["client"], CONFIGS["ubuntu"]["client"], verify_seconds=1.0)
        finally:
            lab.fault("client", "enp0s8", "restore")
        print(f"  verify fails (1 s polling) + rollback    {clock.total:6.2f}  rollback step "
              f"{clock.steps.get('rollback', 0):.2f}  [{getattr(error, 'key', error)}]")

        mgmt = base / "mgmt.yaml"
        mgmt.write_text("network:\n  version: 2\n  ethernets:\n    enp0s3: {dhcp4: false}\n"
                        "    enp0s9: {dhcp4: false}\n  bonds:\n    bond0:\n"
                        "      interfaces: [enp0s3, enp0s9]\n"
                        "      parameters: {mode: active-backup, mii-monitor-interval: 100}\n")
        clock, error = timed(apply, lab["server"], mgmt, force=True, rollback_after=4)
        key = getattr(error, "key", error)
        print(f"  SSH path cut, host's timer (4 s) restores {clock.total:6.2f}  [{key}]")


if __name__ == "__main__":
    main()
