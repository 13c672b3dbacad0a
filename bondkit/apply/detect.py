"""What kind of host this is, asked over SSH in one read-only command.

Why detect rather than ask the student: the same BondSpec is brought up differently on CentOS 7
(network-scripts: ifcfg files and ``ifup``), on Ubuntu (netplan YAML and ``netplan apply``), on a host
run by NetworkManager (``nmcli``) and on a lab guest (no distribution tooling: bondkit runs the ip
commands itself), and a student who guesses wrong would write files nothing reads. The probe also
gathers what the checks before any change need: root or passwordless sudo, the bonding driver, the
SSH session's own addresses, and the live state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bondkit.apply import state as live
from bondkit.ssh import Host

PLATFORMS = ("lab", "network-scripts", "netplan", "networkmanager")
#: The ``ID`` of a bondkit lab host's os-release (see bondkit/lab/rootfs.py).
LAB_OS_ID = "bondkit-lab"

#: Read-only: runs as the login user, changes nothing. ``key=value`` lines, then the snapshot sections.
PROBE = r"""echo "uid=$(id -u)"
echo "ssh=$SSH_CONNECTION"
if [ -r /etc/os-release ]; then . /etc/os-release; echo "os=$PRETTY_NAME"; echo "os_id=$ID"; fi
for c in netplan nmcli ifup sudo setsid nohup; do command -v $c >/dev/null 2>&1 && echo "have_$c=1"; done
[ -d /etc/netplan ] && echo "dir_netplan=1"
[ -d /etc/sysconfig/network-scripts ] && echo "dir_network_scripts=1"
[ -e /etc/init.d/network ] && echo "initscripts=1"
command -v systemctl >/dev/null 2>&1 && echo "nm=$(systemctl is-active NetworkManager 2>/dev/null)"
if [ -d /sys/module/bonding ]; then echo "bonding=loaded"
elif modprobe -n -q bonding 2>/dev/null; then echo "bonding=module"; else echo "bonding=missing"; fi
[ "$(id -u)" = 0 ] || { sudo -n true >/dev/null 2>&1 && echo "sudo=1"; }
set -- $SSH_CONNECTION
[ -n "$1" ] && echo "route=$(ip route get "$1" 2>/dev/null | head -n 1)"
echo "@@end-facts"
""" + live.SNAPSHOT


@dataclass
class HostFacts:
    """What the probe found. ``platform`` is one of PLATFORMS, or None when no known tooling is there."""

    platform: str | None
    os: str
    root: bool
    sudo: bool
    bonding: str
    ssh_connection: str
    route: str
    nm_active: bool
    tools: set[str] = field(default_factory=set)
    state: live.LiveState = field(default_factory=live.LiveState)

    @property
    def can_be_root(self) -> bool:
        return self.root or self.sudo

    @property
    def session_nics(self) -> set[str]:
        return live.session_nics(self.state, self.ssh_connection, self.route)


def choose_platform(values: dict[str, str]) -> str | None:
    """The way this host brings up a bond, from the probe's ``key=value`` facts.

    The order matters: a bondkit lab host is a distribution of its own (``ID=bondkit-lab`` in its
    os-release, as Ubuntu's says ``ubuntu``) with iproute2 and no network manager; Ubuntu may run
    NetworkManager under netplan, and netplan is then still the way in;
    CentOS 7 runs NetworkManager too, but its ``ifup`` (initscripts) reads the ifcfg files the tutorial
    writes and hands them to NetworkManager itself.
    """
    if values.get("os_id") == LAB_OS_ID:
        return "lab"
    if values.get("have_netplan") and values.get("dir_netplan"):
        return "netplan"
    if values.get("dir_network_scripts") and values.get("initscripts") and values.get("have_ifup"):
        return "network-scripts"
    if values.get("have_nmcli") and values.get("nm") == "active":
        return "networkmanager"
    return None


def parse_probe(text: str, source: str = "probe") -> HostFacts:
    head, _, rest = text.partition("@@end-facts")
    values: dict[str, str] = {}
    for line in head.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return HostFacts(
        platform=choose_platform(values),
        os=values.get("os", "") or values.get("os_id", ""),
        root=values.get("uid") == "0",
        sudo=bool(values.get("sudo")),
        bonding=values.get("bonding", "missing"),
        ssh_connection=values.get("ssh", ""),
        route=values.get("route", ""),
        nm_active=values.get("nm") == "active",
        tools={key[5:] for key in values if key.startswith("have_")},
        state=live.parse(rest, source),
    )


def probe(host: Host, timeout: float = 30.0) -> HostFacts:
    """Ask ``host`` what it is (connecting first: a wrong host, key or host key fails here, before any
    change)."""
    result = host.run(PROBE, timeout=timeout, check=True)
    return parse_probe(result.stdout, host.name)
