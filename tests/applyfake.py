"""A recording stand-in for bondkit.ssh.Host, for the tests of the exact commands sent to real distributions.

It answers only what apply asks (the probe, the backup, the timer, the bring-up, the snapshot) with
outputs shaped like those of CentOS 7, Ubuntu and a NetworkManager host, and records every command and
upload. It checks the shape of what bondkit sends; what the commands do is tested on the lab.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from bondkit.apply import detect
from bondkit.apply import state as live
from bondkit.ssh import CommandResult

MACS = {"enp0s3": "08:00:27:2b:04:6e", "enp0s8": "08:00:27:e8:26:58", "enp0s9": "08:00:27:27:a9:2d"}
BACKUP_DIR = "/var/lib/bondkit/backups/20260101T000000Z"


def json_link(name: str, up: bool = True, master: str | None = None, bond: dict | None = None) -> dict:
    flags = ["BROADCAST", "MULTICAST", *(["MASTER"] if bond else []), *(["SLAVE"] if master else []),
             *(["UP", "LOWER_UP"] if up else [])]
    item = {"ifindex": 1, "ifname": name, "flags": flags, "mtu": 1500, "operstate": "UP" if up else "DOWN",
            "address": MACS.get(name, MACS["enp0s8"])}
    if master:
        item["master"] = master
        item["linkinfo"] = {"info_slave_kind": "bond", "info_slave_data": {"state": "ACTIVE"}}
    if bond is not None:
        item["linkinfo"] = {"info_kind": "bond", "info_data": bond}
    return item


def json_addrs(addrs: dict[str, list[str]]) -> list[dict]:
    return [{"ifname": name, "addr_info": [{"family": "inet", "local": a.split("/")[0],
                                             "prefixlen": int(a.split("/")[1]), "scope": "global"}
                                            for a in items]} for name, items in addrs.items()]


def proc_bonding(slaves: list[str], primary: str | None = None, active: str | None = None,
                 fail_over_mac: str = "active", down: tuple[str, ...] = ()) -> str:
    lines = ["Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)", "",
             f"Bonding Mode: fault-tolerance (active-backup) (fail_over_mac {fail_over_mac})"]
    if primary:
        lines.append(f"Primary Slave: {primary} (primary_reselect always)")
    lines += [f"Currently Active Slave: {active or slaves[0]}", "MII Status: up",
              "MII Polling Interval (ms): 100", "Up Delay (ms): 0", "Down Delay (ms): 0"]
    for slave in slaves:
        lines += ["", f"Slave Interface: {slave}", f"MII Status: {'down' if slave in down else 'up'}",
                  "Speed: 1000 Mbps", "Duplex: full", "Link Failure Count: 0",
                  f"Permanent HW addr: {MACS[slave]}", "Slave queue ID: 0"]
    return "\n".join(lines) + "\n"


def snapshot_json(links: list[dict], addrs: dict[str, list[str]], routes: list[dict],
                  bonding: dict[str, str] | None = None) -> str:
    text = (f"@@links-json\n{json.dumps(links)}\n@@addrs-json\n{json.dumps(json_addrs(addrs))}\n"
            f"@@routes-json\n{json.dumps(routes)}\n")
    for name, body in (bonding or {}).items():
        text += f"@@bonding {name}\n{body}"
    return text


def snapshot_text(links: str, addrs: str, routes: str, bonding: dict[str, str] | None = None) -> str:
    """What an iproute2 without JSON (CentOS 7's 4.11) prints for the snapshot."""
    text = f"@@links-text\n{links}@@addrs-text\n{addrs}@@routes-text\n{routes}"
    for name, body in (bonding or {}).items():
        text += f"@@bonding {name}\n{body}"
    return text


def probe_output(facts: dict[str, str], snapshot: str) -> str:
    return "".join(f"{key}={value}\n" for key, value in facts.items()) + "@@end-facts\n" + snapshot


@dataclass
class FakeHost:
    """Answers apply's commands from canned outputs; records every command and every upload."""

    probe: str
    before: str
    after: str
    name: str = "fake"
    hostname: str = "192.0.2.10"
    decide: str = "won"
    bringup_fails_at: str | None = None
    commands: list[str] = field(default_factory=list)
    uploads: dict[str, tuple[str, int]] = field(default_factory=dict)
    closed: int = 0

    def run(self, command: str, *, timeout: float = 30.0, check: bool = False,
            input: str | None = None) -> CommandResult:
        self.commands.append(command)
        out = self._answer(command)
        return CommandResult(out, "", 0, command, host=self.name)

    def _answer(self, command: str) -> str:
        inner = _unsudo(command)
        if inner == detect.PROBE:
            return self.probe
        if inner == live.SNAPSHOT:
            return self.after
        if inner.startswith("set -e\numask 077"):
            files = "".join(f"{'existed' if 'ifcfg-enp0s8' in p or '50-cloud' in p else 'new'} {p}\n"
                            for p in re.findall(r"echo new (\S+);", inner))
            tree = "tree /etc/NetworkManager/system-connections\n" if "system-connections" in inner else ""
            nm = ("@@nm\nWired connection 1:0b5f-uuid:enp0s3\nold-enp0s8:77aa-uuid:enp0s8\n"
                  if "nmcli -t" in inner else "")
            return f"@@dir\n{BACKUP_DIR}\n@@files\n{files}{tree}{nm}@@snapshot\n{self.before}"
        if "timer.sh" in inner and "setsid" in inner:
            return "4242\n"
        if "/bringup.sh >" in inner:
            return "exit=0\n" + self._bringup_log()
        install = re.match(r"install -m ([0-7]+) -o root -g root (\S+) (\S+) && rm -f", inner)
        if install:
            self.uploads[install.group(3)] = (self.uploads[install.group(2)][0], int(install.group(1), 8))
            return ""
        if '[ -e "$D/restored" ]' in inner:
            return "== restore started\n== restore finished\n"
        if 'mkdir "$D/decided"' in inner:
            return self.decide + "\n"
        if inner.startswith("cat "):
            return self.uploads.get(inner[4:].strip("'"), ("", 0))[0]
        if inner.startswith("mktemp -d"):
            return "/tmp/bondkit-upload.abc123\n"
        if "restore.sh" in inner:
            return "== restore started\n== restore finished\n"
        return ""

    def _bringup_log(self) -> str:
        log = []
        for command in script_commands(self.uploads[f"{BACKUP_DIR}/bringup.sh"][0]):
            log.append(f"+ {command}")
            if self.bringup_fails_at and command.startswith(self.bringup_fails_at):
                return "\n".join([*log, "RTNETLINK answers: Operation not permitted", "! exit 2"]) + "\n"
        return "\n".join([*log, "== done"]) + "\n"

    def put(self, data: str | bytes, remote_path: str, mode: int = 0o644) -> None:
        text = data.decode() if isinstance(data, bytes) else str(data)
        self.uploads[remote_path] = (text, mode)

    def close(self) -> None:
        self.closed += 1


def _unsudo(command: str) -> str:
    """The command inside ``sudo -n sh -c '...'`` (as bondkit wraps it for a non-root login)."""
    import shlex

    if command.startswith("sudo -n sh -c "):
        return shlex.split(command[len("sudo -n sh -c "):])[0]
    return command


def script_commands(script: str) -> list[str]:
    """The commands a bringup.sh or restore.sh runs, in order (from its ``echo '+ ...'`` lines)."""
    import shlex

    found = []
    for line in script.splitlines():
        if line.startswith("echo ") and "+ " in line.split(";", 1)[0]:
            words = shlex.split(line.split(";", 1)[0])
            found.append(words[1][2:])
    return found
