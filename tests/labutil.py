"""Helpers for lab tests: state read the kernel selftests' way, from ``ip -d -j`` JSON, with polling."""

from __future__ import annotations

import json
import time

BOND_ADDRESSES = {"client": "192.168.99.101/24", "server": "192.168.99.102/24"}


def link(host, ifname: str) -> dict:
    return json.loads(host.run(f"ip -d -j link show dev {ifname}", check=True).stdout)[0]


def active_slave(host, bond: str = "bond0") -> str | None:
    return link(host, bond)["linkinfo"]["info_data"].get("active_slave")


def slaves_up(host, bond: str = "bond0") -> bool:
    """Every slave of ``bond`` is up for the bond (its monitor saw it working), as
    ``ip -d -j link show`` reports it per slave (``info_slave_data.mii_status``)."""
    links = json.loads(host.run("ip -d -j link show", check=True).stdout)
    slaves = [item for item in links if item.get("master") == bond]
    return bool(slaves) and all(
        item["linkinfo"]["info_slave_data"].get("mii_status") == "UP" for item in slaves)


def ready_active_slave(host, bond: str = "bond0") -> str | None:
    """The active slave, once every slave is up: a fault injected earlier could find no backup ready."""
    return active_slave(host, bond) if slaves_up(host, bond) else None


def wait_for(predicate, timeout: float = 5.0, interval: float = 0.05):
    """Poll until ``predicate()`` is truthy (bounded), returning its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def build_bond(host, address: str, options: str = "miimon 100", slaves=("enp0s8", "enp0s9")) -> None:
    """A bond made by hand with ip, as a student would, replacing any bond0 already there."""
    commands = [f"ip link del bond0 2>/dev/null; ip link add bond0 type bond mode active-backup {options}"]
    for slave in slaves:
        commands += [f"ip link set {slave} down", f"ip link set {slave} master bond0",
                     f"ip link set {slave} up"]
    commands += [f"ip addr add {address} dev bond0", "ip link set bond0 up"]
    host.run(" && ".join(commands), check=True)


def ping_ok(host, address: str, count: int = 3) -> int:
    """Replies received out of ``count`` pings (bounded: 0.1 s apart, 1 s wait each)."""
    out = host.run(f"ping -n -q -c {count} -i 0.1 -W 1 {address}", timeout=count + 5).stdout
    for line in out.splitlines():
        if "received" in line:
            return int(line.split(",")[1].split()[0])
    return 0
