"""Lab speed and size: `up` to both hosts SSH-ready against a bare boot of the engine's guest, `down`, a
command's round trip, memory per guest, in Python and through the CLI as a student types it.

The bare boot is the lab's own guest, kernel and root image started by the lab's engine with no NIC,
from power-on to its init's first line and power-off (what :mod:`bondkit.lab.probe` does), measured in
the same run. Targets: through the CLI, ``bondkit lab up`` plus the first ``bondkit lab ssh server --
true`` <= 2 x a bare boot measured just before it and under 8 s without KVM (under 2 s with KVM),
median of 3; ``bondkit lab ssh server -- true`` <= 300 ms (median of 10); down < 2 s; command < 50 ms;
resident memory per guest < 160 MB. Each lab runs in a folder of its own. Quick mode (``--quick``): one
bare boot, five round trips, one CLI try and three ``lab ssh``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BONDKIT, Report, lab_folder, lab_missing, rounds

from bondkit.errors import BondkitError
from bondkit.lab import Lab
from bondkit.lab.engine import choose_engine
from bondkit.lab.probe import boot_once

ENGINE = choose_engine()


def bare_boot_seconds() -> float:
    """The engine's guest from power-on to its init's first line and power-off, with no NIC."""
    with tempfile.TemporaryDirectory() as tmp:
        result = boot_once(ENGINE, Path(tmp))
        if not result.ok:
            raise SystemExit(f"the bare boot failed: {result.detail}")
        return result.seconds


def resident_mb(pid: int) -> float:
    """A guest's resident memory: its engine process and every process in its group."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) != pid:
                    continue
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except (OSError, ValueError):
                continue
    return total / 1024


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
            server = lab.topology.host("server").mgmt_address.ip
            lab["client"].run(f"ping -c 20 -i 0.05 -q {server} >/dev/null; true")  # guests at work
            rss = max(resident_mb(pid) for pid in lab.pids.values())
        finally:
            start = time.perf_counter()
            lab.down()
            down = time.perf_counter() - start
    accel = ENGINE.describe().get("accel", "")
    report.note(f"engine: {ENGINE.name}, {accel}")
    report.figure("bare boot of the engine's guest (median)", bare, "s")
    report.figure("lab up (2 hosts SSH-ready), x bare boot", up / bare, "x", detail=f"{up:5.2f} s")
    report.figure("resident memory per guest (largest)", rss, "MB", at_most=160, digits=0)
    report.figure("lab down", down, "s", at_most=2.0)
    report.figure("command round trip, median", statistics.median(rtts) * 1000, "ms", at_most=50, digits=1,
                  detail=f"max {max(rtts) * 1000:.1f} ms over {len(rtts)}")
    with lab_folder("bondkit-bench-cli-") as folder:
        ratios, ups, sshs = through_the_cli(folder, rounds(3, 1), rounds(10, 3))
    report.figure("bondkit lab up + first lab ssh, x bare boot (median)", statistics.median(ratios), "x",
                  at_most=2.0, detail="through the CLI")
    report.figure("bondkit lab up + first lab ssh (median)", statistics.median(ups), "s",
                  at_most=2.0 if accel == "kvm" else 8.0)
    report.figure("bondkit lab ssh server -- true (median)", statistics.median(sshs) * 1000, "ms",
                  at_most=300, digits=0, detail=f"max {max(sshs) * 1000:.0f} ms over {len(sshs)}")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
