"""Lab speed: `up` to both hosts SSH-ready against a bare UML boot, `down`, and a command's round trip,
in Python and through the CLI as a student types it.

Targets: up <= 3 x a bare boot to init (measured here in the same run), down < 2 s, command < 50 ms;
through the CLI, ``bondkit lab up`` plus the first ``bondkit lab ssh server -- true`` <= 3 x a bare
boot measured just before it (median of 3), and ``bondkit lab ssh server -- true`` <= 300 ms (median
of 10). Each lab runs in a folder of its own. Quick mode (``--quick``): one bare boot, five round
trips, one CLI try and three ``lab ssh``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bondkit.lab.host import uml_binary
from common import BONDKIT, Report, lab_folder, lab_missing, rounds

from bondkit.errors import BondkitError
from bondkit.lab import Lab


def bare_boot_seconds() -> float:
    """Boot a UML kernel on the host's filesystem (read-only) to an init that halts at once."""
    with tempfile.TemporaryDirectory() as tmp:
        init = Path(tmp) / "init.sh"
        init.write_text("#!/bin/sh\nexec /sbin/halt -f\n")
        init.chmod(0o755)
        umldir = Path(tmp) / "uml"
        umldir.mkdir()
        command = ["env", "-i", f"HOME={umldir}", f"TMPDIR={umldir}", uml_binary(), "mem=128M",
                   "umid=bk-bench", f"uml_dir={umldir}", "root=/dev/root", "rootfstype=hostfs", "rootflags=/",
                   "ro", "quiet", f"init={init}", "con=null", "con0=null,fd:1"]
        start = time.perf_counter()
        subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        return time.perf_counter() - start


def round_trips(lab: Lab, count: int) -> list[float]:
    """Seconds of ``count`` runs of ``true`` on the server, after one that opens the connection."""
    host = lab["server"]
    host.run("true")
    times = []
    for _ in range(count):
        start = time.perf_counter()
        host.run("true")
        times.append(time.perf_counter() - start)
    return times


def typed(folder: Path, *words: str) -> float:
    """Seconds of one ``bondkit`` command as a student types it, on the lab in ``folder``."""
    environment = {**os.environ, "BONDKIT_LAB_DIR": str(folder)}
    start = time.perf_counter()
    done = subprocess.run([*BONDKIT, *words], env=environment, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bondkit {' '.join(words)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed


def through_the_cli(folder: Path, tries: int, commands: int) -> tuple[list[float], list[float], list[float]]:
    """``bondkit lab up`` plus the first ``bondkit lab ssh server -- true``, each try beside a bare boot
    measured just before it (so that both see the same machine); then ``commands`` more ``lab ssh``."""
    ratios, ups, sshs = [], [], []
    for attempt in range(tries):
        bare = bare_boot_seconds()
        lab = folder / f"cli-{attempt}"
        try:
            up = typed(lab, "lab", "up") + typed(lab, "lab", "ssh", "server", "--", "true")
            ratios.append(up / bare)
            ups.append(up)
            if attempt == 0:
                sshs = [typed(lab, "lab", "ssh", "server", "--", "true") for _ in range(commands)]
        finally:
            typed(lab, "lab", "down")
    return ratios, ups, sshs


def main() -> int:
    report = Report("the embedded lab: up, down and a command's round trip")
    reason = lab_missing()
    if reason:
        report.skip(reason)
        return report.finish()
    bare = statistics.median(bare_boot_seconds() for _ in range(rounds(3)))
    with lab_folder("bondkit-bench-lab-") as folder:
        lab = Lab(directory=folder / "lab")
        start = time.perf_counter()
        try:
            lab.up()
        except BondkitError as exc:
            report.skip(f"the lab did not start: {exc}")
            return report.finish()
        up = time.perf_counter() - start
        try:
            rtts = round_trips(lab, rounds(50, 5))
        finally:
            start = time.perf_counter()
            lab.down()
            down = time.perf_counter() - start
    report.figure("bare UML boot to init", bare, "s")
    report.figure("lab up (2 hosts SSH-ready), x bare boot", up / bare, "x", at_most=3.0,
                  detail=f"{up:5.2f} s")
    report.figure("lab down", down, "s", at_most=2.0)
    report.figure("command round trip, median", statistics.median(rtts) * 1000, "ms", at_most=50, digits=1,
                  detail=f"max {max(rtts) * 1000:.1f} ms over {len(rtts)}")
    with lab_folder("bondkit-bench-cli-") as folder:
        ratios, ups, sshs = through_the_cli(folder, rounds(3, 1), rounds(10, 3))
    report.figure("bondkit lab up + first lab ssh, x bare boot (median)", statistics.median(ratios), "x",
                  at_most=3.0, detail=f"{statistics.median(ups):5.2f} s, through the CLI")
    report.figure("bondkit lab ssh server -- true (median)", statistics.median(sshs) * 1000, "ms",
                  at_most=300, digits=0, detail=f"max {max(sshs) * 1000:.0f} ms over {len(sshs)}")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
