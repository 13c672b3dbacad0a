"""What a conversion cannot carry: one ``Loss`` per setting, with where it was read and the target.

A format that cannot say something (DNS servers in ip commands, netplan's ``renderer:`` in ifcfg files)
never drops it quietly: its ``cannot_say(spec)`` lists a Loss for it, ``bondkit convert`` prints them,
``bondkit lint --to FORMAT`` lists them as warnings, and ``convert --strict`` exits 1 when there are any.
The checks that every format shares (settings kept from another format, other interfaces of a netplan
file) live here, so each format lists only its own gaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bondkit.i18n import t
from bondkit.spec import BondSpec, IPConfig, Location


@dataclass(frozen=True)
class Loss:
    """One setting that ``target`` cannot express; ``reason`` is a catalog key saying why."""

    setting: str
    where: Location | None
    target: str
    reason: str
    params: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str | None = None) -> str:
        return t("formats.loss.message", lang, setting=self.setting, target=self.target,
                 reason=t(self.reason, lang, **self.params))

    def format(self, lang: str | None = None) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{where}{t('lint.severity.warning', lang)}: {self.message(lang)}"


def extras_lost(spec: BondSpec, target: str) -> list[Loss]:
    """Settings kept from a format other than ``target`` (a target writes back its own)."""
    found: list[Loss] = []
    holders: list[tuple[str, list]] = [(name, conf.extras) for name, conf in spec.interfaces()]
    holders += [(slave.name, slave.extras) for slave in spec.slaves]
    for name, extras in holders:
        for extra in extras:
            if extra.fmt != target:
                label = f"{extra.setting}={extra.value}" if extra.setting else extra.value
                found.append(Loss(label, extra.where, target,
                                  "formats.loss.outside_model", {"interface": name, "fmt": extra.fmt}))
    return found


def others_lost(spec: BondSpec, target: str) -> list[Loss]:
    """Interfaces of the bond's files that are neither part of the bond nor a plain NIC (which every
    format writes): only their own format keeps them, as they were written."""
    return [Loss(f"{other.section}.{other.name}", other.where, target, "formats.loss.other_interface",
                 {"bond": spec.name}) for other in spec.others if other.conf is None and other.fmt != target]


def setting_lost(conf: IPConfig, key: str, setting: str, target: str, reason: str,
                 **params: object) -> Loss:
    """A Loss for ``setting`` of ``conf``, placed where ``key`` was read (or where the interface was)."""
    where = conf.origin.get(key) or conf.origin.get("bond") or conf.origin.get("interface")
    return Loss(setting, where, target, reason, params)


def zones_lost(spec: BondSpec, target: str) -> list[Loss]:
    """The firewalld zone: ifcfg files and NetworkManager name it, netplan and ip commands cannot."""
    return [setting_lost(conf, "zone", f"ZONE={conf.zone} ({name})", target, "formats.loss.zone")
            for name, conf in spec.interfaces() if conf.zone]


def netns_lost(spec: BondSpec, target: str) -> list[Loss]:
    """A bond made in a network namespace: only ip commands say where (``ip -n NS``)."""
    if not spec.netns or target == "ip":
        return []
    return [setting_lost(spec, "netns", f"netns {spec.netns} ({spec.name})", target, "formats.loss.netns",
                         netns=spec.netns)]


def unnamed_lost(spec: BondSpec, target: str) -> list[Loss]:
    """A netplan member matched without set-name has no fixed name; only netplan can say that."""
    if target == "netplan":
        return []
    return [Loss(f"{slave.netplan_id}: match without set-name", slave.origin, target, "formats.loss.unnamed",
                 {"slave": slave.name}) for slave in spec.slaves if not slave.name_known]


def shared(spec: BondSpec, target: str) -> list[Loss]:
    found = extras_lost(spec, target) + others_lost(spec, target) + netns_lost(spec, target)
    found += unnamed_lost(spec, target)
    return found + (zones_lost(spec, target) if target in ("netplan", "ip") else [])
