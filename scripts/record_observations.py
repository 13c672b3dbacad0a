"""Record real kernel output from the embedded lab for the parsers' tests and the notebooks.

For each fail_over_mac policy, the server gets the tutorial's bond (active-backup, miimon 100, slaves
enp0s8 and enp0s9) built with ip, then the script saves what the tutorial looks at, before and after
``ip link set dev enp0s8 down``: ``ip link show``, ``ip -d -j link show`` and /proc/net/bonding/bond0.
A short ``ping -D -O`` from client to server is saved too.
Run as any user (the lab needs no root): ``.venv/bin/python scripts/record_observations.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bondkit.lab import Lab

OUT = Path(__file__).resolve().parent.parent / "data" / "recorded" / "lab"
ADDRESSES = {"client": "192.168.99.101/24", "server": "192.168.99.102/24"}
SNAPSHOTS = {
    "ip-link.txt": "ip link show",
    "ip-link.json": "ip -d -j link show",
    "proc-bonding.txt": "cat /proc/net/bonding/bond0",
}


def build_bond(host, address: str, policy: str) -> None:
    host.run(
        "ip link del bond0 2>/dev/null; "
        f"ip link add bond0 type bond mode active-backup miimon 100 fail_over_mac {policy} && "
        "ip link set enp0s8 down && ip link set enp0s8 master bond0 && "
        "ip link set enp0s9 down && ip link set enp0s9 master bond0 && "
        "ip link set enp0s8 up && ip link set enp0s9 up && "
        f"ip addr add {address} dev bond0 && ip link set bond0 up",
        check=True,
    )


def wait_active(host, wanted: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if host.run("cat /sys/class/net/bond0/bonding/active_slave").stdout.strip() == wanted:
            return
        time.sleep(0.05)
    raise RuntimeError(f"active slave did not become {wanted}")


def save(host, stem: str) -> None:
    for suffix, command in SNAPSHOTS.items():
        (OUT / f"{stem}.{suffix}").write_text(host.run(command, check=True).stdout)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    # A lab of the script's own, so that it neither meets nor stops a lab someone is using.
    with tempfile.TemporaryDirectory(prefix="bondkit-record-") as base:
        record(Lab(directory=Path(base) / "lab"))
    print(f"recorded into {OUT}")
    return 0


def record(lab: Lab) -> None:
    with lab:
        client, server = lab["client"], lab["server"]
        for policy in ("none", "active", "follow"):
            build_bond(client, ADDRESSES["client"], policy)
            build_bond(server, ADDRESSES["server"], policy)
            wait_active(server, "enp0s8")
            save(server, f"{policy}-before")
            server.run("ip link set dev enp0s8 down", check=True)
            wait_active(server, "enp0s9")
            time.sleep(0.3)
            save(server, f"{policy}-after")
            server.run("ip link set dev enp0s8 up", check=True)
        build_bond(server, ADDRESSES["server"], "active")
        ping = client.run("ping -D -O -n -c 20 -i 0.05 -W 1 192.168.99.102", timeout=30).stdout
        (OUT / "ping-client-to-server.txt").write_text(ping)
        (OUT / "kernel.txt").write_text(server.run("uname -r", check=True).stdout)


if __name__ == "__main__":
    sys.exit(main())
