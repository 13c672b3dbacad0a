"""Record the tutorial's central moment on the embedded lab: a ping that runs while the active slave
goes down, as ping prints it, with the gap in icmp_seq.

Both hosts get the tutorial's bond (active-backup, miimon 100, fail_over_mac active); the client pings
the server's bond address every 10 ms (``ping -D -O``, so each lost probe gets its "no answer yet"
line); one second in, the server runs ``ip link set dev enp0s8 down``; the ping goes on for two more
seconds. Saved into ``data/recorded/lab/``: ``ping-during-fault.txt`` (ping's output, untouched) and
``ping-during-fault.proc-bonding.txt`` (``/proc/net/bonding/bond0`` on the server afterwards).
Notebook 03 shows the lines around the gap where the lab is off.

    .venv/bin/python scripts/record_ping_gap.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bondkit.lab import Lab

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record_observations import ADDRESSES, OUT, build_bond, wait_active  # noqa: E402

PING = "ping -D -O -n -c 300 -i 0.01 -W 1 -w 10 192.168.99.102"
LOG = "/tmp/bondkit-ping-during-fault.txt"


def record(lab: Lab) -> None:
    with lab:
        client, server = lab["client"], lab["server"]
        build_bond(client, ADDRESSES["client"], "active")
        build_bond(server, ADDRESSES["server"], "active")
        wait_active(server, "enp0s8")
        client.run(f"rm -f {LOG}; nohup {PING} > {LOG} 2>&1 &", check=True)
        time.sleep(1.0)
        server.run("ip link set dev enp0s8 down", check=True)
        wait_active(server, "enp0s9")
        time.sleep(2.5)  # the ping's 300 probes take about 3 s; -w 10 bounds it in any case
        client.run("for i in $(seq 50); do pgrep -x ping >/dev/null || break; sleep 0.2; done", timeout=30)
        text = client.run(f"cat {LOG}", check=True).stdout
        if "no answer yet" not in text:
            raise RuntimeError("the ping lost nothing: the fault did not land while it ran")
        (OUT / "ping-during-fault.txt").write_text(text)
        (OUT / "ping-during-fault.proc-bonding.txt").write_text(
            server.run("cat /proc/net/bonding/bond0", check=True).stdout)
        server.run("ip link set dev enp0s8 up", check=True)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    # A lab of the script's own, so that it neither meets nor stops a lab someone is using.
    with tempfile.TemporaryDirectory(prefix="bondkit-record-") as base:
        record(Lab(directory=Path(base) / "lab"))
    print(f"recorded into {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
