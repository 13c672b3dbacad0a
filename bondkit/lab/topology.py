"""The lab's topology as data: hosts, their NICs and fixed MAC addresses, the two networks.

The default is the bonding tutorial's: two VMs, ``client`` and ``server``, each with ``enp0s3`` on a
management network (VirtualBox's NAT adapter in the tutorial) and ``enp0s8``/``enp0s9`` on the
host-only switch ``vboxnet0``. MAC addresses are VirtualBox-style (08:00:27:...) and derived from the
host and NIC names, so recorded outputs stay the same from one run to the next.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass, field

from bondkit.errors import LabError

SWITCH_PROFILES = ("learning", "vbox-hostonly")
MGMT_NETWORK = ipaddress.IPv4Network("10.0.2.0/24")
#: The slirp plug's address on the management network (as VirtualBox's NAT gateway, 10.0.2.2).
MGMT_GATEWAY = MGMT_NETWORK.network_address + 2
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,14}$")
#: The bond addresses of the tutorial; lab host number ``i`` gets ``BOND_NETWORK + 101 + i``.
BOND_NETWORK = ipaddress.IPv4Network("192.168.99.0/24")


def bond_address(index: int) -> ipaddress.IPv4Interface:
    """The bond address of lab host number ``index`` (client 0 -> .101, server 1 -> .102)."""
    return ipaddress.IPv4Interface(f"{BOND_NETWORK.network_address + 101 + index}/{BOND_NETWORK.prefixlen}")


def vbox_mac(host: str, nic: str) -> str:
    """A stable VirtualBox-style MAC (OUI 08:00:27) for one NIC of one host."""
    digest = hashlib.sha256(f"{host}/{nic}".encode()).digest()
    return "08:00:27:" + ":".join(f"{b:02x}" for b in digest[:3])


@dataclass(frozen=True)
class Nic:
    name: str
    mac: str


@dataclass(frozen=True)
class HostSpec:
    """One lab VM: its name, management NIC and data NICs (on the switch)."""

    name: str
    index: int
    mgmt: Nic
    data: tuple[Nic, ...]

    @property
    def mgmt_address(self) -> ipaddress.IPv4Interface:
        return ipaddress.IPv4Interface(f"{MGMT_NETWORK.network_address + 11 + self.index}/24")

    def nic(self, name: str) -> Nic:
        for nic in (self.mgmt, *self.data):
            if nic.name == name:
                return nic
        raise LabError("lab.unknown_nic", host=self.name, nic=name,
                       nics=", ".join(n.name for n in (self.mgmt, *self.data)))


@dataclass(frozen=True)
class Topology:
    hosts: tuple[HostSpec, ...] = field(default_factory=tuple)
    switch: str = "vboxnet0"

    def host(self, name: str) -> HostSpec:
        for host in self.hosts:
            if host.name == name:
                return host
        raise LabError("lab.unknown_host", host=name, hosts=", ".join(h.name for h in self.hosts))

    @property
    def names(self) -> list[str]:
        return [host.name for host in self.hosts]


def tutorial_topology(
    hosts: tuple[str, ...] = ("client", "server"),
    data_nics: tuple[str, ...] = ("enp0s8", "enp0s9"),
    mgmt_nic: str = "enp0s3",
) -> Topology:
    """The bonding tutorial's two VMs; the number and names of hosts and NICs are parameters."""
    if not hosts or len(hosts) > 8:
        raise LabError("lab.bad_host_count", count=len(hosts))
    for name in (*hosts, *data_nics, mgmt_nic):
        if not _NAME.match(name):
            raise LabError("lab.bad_name", name=name)
    if len(set(hosts)) != len(hosts) or len({mgmt_nic, *data_nics}) != len(data_nics) + 1:
        raise LabError("lab.duplicate_name")
    return Topology(
        tuple(
            HostSpec(name, i, Nic(mgmt_nic, vbox_mac(name, mgmt_nic)),
                     tuple(Nic(nic, vbox_mac(name, nic)) for nic in data_nics))
            for i, name in enumerate(hosts)
        )
    )
