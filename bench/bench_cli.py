"""How fast the ``bondkit`` command answers, as a student types it, against a bare ``python -c pass``.

Targets: ``bondkit --help`` at most 5x and ``bondkit lint data/seed/centos/server`` at most 8x a bare
``python -c pass`` of the same environment, each the median of 5 runs. The three commands take turns,
so that a machine that gets busier mid-way slows all of them alike. Nothing here needs the lab.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from common import BONDKIT, ROOT, Report, rounds

PYTHON = sys.executable

COMMANDS = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "bondkit --help": [*BONDKIT, "--help"],
    "bondkit lint data/seed/centos/server": [*BONDKIT, "lint", "data/seed/centos/server"],
}
#: Most times a bare interpreter's start that each command may take.
TARGETS = {"bondkit --help": 5.0, "bondkit lint data/seed/centos/server": 8.0}


def wall_seconds(argv: list[str]) -> float:
    """One run of ``argv`` from the repository root, output discarded; a failed start is an error."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # lint exits 1 when it finds errors: still a run
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    count = rounds(5, 1)
    report = Report(f"bondkit at the shell, median of {count} run(s) each (wall time)")
    for argv in COMMANDS.values():  # warm the file cache and the bytecode once
        wall_seconds(argv)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(count):
        for name, argv in COMMANDS.items():
            times[name].append(wall_seconds(argv))
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["python -c pass"]
    report.figure("python -c pass", bare * 1000, "ms", digits=1)
    for name, limit in TARGETS.items():
        report.figure(f"{name}, x python -c pass", medians[name] / bare, "x", at_most=limit, digits=1,
                      detail=f"{medians[name] * 1000:6.1f} ms")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
