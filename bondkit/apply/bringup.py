"""The exact commands that bring a bond up on each kind of host, and the script that runs them there.

Why a script on the host rather than one SSH command per step: the commands that enslave a NIC can cut
the SSH path (a student's session over enp0s8, or a bond rebuilt under the session). Sent one by one, the
host would stop half-way when the path goes; uploaded as one script and started at once, it runs to its
end whatever happens to the connection, and the rollback timer armed before it takes over from there.
The script echoes each command before running it, so the log reads like a terminal session.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from bondkit.apply.detect import HostFacts
from bondkit.apply.source import Upload
from bondkit.formats import iproute, nmcli
from bondkit.spec import BondSpec

#: Commands whose failure is expected and harmless (taking down what may not be up).
TOLERATED = "|| true"


@dataclass
class Command:
    text: str
    may_fail: bool = False


@dataclass
class Outcome:
    """One command as the script ran it: its output lines and exit status."""

    command: str
    status: int = 0
    output: list[str] = field(default_factory=list)


def prepare_commands(spec: BondSpec, facts: HostFacts) -> list[Command]:
    """Clear the way for ``spec`` with ip: drop a bond of that name, free its slaves of any other master
    and of their own addresses (the kernel refuses to enslave a NIC with a master; initscripts flush
    addresses the same way)."""
    state = facts.state
    result: list[Command] = []
    bond = shlex.quote(spec.name)
    if spec.name in state.links:
        result.append(Command(f"ip link del {bond}"))
    for slave in spec.slaves:
        link = state.links.get(slave.name)
        name = shlex.quote(slave.name)
        if link and link.master and link.master != spec.name:
            result.append(Command(f"ip link set {name} nomaster"))
        if state.global_addrs(slave.name):
            result.append(Command(f"ip addr flush dev {name} scope global"))
    return result


def lab_commands(specs: list[BondSpec], facts: HostFacts) -> list[Command]:
    """A lab guest has no networkd, initscripts or NetworkManager: bondkit does what they would do."""
    result = [] if facts.bonding == "loaded" else [Command("modprobe bonding")]
    for spec in specs:
        result += prepare_commands(spec, facts)
        result += [Command(text) for text in iproute.commands(spec)]
    return result


def network_scripts_commands(specs: list[BondSpec], facts: HostFacts) -> list[Command]:
    """CentOS/RHEL 7: ``ifup <bond>`` reads ifcfg-<bond> and enslaves every ifcfg-* with MASTER=<bond>.

    ``ifdown`` first, so that a slave that had addresses of its own, or a bond of the same name, is let
    go the initscripts' way. With NetworkManager running (CentOS 7's default), ``nmcli connection
    reload`` makes it read the new files before ``ifup`` hands them to it.
    """
    result = [] if facts.bonding == "loaded" else [Command("modprobe bonding")]
    if facts.nm_active:
        result.append(Command("nmcli connection reload"))
    for spec in specs:
        result += [Command(f"ifdown {shlex.quote(name)}", True) for name in spec.slave_names]
        result.append(Command(f"ifdown {shlex.quote(spec.name)}", True))
    result += [Command(f"ifup {shlex.quote(spec.name)}") for spec in specs]
    return result


def netplan_commands(specs: list[BondSpec], facts: HostFacts) -> list[Command]:
    """Ubuntu: ``netplan generate`` checks every file in /etc/netplan before ``netplan apply`` acts.

    Not ``netplan try``: it refuses configurations with bond parameters, which is every bond here.
    bondkit's own timer, armed before this, is what ``try`` would have given.
    """
    return [Command("netplan generate"), Command("netplan apply")]


def connection_names(spec: BondSpec) -> list[str]:
    """The NetworkManager connections ``nmcli.commands(spec)`` adds (the rollback deletes them)."""
    return [spec.name, *(f"{spec.name}-port-{slave}" for slave in spec.slave_names)]


def networkmanager_commands(specs: list[BondSpec], facts: HostFacts) -> list[Command]:
    """A NetworkManager host: connections of the same names are replaced, then added and brought up."""
    result: list[Command] = []
    for spec in specs:
        for name in connection_names(spec):
            quoted = shlex.quote(name)
            result.append(Command(f"nmcli -t -f NAME connection show | grep -qxF {quoted} "
                                  f"&& nmcli connection delete {quoted}", True))
        result += [Command(text) for text in nmcli.commands(spec)]
    return result


PLATFORM_COMMANDS = {"lab": lab_commands, "network-scripts": network_scripts_commands,
                     "netplan": netplan_commands, "networkmanager": networkmanager_commands}


def commands(platform: str, specs: list[BondSpec], facts: HostFacts) -> list[Command]:
    """The bring-up of ``specs`` on a host of ``platform`` (files are uploaded before these run)."""
    return PLATFORM_COMMANDS[platform](specs, facts)


def script(commands: list[Command], title: str) -> str:
    """A shell script that echoes and runs each command, and stops at the first failure that matters."""
    lines = ["#!/bin/sh", f"# {title}", "# Written by bondkit; each command is echoed before it runs."]
    for command in commands:
        lines.append(f"echo {shlex.quote('+ ' + command.text)}")
        if command.may_fail:
            lines.append(f"{{ {command.text}; }} 2>&1 {TOLERATED}")
        else:
            lines.append(f'{{ {command.text}; }} 2>&1 || {{ s=$?; echo "! exit $s"; exit $s; }}')
    lines.append("echo '== done'")
    return "\n".join(lines) + "\n"


def read_log(log: str) -> tuple[list[Outcome], bool]:
    """The outcomes of each command a :func:`script` ran, and whether it reached its end."""
    outcomes: list[Outcome] = []
    finished = False
    for line in log.splitlines():
        if line.startswith("+ "):
            outcomes.append(Outcome(line[2:]))
        elif line.startswith("! exit ") and outcomes:
            outcomes[-1].status = int(line[7:].strip() or 1)
        elif line == "== done":
            finished = True
        elif outcomes:
            outcomes[-1].output.append(line)
    return outcomes, finished


def for_uploads(uploads: list[Upload]) -> list[str]:
    """Where the files went, as the student would type it (for the upload step)."""
    return [f"install -m {u.mode:04o} {shlex.quote(u.origin)} {u.path}" for u in uploads]
