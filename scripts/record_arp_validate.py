"""Record on the embedded lab what notebook 05's exercise on ``arp_validate`` predicts: two silent
failures, with and without other hosts' broadcasts on the wire, with and without validation.

The server's bond (active-backup, fail_over_mac active) is switched to ARP monitoring of the client
(``arp_interval`` 100, ``arp_ip_target`` 192.168.99.101) through sysfs, as the exercise types it; the
client keeps its MII-monitored bond. For each case the server's enp0s8 port gets the fault (``silent-drop``:
nothing passes; ``unicast-drop``: broadcasts still pass), optionally while the client sends broadcasts
(``ping -b`` to 192.168.99.255, 20 a second), and after two seconds the server's active slave is read.
Saved as ``data/recorded/lab/arp-validate.csv`` (fault, broadcasts, arp_validate, active_before,
active_after) with the kernel in ``arp-validate.kernel.txt``.

    .venv/bin/python scripts/record_arp_validate.py
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

from bondkit.lab import Lab

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record_observations import ADDRESSES, OUT, build_bond, wait_active  # noqa: E402

TO_ARP = ("cd /sys/class/net/bond0/bonding && echo 0 > miimon && echo +192.168.99.101 > arp_ip_target "
          "&& echo 100 > arp_interval && echo {validate} > arp_validate")
#: Other hosts' broadcasts: 20 a second, ended by ping itself after 4 s (-w), never by us.
BROADCASTS = "nohup ping -b -n -q -i 0.05 -w 4 192.168.99.255 >/dev/null 2>&1 &"


def active(host) -> str:
    return host.run("cat /sys/class/net/bond0/bonding/active_slave").stdout.strip()


def one_case(lab: Lab, fault: str, broadcasts: bool, validate: str) -> dict[str, str]:
    client, server = lab["client"], lab["server"]
    build_bond(client, ADDRESSES["client"], "active")
    build_bond(server, ADDRESSES["server"], "active")
    wait_active(server, "enp0s8")
    server.run(TO_ARP.format(validate=validate), check=True)
    time.sleep(1.5)  # let the ARP monitor settle, then start every case from enp0s8
    server.run("echo enp0s8 > /sys/class/net/bond0/bonding/active_slave", check=True)
    wait_active(server, "enp0s8")
    time.sleep(1.0)
    before = active(server)
    if broadcasts:
        client.run(BROADCASTS, check=True)
        time.sleep(0.3)
    lab.fault("server", "enp0s8", fault)
    time.sleep(2.0)
    after = active(server)
    lab.fault("server", "enp0s8", "restore")
    time.sleep(2.5)  # the broadcasts' ping has ended on its own (-w 4)
    return {"fault": fault, "broadcasts": "yes" if broadcasts else "no", "arp_validate": validate,
            "active_before": before, "active_after": after}


def record(lab: Lab) -> None:
    with lab:
        rows = [one_case(lab, fault, broadcasts, validate)
                for fault in ("silent-drop", "unicast-drop")
                for broadcasts in (False, True)
                for validate in ("none", "all")]
        with (OUT / "arp-validate.csv").open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        (OUT / "arp-validate.kernel.txt").write_text(lab["server"].run("uname -r", check=True).stdout)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    # A lab of the script's own, so that it neither meets nor stops a lab someone is using.
    with tempfile.TemporaryDirectory(prefix="bondkit-record-") as base:
        record(Lab(directory=Path(base) / "lab"))
    print(f"recorded into {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
