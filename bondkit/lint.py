"""Lint: the mistakes people make in bond configurations, each with a rule id, a severity and a place.

Two sources feed it. Parsers leave notes about what only the files show (a file saved under another
interface's name, a slave whose MASTER names no bond, netplan's deprecated ``gateway4``); the rules here
look at the parsed BondSpec (an option the mode ignores, a primary that is not a slave, link monitoring
that is off or rounded). Every finding says where (``file:line``) and why, in English or Korean.

Severities: ``error`` is a configuration the kernel or the tool will refuse or silently not do;
``warning`` works but not as the writer probably meant; ``info`` is worth knowing when teaching.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from bondkit import formats
from bondkit.i18n import t
from bondkit.spec import KNOWN_OPTIONS, REMOVED_OPTIONS, BondSpec, Location, Note

SEVERITIES = ("error", "warning", "info")

#: Rule id -> severity. Rules whose findings come from parser notes are listed with the rest.
RULES: dict[str, str] = {
    # from the parsers
    "bad-value": "error",
    "unknown-key": "error",
    "unknown-command": "error",
    "orphan-slave": "error",
    "orphan-alias": "error",
    "duplicate-slave": "error",
    "duplicate-device": "error",
    "duplicate-key": "warning",
    "file-name-mismatch": "warning",
    "slave-not-marked": "warning",
    "gateway-ignored": "warning",
    "gateway4-deprecated": "warning",
    "misspelt-key": "warning",
    "unquoted-space": "warning",
    "bond-from-slaves": "warning",
    "bridge-ignored": "warning",
    "outside-model": "info",
    "implied-bond": "info",
    "alias-file": "info",
    # with --to FORMAT: what a conversion to that format would not carry
    "lost-in-conversion": "warning",
    # on the spec
    "unknown-option": "error",
    "primary-not-slave": "error",
    "delay-without-miimon": "error",
    "out-of-range": "error",
    "ignored-by-mode": "warning",
    "removed-option": "warning",
    "no-link-monitoring": "warning",
    "both-monitors": "warning",
    "delay-not-multiple": "warning",
    "arp-without-targets": "warning",
    "single-slave": "warning",
    "fail-over-mac-none": "info",
}

#: Options that only act in some modes (bonding.rst); in other modes the kernel ignores or refuses them.
MODE_ONLY: dict[str, tuple[str, ...]] = {
    "fail_over_mac": ("active-backup",),
    "primary": ("active-backup", "balance-tlb", "balance-alb"),
    "primary_reselect": ("active-backup", "balance-tlb", "balance-alb"),
    "active_slave": ("active-backup", "balance-tlb", "balance-alb"),
    "num_grat_arp": ("active-backup",),
    "num_unsol_na": ("active-backup",),
    "arp_interval": ("balance-rr", "active-backup", "balance-xor", "broadcast"),
    "xmit_hash_policy": ("balance-xor", "802.3ad", "balance-tlb"),
    "lacp_rate": ("802.3ad",),
    "ad_select": ("802.3ad",),
    "ad_actor_system": ("802.3ad",),
    "ad_actor_sys_prio": ("802.3ad",),
    "ad_user_port_key": ("802.3ad",),
    "min_links": ("802.3ad",),
    "packets_per_slave": ("balance-rr",),
    "tlb_dynamic_lb": ("balance-tlb",),
    "lp_interval": ("balance-tlb", "balance-alb"),
}

#: Kernel defaults: an option set to its default is not worth a finding in any mode.
DEFAULTS: dict[str, object] = {
    "fail_over_mac": "none", "primary_reselect": "always", "num_grat_arp": 1, "num_unsol_na": 1,
    "arp_interval": 0, "xmit_hash_policy": "layer2", "lacp_rate": "slow", "ad_select": "stable",
    "ad_actor_system": "00:00:00:00:00:00", "ad_actor_sys_prio": 65535, "ad_user_port_key": 0,
    "min_links": 0, "packets_per_slave": 1, "tlb_dynamic_lb": 1, "lp_interval": 1,
}

_INT_MAX = 2**31 - 1
#: The ranges the kernel accepts (bond_options.c).
RANGES: dict[str, tuple[int, int]] = {
    "miimon": (0, _INT_MAX), "updelay": (0, _INT_MAX), "downdelay": (0, _INT_MAX),
    "peer_notif_delay": (0, 300000), "arp_interval": (0, _INT_MAX), "num_grat_arp": (0, 255),
    "num_unsol_na": (0, 255), "resend_igmp": (0, 255), "all_slaves_active": (0, 1), "use_carrier": (0, 1),
    "tlb_dynamic_lb": (0, 1), "lp_interval": (1, _INT_MAX), "min_links": (0, _INT_MAX),
    "packets_per_slave": (0, 65535), "ad_actor_sys_prio": (1, 65535), "ad_user_port_key": (0, 1023),
}
#: The kernel takes at most this many ARP targets (BOND_MAX_ARP_TARGETS).
MAX_ARP_TARGETS = 16


@dataclass(frozen=True)
class Nested:
    """A catalog message used as a parameter of another, told in the language the outer one is told in."""

    key: str
    params: dict[str, object]

    def text(self, lang: str | None) -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class Finding:
    """One thing lint found: which rule, how bad, where, and the message to show."""

    rule: str
    severity: str
    where: Location | None
    key: str
    params: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str | None = None) -> str:
        params = {k: v.text(lang) if isinstance(v, Nested) else v for k, v in self.params.items()}
        return t(self.key, lang, **params)

    def format(self, lang: str | None = None) -> str:
        """``file:line: severity: message [rule]``, the shape compilers and ruff use."""
        where = f"{self.where}: " if self.where else ""
        return f"{where}{t(f'lint.severity.{self.severity}', lang)}: {self.message(lang)} [{self.rule}]"

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        where = self.where
        return {"rule": self.rule, "severity": self.severity, "file": where.source if where else None,
                "line": where.line if where else None, "message": self.message(lang)}


def _finding(rule: str, spec: BondSpec, at: str | None, key: str | None = None, **params: object) -> Finding:
    where = spec.origin.get(at) if at else None
    return Finding(rule, RULES[rule], where or spec.origin.get("bond"), key or f"lint.{rule}",
                   {"bond": spec.name, **params})


def _from_note(note: Note) -> Finding:
    return Finding(note.rule, RULES.get(note.rule, "error"), note.where, note.key, dict(note.params))


# ------------------------------------------------------------------------------------------- the rules


def _int(spec: BondSpec, name: str) -> int:
    value = spec.options.get(name)
    return value if isinstance(value, int) else 0


def _options(spec: BondSpec) -> Iterator[Finding]:
    for name, value in spec.unknown_options.items():
        close = difflib.get_close_matches(name, KNOWN_OPTIONS, n=1)
        if close:
            yield _finding("unknown-option", spec, name, "lint.unknown-option-hint", option=name, value=value,
                           hint=close[0])
        else:
            yield _finding("unknown-option", spec, name, option=name, value=value)
    for name in REMOVED_OPTIONS:
        if name in spec.options:
            yield _finding("removed-option", spec, name, option=name)
    for name, (low, high) in RANGES.items():
        number = spec.options.get(name)
        if isinstance(number, int) and not low <= number <= high:
            yield _finding("out-of-range", spec, name, option=name, value=number, low=low, high=high)
    targets = spec.options.get("arp_ip_target")
    if isinstance(targets, tuple) and len(targets) > MAX_ARP_TARGETS:
        yield _finding("out-of-range", spec, "arp_ip_target", option="arp_ip_target",
                       value=len(targets), low=1, high=MAX_ARP_TARGETS)


def _modes(spec: BondSpec) -> Iterator[Finding]:
    for name, modes in MODE_ONLY.items():
        value = spec.options.get(name)
        if value not in (None, "", DEFAULTS.get(name)) and spec.mode not in modes:
            yield _finding("ignored-by-mode", spec, name, option=name, mode=spec.mode, modes=", ".join(modes))


def _slaves(spec: BondSpec) -> Iterator[Finding]:
    names = spec.slave_names
    for option in ("primary", "active_slave"):
        value = spec.options.get(option)
        if value and value not in names:
            yield _finding("primary-not-slave", spec, option, option=option, value=value,
                           slaves=", ".join(names) or "-")
    for name in sorted({n for n in names if names.count(n) > 1}):
        yield _finding("duplicate-slave", spec, "bond", "formats.duplicate_slave", slave=name)
    if len(names) < 2:
        yield _finding("single-slave", spec, "bond", count=len(names))


def _monitoring(spec: BondSpec) -> Iterator[Finding]:
    """miimon and arp_interval: the kernel uses one, rounds delays to miimon, refuses delays without it."""
    miimon, arp = spec.options.get("miimon"), _int(spec, "arp_interval")
    if miimon and arp:
        yield _finding("both-monitors", spec, "arp_interval", miimon=miimon, arp_interval=arp)
    elif not miimon and not arp:
        # A bond made with ip or sysfs starts with miimon=0, whatever the module's documented default.
        unset = "miimon" not in spec.options
        yield _finding("no-link-monitoring", spec, "bond" if unset else "miimon",
                       "lint.no-link-monitoring-unset" if unset else None)
    if arp and not spec.options.get("arp_ip_target"):
        yield _finding("arp-without-targets", spec, "arp_interval", arp_interval=arp)
    step = _int(spec, "miimon")
    for delay in ("updelay", "downdelay"):
        value = _int(spec, delay)
        if value and not step:
            yield _finding("delay-without-miimon", spec, delay, option=delay, value=value)
        elif value and value % step:
            yield _finding("delay-not-multiple", spec, delay, option=delay, value=value, miimon=step,
                           rounded=value - value % step)


def _mac_policy(spec: BondSpec) -> Iterator[Finding]:
    if spec.mode == "active-backup" and spec.options.get("fail_over_mac", "none") == "none":
        at = "fail_over_mac" if "fail_over_mac" in spec.options else "bond"
        yield _finding("fail-over-mac-none", spec, at)


SPEC_RULES = (_options, _modes, _slaves, _monitoring, _mac_policy)


def lint_spec(spec: BondSpec) -> list[Finding]:
    """Findings for one bond: its parser notes and every rule over the spec."""
    found = [_from_note(note) for note in spec.notes]
    for rule in SPEC_RULES:
        found.extend(rule(spec))
    return found


def _sort_key(finding: Finding) -> tuple[str, int, int, str]:
    where = finding.where
    return (where.source if where else "", where.line or 0 if where else 0,
            SEVERITIES.index(finding.severity), finding.rule)


Target = BondSpec | str | os.PathLike[str]


def lost_in_conversion(spec: BondSpec, to: str) -> list[Finding]:
    """One warning per setting a conversion of ``spec`` to format ``to`` would not carry."""
    return [Finding("lost-in-conversion", RULES["lost-in-conversion"], loss.where, "formats.loss.message",
                    {"setting": loss.setting, "target": loss.target,
                     "reason": Nested(loss.reason, loss.params)})
            for loss in formats.losses(spec, to)]


def lint(target: Target | Iterable[Target], to: str | None = None) -> list[Finding]:
    """Findings for bonds, or for configuration files and directories (read leniently, so that one run
    shows every problem), sorted by file and line; with ``to``, also what a conversion to that format
    would not carry."""
    items = [target] if isinstance(target, BondSpec | str | os.PathLike) else list(target)
    specs = [item for item in items if isinstance(item, BondSpec)]
    paths = [item for item in items if not isinstance(item, BondSpec)]
    found: list[Finding] = []
    if paths:
        read, notes = formats.read(paths, lint=True)
        specs += read
        found += [_from_note(note) for note in notes]
    for spec in specs:
        found += lint_spec(spec)
        if to:
            found += lost_in_conversion(spec, to)
    return sorted(found, key=_sort_key)


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    result = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        result[finding.severity] += 1
    return result
