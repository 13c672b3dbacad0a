"""What ``fail_over_mac`` does to the MAC addresses at a failover, told by the browser lab's own kernel.

The native lab records this as a Run (pings, link samples, frames), whose tables need pandas, which the
browser's Python does not have. The story here is the part a student checks first, read from the
bonding driver in the tab: the server's active slave and the MAC addresses of bond0 and both slaves
just before its active card loses its carrier and just after, and whether the client's ping still gets
through. Its fields are those of :class:`bondkit.failover.metrics.Metrics` (``active_before``,
``macs_before``...), so a story from the tab and a recorded run from a native lab compare key by key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bondkit.errors import LabError
from bondkit.lab.browser import bridge
from bondkit.lab.topology import BOND_NETWORK, bond_address, tutorial_topology
from bondkit.spec import ENUM_OPTIONS

if TYPE_CHECKING:
    from bondkit.lab.browser.lab import BrowserLab

MODES = ENUM_OPTIONS["fail_over_mac"]
HOST, PEER = "server", "client"
#: The tutorial's hosts, cards and bond addresses, as the native lab has them (so is the site's lab).
_TOPOLOGY = tutorial_topology()
ADDRESSES = {host.name: str(bond_address(host.index).ip) for host in _TOPOLOGY.hosts}
SLAVES = tuple(nic.name for nic in _TOPOLOGY.host(HOST).data)
#: Each loop in the guest is bounded: 40 tries 50 ms apart, 2 s.
TRIES = 40
_BONDING = "/sys/class/net/bond0/bonding"


def bond_commands(address: str, mode: str = "none") -> str:
    """One shell line that makes bond0 (active-backup, miimon 100, ``fail_over_mac``) of both cards.

    The guests have no ifcfg or netplan: this is the driver's own sysfs interface, which those tools
    use underneath. ``fail_over_mac`` is set before any slave joins, since the driver refuses to change
    it while the bond has slaves (bonding.rst).
    """
    if mode not in MODES:
        raise LabError("browser.bad_fail_over_mac", mode=mode, choices=", ".join(MODES))
    return " && ".join([
        "echo +bond0 > /sys/class/net/bonding_masters",
        f"echo active-backup > {_BONDING}/mode",
        f"echo {mode} > {_BONDING}/fail_over_mac",
        f"echo 100 > {_BONDING}/miimon",
        *[f"ip link set {slave} down" for slave in SLAVES],
        *[f"echo +{slave} > {_BONDING}/slaves" for slave in SLAVES],
        f"ip addr add {address}/{BOND_NETWORK.prefixlen} dev bond0", "ip link set bond0 up",
    ])


def remove_bond() -> str:
    """The shell line that takes bond0 away (its slaves get their own addresses back), if there is one."""
    return ("[ -d /sys/class/net/bond0 ] && "
            "{ ip link set bond0 down; echo -bond0 > /sys/class/net/bonding_masters; }; true")


def _wait_until(condition: str) -> str:
    return (f"i=0; while [ $i -lt {TRIES} ]; do if {condition}; then break; fi; sleep 0.05; "
            f"i=$((i + 1)); done")


_ACTIVE = f"read -r a < {_BONDING}/active_slave"
_READ = (f"{_ACTIVE}; echo \"active $a\"; for d in bond0 {' '.join(SLAVES)}; do "
         "read -r m < /sys/class/net/$d/address; echo \"$d $m\"; done")


def _received(ping_output: str) -> int:
    found = re.search(r"(\d+) (?:packets )?received", ping_output)
    return int(found.group(1)) if found else 0


def _parse(text: str) -> tuple[str, dict[str, str]]:
    active, macs = "", {}
    for line in text.splitlines():
        name, _, value = line.strip().partition(" ")
        if name == "active":
            active = value.strip()
        elif name in ("bond0", *SLAVES):
            macs[name] = value.strip()
    return active, macs


@dataclass(frozen=True)
class MacStory:
    """One failover of the server's bond under one ``fail_over_mac`` mode, as the tab's kernel told it."""

    mode: str
    active_before: str
    active_after: str
    macs_before: dict[str, str]
    macs_after: dict[str, str]
    pings_after: int  #: of 3 the client sent to the server after the failover, how many came back

    def __str__(self) -> str:
        """A few lines a student reads in either language (names, addresses and arrows only): the mode,
        the active slave and the pings, then each interface's address before -> after."""
        head = f"{self.mode}: active {self.active_before} -> {self.active_after}, ping {self.pings_after}/3"
        rows = [f"  {name:<7}{self.macs_before[name]} -> {self.macs_after.get(name, '?')}"
                for name in ("bond0", *SLAVES)]
        return "\n".join([head, *rows])

    @property
    def mac_changes(self) -> int:
        """How many of bond0 and its slaves have another address after the failover."""
        return sum(self.macs_before[name] != self.macs_after.get(name) for name in self.macs_before)


async def amac_story(lab: BrowserLab, mode: str) -> MacStory:
    """Make the server's bond with ``fail_over_mac=mode`` (the client's stays as it is), pull the
    carrier of its first card, read the driver before and after, and put everything back: the card's
    carrier, and the server's bond as the notebook first made it (``fail_over_mac=none``)."""
    server, client = lab[HOST], lab[PEER]
    await server.arun(f"{remove_bond()}; {bond_commands(ADDRESSES[HOST], mode)}", check=True)
    try:
        await server.arun(_wait_until(f"{_ACTIVE}; [ \"$a\" = {SLAVES[0]} ]"))
        await client.arun(_wait_until(f"ping -c 1 -W 1 {ADDRESSES[HOST]} >/dev/null 2>&1"), timeout=60)
        active_before, macs_before = _parse((await server.arun(_READ, check=True)).stdout)
        await lab.afault(HOST, active_before or SLAVES[0], "carrier-loss")
        try:
            await server.arun(_wait_until(f"{_ACTIVE}; [ \"$a\" != {active_before} ]"))
            active_after, macs_after = _parse((await server.arun(_READ, check=True)).stdout)
            ping = await client.arun(f"ping -c 3 -W 1 {ADDRESSES[HOST]}", timeout=30)
        finally:
            await lab.afault(HOST, active_before or SLAVES[0], "restore")
    finally:
        await server.arun(f"{remove_bond()}; {bond_commands(ADDRESSES[HOST])}", check=True)
    return MacStory(mode, active_before, active_after, macs_before, macs_after, _received(ping.stdout))


def mac_story(lab: BrowserLab, mode: str) -> MacStory:
    """:func:`amac_story`, waited for (JSPI)."""
    return bridge.wait(amac_story(lab, mode), HOST)
