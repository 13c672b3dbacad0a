"""Lab speed: `up` to both hosts SSH-ready against a bare UML boot, `down`, and a command's round trip.

Targets: up <= 3 x a bare boot to init (measured here in the same run), down < 2 s, command < 50 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bondkit.lab import Lab
from bondkit.lab.host import GUEST_UID, missing_pieces, uml_binary


def bare_boot_seconds() -> float:
    """Boot a UML kernel on the host's filesystem to an init that halts at once."""
    with tempfile.TemporaryDirectory() as tmp:
        init = Path(tmp) / "init.sh"
        init.write_text("#!/bin/sh\nexec /sbin/halt -f\n")
        init.chmod(0o755)
        Path(tmp).chmod(0o755)
        umldir = Path(tmp) / "uml"
        umldir.mkdir()
        subprocess.run(["chown", str(GUEST_UID), str(umldir)], check=True)
        command = ["setpriv", f"--reuid={GUEST_UID}", f"--regid={GUEST_UID}", "--clear-groups", "env", "-i",
                   f"HOME={umldir}", f"TMPDIR={umldir}", uml_binary(), "mem=128M", "umid=bk-bench",
                   f"uml_dir={umldir}", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro", "quiet",
                   f"init={init}", "con=null", "con0=null,fd:1"]
        start = time.perf_counter()
        subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        return time.perf_counter() - start


def main() -> int:
    missing = missing_pieces()
    if missing:
        print("lab cannot run here:", "; ".join(what for what, _ in missing))
        return 0
    bare = statistics.median(bare_boot_seconds() for _ in range(3))
    lab = Lab()
    start = time.perf_counter()
    lab.up()
    up = time.perf_counter() - start
    host = lab["server"]
    host.run("true")
    rtts = []
    for _ in range(50):
        t0 = time.perf_counter()
        host.run("true")
        rtts.append(time.perf_counter() - t0)
    start = time.perf_counter()
    lab.down()
    down = time.perf_counter() - start
    rtt_ms = statistics.median(rtts) * 1000
    print(f"bare UML boot to init:      {bare:6.2f} s")
    print(f"lab up (2 hosts SSH-ready): {up:6.2f} s  = {up / bare:.1f} x bare boot (target <= 3.0 x)")
    print(f"lab down:                   {down:6.2f} s  (target < 2 s)")
    worst = max(rtts) * 1000
    print(f"command round trip:         {rtt_ms:6.1f} ms median, {worst:.1f} ms max (target < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
