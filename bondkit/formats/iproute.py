"""iproute2 commands: ``ip link add bond0 type bond ...``, enslave, addresses, up.

The order matters to the kernel, so ``commands()`` is the one place that knows it:

1. create the bond with its mode and every option the kernel only takes while the bond has no slaves
   (mode, fail_over_mac) or is down (mode, lacp_rate, ad_select, tlb_dynamic_lb);
2. take each slave down (the kernel refuses to enslave an interface that is up) and enslave it;
3. set ``primary`` (a name that should already be a slave) and add the addresses;
4. bring the bond up, then choose ``active_slave`` (it must name a slave that is up) and add routes
   (a gateway must be reachable through an address that is up).

The lab runs these commands; ``teardown()`` undoes them. ``parse`` reads such a script back.
"""

from __future__ import annotations

import shlex

from bondkit.errors import ConfigError
from bondkit.formats.common import Collector, is_v6, lines, shell_words
from bondkit.spec import BondSpec, Location, Note, SlaveSpec

#: iproute2 spells one option differently from sysfs.
_IP_NAMES = {"peer_notif_delay": "peer_notify_delay"}
_KERNEL_NAMES = {v: k for k, v in _IP_NAMES.items()}
#: Options set after enslaving (3.) or after the bond is up (4.).
_AFTER_ENSLAVE = ("primary",)
_AFTER_UP = ("active_slave",)
_OBJECTS = {"link": "link", "l": "link", "address": "address", "addr": "address", "a": "address",
            "route": "route", "r": "route", "ro": "route"}


def _option_words(spec: BondSpec, names: tuple[str, ...] | None) -> list[str]:
    words: list[str] = []
    for name, value in spec.kernel_options():
        if (names is None and name not in _AFTER_ENSLAVE + _AFTER_UP) or (names and name in names):
            words += [_IP_NAMES.get(name, name), shlex.quote(value)]
    if names is None and spec.unknown_options:
        name = next(iter(spec.unknown_options))
        where = spec.origin.get(name)
        raise ConfigError("formats.ip.unsupported", source=where.source if where else None,
                          line=where.line if where else None, option=name, bond=spec.name)
    return words


def commands(spec: BondSpec) -> list[str]:
    """The ip commands that bring ``spec`` up on a host where its slaves exist and the bond does not."""
    if spec.dhcp4:
        where = spec.origin.get("bond")
        raise ConfigError("formats.ip.dhcp", source=where.source if where else None,
                          line=where.line if where else None, bond=spec.name)
    bond = shlex.quote(spec.name)
    set_bond = f"ip link set {bond} type bond"
    result = [" ".join(["ip", "link", "add", bond, "type", "bond", *_option_words(spec, None)])]
    for slave in spec.slaves:
        name = shlex.quote(slave.name)
        result.append(f"ip link set {name} down")
        if slave.mac:
            result.append(f"ip link set {name} address {slave.mac}")
        result.append(f"ip link set {name} master {bond}")
    if any(name in spec.options for name in _AFTER_ENSLAVE):
        result.append(" ".join([set_bond, *_option_words(spec, _AFTER_ENSLAVE)]))
    result += [f"ip {_family(a)}address add {a} dev {bond}" for a in spec.addresses]
    result.append(f"ip link set {bond} up")
    if any(name in spec.options for name in _AFTER_UP):
        result.append(" ".join([set_bond, *_option_words(spec, _AFTER_UP)]))
    if spec.gateway:
        result.append(f"ip {_family(spec.gateway)}route add default via {spec.gateway} dev {bond}")
    result += [f"ip {_family(d)}route add {d} via {v} dev {bond}" for d, v in spec.routes]
    return result


def _family(address: str) -> str:
    return "-6 " if is_v6(address) else ""


def teardown(spec: BondSpec) -> list[str]:
    """The ip commands that undo ``commands(spec)``: release the slaves (their MAC addresses come back),
    then delete the bond with its addresses and routes."""
    bond = shlex.quote(spec.name)
    return [f"ip link set {bond} down",
            *(f"ip link set {shlex.quote(s.name)} nomaster" for s in spec.slaves),
            f"ip link del {bond}"]


def render(spec: BondSpec) -> dict[str, str]:
    """``{"<bond>-ip.sh": script}``: ``commands(spec)`` as a shell script that stops at the first error."""
    return {f"{spec.name}-ip.sh": "#!/bin/sh\nset -e\nmodprobe bonding\n" + "\n".join(commands(spec)) + "\n"}


# ----------------------------------------------------------------------------------------------- parse


class _Script:
    """The state a script of ip commands builds up: bonds, who is enslaved where, MAC addresses."""

    def __init__(self, col: Collector) -> None:
        self.col = col
        self.bonds: dict[str, BondSpec] = {}
        self.masters: dict[str, tuple[str, Location]] = {}
        self.macs: dict[str, tuple[str, Location]] = {}

    def options(self, spec: BondSpec, words: list[str], where: Location) -> None:
        if len(words) % 2:
            self.col.problem("bad-value", "formats.ip.missing_value", where, spec, name=words[-1])
            words = words[:-1]
        for name, value in zip(words[::2], words[1::2], strict=True):
            name = _KERNEL_NAMES.get(name, name)
            self.col.set_option(spec, name, value.split(",") if name == "arp_ip_target" else value, where)

    def link(self, words: list[str], where: Location) -> None:
        if words[:1] == ["add"]:
            rest = words[1:]
            if rest[:1] in (["name"], ["dev"]):
                rest = rest[1:]
            if len(rest) < 3 or rest[1:3] != ["type", "bond"]:
                self.col.problem("unknown-command", "formats.ip.not_bond", where, text=" ".join(words)[:60])
                return
            spec = BondSpec(name=rest[0], mode="balance-rr")
            spec.origin["bond"] = where
            if self.col.ifname(rest[0], where, spec):
                self.bonds[rest[0]] = spec
                self.options(spec, rest[3:], where)
        elif words[:1] == ["set"]:
            self.link_set(words[1:], where)
        elif words[:1] in (["del"], ["delete"]) and len(words) > 1:
            self.bonds.pop(words[-1], None)
        else:
            self.col.problem("unknown-command", "formats.ip.unknown", where, text=" ".join(words)[:60])

    def link_set(self, words: list[str], where: Location) -> None:
        if words[:1] == ["dev"]:
            words = words[1:]
        if not words:
            self.col.problem("unknown-command", "formats.ip.unknown", where, text="ip link set")
            return
        name, rest = words[0], words[1:]
        while rest:
            word = rest.pop(0)
            if word in ("up", "down", "nomaster"):
                if word == "nomaster":
                    self.masters.pop(name, None)
            elif word == "type" and rest[:1] == ["bond"] and name in self.bonds:
                self.options(self.bonds[name], rest[1:], where)
                return
            elif word == "master" and rest:
                self.enslave(name, rest.pop(0), where)
            elif word == "address" and rest:
                self.macs[name] = (rest.pop(0), where)
            elif word in ("mtu", "txqueuelen", "alias") and rest:
                rest.pop(0)
            else:
                self.col.problem("unknown-command", "formats.ip.unknown", where, text=" ".join(words)[:60])
                return

    def enslave(self, name: str, master: str, where: Location) -> None:
        """The kernel refuses to enslave an interface that already has a master."""
        if name in self.masters:
            self.col.problem("duplicate-slave", "formats.duplicate_slave", where, self.bonds.get(master),
                             slave=name, bond=self.masters[name][0])
        else:
            self.masters[name] = (master, where)

    def address(self, words: list[str], where: Location) -> None:
        if len(words) != 4 or words[0] != "add" or words[2] != "dev" or words[3] not in self.bonds:
            self.col.problem("unknown-command", "formats.ip.unknown", where, text=" ".join(words)[:60])
            return
        spec = self.bonds[words[3]]
        address = self.col.address(words[1], where, spec)
        if address:
            spec.addresses.append(address)
            spec.origin.setdefault("addresses", where)

    def route(self, words: list[str], where: Location) -> None:
        if len(words) != 6 or words[0] != "add" or words[2] != "via" or words[4] != "dev" \
                or words[5] not in self.bonds:
            self.col.problem("unknown-command", "formats.ip.unknown", where, text=" ".join(words)[:60])
            return
        spec = self.bonds[words[5]]
        via = self.col.ip(words[3], where, spec)
        if words[1] == "default" and spec.gateway is None:
            spec.gateway = via
            spec.origin["gateway"] = where
            return
        dest = self.col.network(("::/0" if ":" in words[3] else "0.0.0.0/0") if words[1] == "default"
                                else words[1], where, spec)
        if dest and via:
            spec.routes.append((dest, via))

    def assemble(self) -> list[BondSpec]:
        for name, (master, where) in self.masters.items():
            spec = self.bonds.get(master)
            if spec is None:
                self.col.problem("orphan-slave", "formats.orphan_slave", where, slave=name, bond=master)
            elif self.col.ifname(name, where, spec):
                mac_text, mac_where = self.macs.get(name, ("", where))
                mac = self.col.mac(mac_text, mac_where, spec) if mac_text else None
                spec.slaves.append(SlaveSpec(name, mac, origin=where))
        return list(self.bonds.values())


def parse(text: str, source: str = "bond0-ip.sh", notes: list[Note] | None = None) -> list[BondSpec]:
    """Bonds a script of ip commands builds; ``modprobe``, ``set -e`` and comments are passed over."""
    script = _Script(Collector(notes))
    for number, line in enumerate(lines(text, source), 1):
        where = Location(source, number)
        words = shell_words(line, where)
        if words[:1] == ["sudo"]:
            words = words[1:]
        if not words or words[0] in ("set", "modprobe"):
            continue
        if words[0] != "ip":
            script.col.problem("unknown-command", "formats.ip.not_ip", where, text=line.strip()[:60])
            continue
        words = [w for w in words[1:] if w not in ("-4", "-6")]
        handler = {"link": script.link, "address": script.address, "route": script.route}.get(
            _OBJECTS.get(words[0], "") if words else "")
        if handler is None:
            script.col.problem("unknown-command", "formats.ip.unknown", where, text=line.strip()[:60])
        else:
            handler(words[1:], where)
    return script.assemble()
