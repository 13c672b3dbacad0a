"""``cat /proc/net/bonding/<bond>``: the bonding driver's own report, as ``bond_procfs.c`` prints it from
Linux 3.10 (CentOS 7) to 6.x, read into the dict a student compares with the configuration.
"""

from __future__ import annotations

import os
import re
from typing import Any

from bondkit.i18n import t
from bondkit.observe.common import COMMANDS, checked_lines, fail

_MAC = re.compile(r"^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})+$")
_INT = re.compile(r"^-?[0-9]{1,18}$")  # longer is junk, and int() refuses > 4300 digits

#: bond_mode_name() in bond_main.c -> the mode's sysfs name.
_MODE_NAMES = {
    "load balancing (round-robin)": "balance-rr",
    "fault-tolerance (active-backup)": "active-backup",
    "load balancing (xor)": "balance-xor",
    "fault-tolerance (broadcast)": "broadcast",
    "IEEE 802.3ad Dynamic link aggregation": "802.3ad",
    "transmit load balancing": "balance-tlb",
    "adaptive load balancing": "balance-alb",
}
_FAIL_OVER_MAC = ("none", "active", "follow")
_PRIMARY_RESELECT = ("always", "better", "failure")
_BOND_MII = ("up", "down")
_SLAVE_MII = ("up", "down", "going down", "going back")  # bond_slave_link_status()

# Labels printed by bond_info_show_master() and bond_info_show_slave(), mapped to our field names.
# Everything else the kernel prints (xmit hash, 802.3ad details, ARP Missed Max, NS targets) is skipped.
_MASTER_LABELS = {
    "Bonding Mode": "mode",
    "Primary Slave": "primary",
    "Currently Active Slave": "active_slave",
    "MII Status": "mii_status",
    "MII Polling Interval (ms)": "miimon",
    "Up Delay (ms)": "updelay",
    "Down Delay (ms)": "downdelay",
    "Peer Notification Delay (ms)": "peer_notif_delay",
    "ARP Polling Interval (ms)": "arp_interval",
    "ARP IP target/s (n.n.n.n form)": "arp_ip_targets",
}
_SLAVE_LABELS = {
    "MII Status": "mii_status",
    "Speed": "speed",
    "Duplex": "duplex",
    "Link Failure Count": "link_failure_count",
    "Permanent HW addr": "perm_hwaddr",
    "Slave queue ID": "queue_id",
}
_MASTER_REQUIRED = ("mode", "mii_status", "miimon", "updelay", "downdelay")
_SLAVE_REQUIRED = ("mii_status", "link_failure_count", "perm_hwaddr")
_IFNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,15}$")


def parse_proc_bonding(text: str, source: str = "<text>", bond: str | None = None) -> dict[str, Any]:
    """Read ``/proc/net/bonding/<bond>`` into a dict with the keys a student compares with the config.

    Keys: ``bond, mode, fail_over_mac, primary, primary_reselect, active_slave, mii_status, miimon,
    updelay, downdelay, peer_notif_delay, arp_interval, arp_ip_targets, slaves``; each slave is
    ``{name, mii_status, speed, duplex, link_failure_count, perm_hwaddr, queue_id}``.

    The file never names its own bond, so ``bond`` is taken from the argument, else from the file name
    of ``source`` (``/proc/net/bonding/bond0`` or a copy named ``bond0`` / ``bond0.txt``), else None.
    Values are in the sysfs vocabulary (``mode`` is ``active-backup``, not the long name the kernel
    prints) and numbers are ints, in milliseconds as the kernel prints them. What the kernel leaves out
    is filled in with what its absence means: ``fail_over_mac`` is ``none`` for an active-backup bond
    without the ``(fail_over_mac ...)`` suffix (None for other modes, where it does not apply),
    ``arp_interval`` is 0 and ``arp_ip_targets`` empty without ARP lines, ``primary``,
    ``primary_reselect`` and ``active_slave`` are None when not shown or ``None``,
    ``peer_notif_delay`` is None before Linux 5.3, ``speed``/``duplex`` are None when ``Unknown``.
    """
    lines = checked_lines(text, source)
    master: dict[str, Any] = {}
    slaves: list[dict[str, Any]] = []
    slave_lines: list[int] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("Slave Interface:"):
            if "mode" not in master:
                fail("observe.proc.missing", source, number, label="Bonding Mode")
            name = line.partition(":")[2].strip()
            if not _IFNAME.match(name):
                fail("observe.bad_value", source, number, label="Slave Interface", value=name,
                      expected=t("observe.expect.ifname"))
            slaves.append({"name": name})
            slave_lines.append(number)
            continue
        labels = _SLAVE_LABELS if slaves else _MASTER_LABELS
        label, value = _split_label(line, labels)
        if label is None:
            continue
        fields = slaves[-1] if slaves else master
        field = labels[label]
        if field in fields:
            fail("observe.proc.duplicate", source, number, label=label)
        fields[field] = value
        if slaves:
            _convert_slave(fields, field, label, value, source, number)
        else:
            _convert_master(master, field, label, value, source, number)

    if "mode" not in master:
        fail("observe.not_kind", source, command=COMMANDS["proc-bonding"])
    for field in _MASTER_REQUIRED:
        if field not in master:
            label = next(k for k, v in _MASTER_LABELS.items() if v == field)
            fail("observe.proc.missing", source, label=label)
    for slave, number in zip(slaves, slave_lines, strict=True):
        for field in _SLAVE_REQUIRED:
            if field not in slave:
                label = next(k for k, v in _SLAVE_LABELS.items() if v == field)
                fail("observe.proc.slave_missing", source, number, slave=slave["name"], label=label)

    mode = master["mode"]
    return {
        "bond": bond or _bond_from_source(source),
        "mode": mode,
        "fail_over_mac": master.get("fail_over_mac") or ("none" if mode == "active-backup" else None),
        "primary": master.get("primary"),
        "primary_reselect": master.get("primary_reselect"),
        "active_slave": master.get("active_slave"),
        "mii_status": master["mii_status"],
        "miimon": master["miimon"],
        "updelay": master["updelay"],
        "downdelay": master["downdelay"],
        "peer_notif_delay": master.get("peer_notif_delay"),
        "arp_interval": master.get("arp_interval", 0),
        "arp_ip_targets": master.get("arp_ip_targets", []),
        "slaves": [
            {
                "name": s["name"],
                "mii_status": s["mii_status"],
                "speed": s.get("speed"),
                "duplex": s.get("duplex"),
                "link_failure_count": s["link_failure_count"],
                "perm_hwaddr": s["perm_hwaddr"],
                "queue_id": s.get("queue_id"),
            }
            for s in slaves
        ],
    }


def _split_label(line: str, labels: dict[str, str]) -> tuple[str | None, str]:
    """The known label a line starts with and the value after its colon (labels are matched whole,
    since one of them, ``ARP IP target/s (n.n.n.n form)``, and the skipped IPv6 one contain colons)."""
    for label in labels:
        if line.startswith(label + ":"):
            return label, line[len(label) + 1:].strip()
    return None, ""


def _convert_master(master: dict[str, Any], field: str, label: str, value: str, source: str,
                    number: int) -> None:
    if field == "mode":
        # "fault-tolerance (active-backup) (fail_over_mac active)"
        match = re.fullmatch(r"(.*?)(?: \(fail_over_mac (\S+)\))?", value)
        name, fom = match.group(1), match.group(2)  # type: ignore[union-attr]
        if name not in _MODE_NAMES:
            fail("observe.bad_value", source, number, label=label, value=value,
                  expected=", ".join(_MODE_NAMES))
        if fom is not None and fom not in _FAIL_OVER_MAC:
            fail("observe.bad_value", source, number, label=label, value=value,
                  expected="fail_over_mac " + "/".join(_FAIL_OVER_MAC))
        master["mode"] = _MODE_NAMES[name]
        if fom is not None:
            master["fail_over_mac"] = fom
    elif field == "primary":
        # "enp0s8 (primary_reselect always)" or "None"
        match = re.fullmatch(r"(\S+)(?: \(primary_reselect (\S+)\))?", value)
        if not match or (match.group(2) or "always") not in _PRIMARY_RESELECT:
            fail("observe.bad_value", source, number, label=label, value=value,
                  expected=t("observe.expect.primary"))
        master["primary"] = None if match.group(1) == "None" else match.group(1)
        if match.group(2):
            master["primary_reselect"] = match.group(2)
    elif field == "active_slave":
        if not _IFNAME.match(value):
            fail("observe.bad_value", source, number, label=label, value=value,
                  expected=t("observe.expect.ifname_or_none"))
        master["active_slave"] = None if value == "None" else value
    elif field == "mii_status":
        master[field] = _choice(value, _BOND_MII, label, source, number)
    elif field == "arp_ip_targets":
        targets = [target.strip() for target in value.split(",") if target.strip()]
        for target in targets:
            if not re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}", target):
                fail("observe.bad_value", source, number, label=label, value=target,
                      expected=t("observe.expect.ipv4"))
        master[field] = targets
    else:
        master[field] = _number(value, label, source, number)


def _convert_slave(slave: dict[str, Any], field: str, label: str, value: str, source: str,
                   number: int) -> None:
    if field == "mii_status":
        slave[field] = _choice(value, _SLAVE_MII, label, source, number)
    elif field == "speed":
        # "1000 Mbps", "Unknown" (3.10+), or "-1 Mbps" where older kernels printed SPEED_UNKNOWN raw
        if value == "Unknown":
            slave[field] = None
        else:
            speed = _number(value.removesuffix(" Mbps"), label, source, number)
            slave[field] = speed if speed >= 0 else None
    elif field == "duplex":
        slave[field] = None if value == "Unknown" else _choice(value, ("full", "half"), label, source,
                                                                 number)
    elif field == "perm_hwaddr":
        if not _MAC.match(value):
            fail("observe.bad_value", source, number, label=label, value=value,
                  expected=t("observe.expect.mac"))
        slave[field] = value.lower()
    else:
        slave[field] = _number(value, label, source, number)


def _number(value: str, label: str, source: str, number: int) -> int:
    if not _INT.match(value):
        fail("observe.bad_value", source, number, label=label, value=value,
              expected=t("observe.expect.number"))
    return int(value)


def _choice(value: str, choices: tuple[str, ...], label: str, source: str, number: int) -> str:
    if value not in choices:
        fail("observe.bad_value", source, number, label=label, value=value, expected="/".join(choices))
    return value


def _bond_from_source(source: str) -> str | None:
    name = os.path.basename(source).removesuffix(".txt")
    return name if _IFNAME.match(name) and not source.startswith("<") else None
