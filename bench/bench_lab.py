"""Lab speed: `up` to both hosts SSH-ready against a bare UML boot, `down`, and a command's round trip.

Targets: up <= 3 x a bare boot to init (measured here in the same run), down < 2 s, command < 50 ms.
The lab runs in a folder of its own. Quick mode (``--quick``): one bare boot and five round trips.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Report, lab_folder, lab_missing, rounds

from bondkit.errors import BondkitError
from bondkit.lab import Lab
from bondkit.lab.host import uml_binary


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
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
