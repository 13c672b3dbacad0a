"""What one failover experiment is asked to do, validated before anything touches the lab.

A run is fully described by a :class:`RunParams`: the bond options the tutorial varies (fail_over_mac,
miimon, ARP monitoring, delays, primary), the fault and where it lands, the switch profile and the
measuring windows. The same record is saved into ``run.json`` so that a recorded run can be told
apart from, and compared with, the others without re-running it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from bondkit.errors import BondkitError
from bondkit.lab.topology import BOND_NETWORK, SWITCH_PROFILES
from bondkit.spec import ENUM_OPTIONS, BondSpec, SlaveSpec

#: fail_over_mac policies in the kernel's order (0, 1, 2).
MODES = ENUM_OPTIONS["fail_over_mac"]
#: Faults a run can inject (the lab also knows ``restore``, which ends every fault).
FAULTS = ("admin-down", "carrier-loss", "silent-drop")
SWITCHES = SWITCH_PROFILES
BOND_NAME = "bond0"


class FailoverError(BondkitError):
    """A failover experiment that cannot be run as asked (bad parameter, no lab, bond never came up)."""


@dataclass(frozen=True)
class RunParams:
    """Everything that decides a run. Times are in seconds, intervals in milliseconds.

    ``slave`` None means "the slave that is active when the fault comes" (the tutorial takes the active
    one down). With ``arp_interval`` > 0 the bond is monitored by ARP instead of MII (the kernel takes
    one or the other), and ``arp_ip_target`` defaults to the peer's bond address.
    """

    fail_over_mac: str = "active"
    fault: str = "admin-down"
    switch: str = "learning"
    miimon: int = 100
    updelay: int = 0
    downdelay: int = 0
    arp_interval: int = 0
    arp_ip_target: str | None = None
    primary: str | None = None
    host: str = "server"
    slave: str | None = None
    pinger: str = "client"
    pre: float = 1.0
    duration: float = 2.0
    after_restore: float = 0.5
    interval_ms: int = 10
    sample_ms: int = 20

    def __post_init__(self) -> None:
        def bad(option: str, value: object, expected: str) -> FailoverError:
            return FailoverError("failover.bad_param", option=option, value=value, expected=expected)

        if self.fail_over_mac not in MODES:
            raise bad("fail_over_mac", self.fail_over_mac, ", ".join(MODES))
        if self.fault not in FAULTS:
            raise bad("fault", self.fault, ", ".join(FAULTS))
        if self.switch not in SWITCHES:
            raise bad("switch", self.switch, ", ".join(SWITCHES))
        for name in ("miimon", "updelay", "downdelay", "arp_interval"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
                raise bad(name, value, "0..10000 ms")
        if self.arp_interval == 0 and self.miimon == 0:
            raise bad("miimon", 0, "> 0 without ARP monitoring (a bond with no monitor never fails over)")
        if self.arp_ip_target is not None:
            try:
                target = ipaddress.IPv4Address(self.arp_ip_target)
            except ValueError:
                raise bad("arp_ip_target", self.arp_ip_target, "an IPv4 address") from None
            if target not in BOND_NETWORK:
                raise bad("arp_ip_target", self.arp_ip_target, f"a lab bond address in {BOND_NETWORK}")
        if self.host == self.pinger:
            raise bad("host", self.host, f"a host other than the pinger {self.pinger!r}")
        if not 1 <= self.interval_ms <= 1000:
            raise bad("interval_ms", self.interval_ms, "1..1000")
        if not 5 <= self.sample_ms <= 50:
            raise bad("sample_ms", self.sample_ms, "5..50 (the link state is sampled every 50 ms or better)")
        for name, low, high in (("pre", 0.2, 10.0), ("duration", 0.3, 30.0), ("after_restore", 0.0, 10.0)):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not low <= value <= high:
                raise bad(name, value, f"{low}..{high} s")

    # -- derived ------------------------------------------------------------------------------------

    @property
    def monitoring(self) -> str:
        """``arp`` or ``mii``: which link monitor the bond runs."""
        return "arp" if self.arp_interval else "mii"

    @property
    def effective_miimon(self) -> int:
        """The kernel refuses MII and ARP monitoring together, so ARP runs have miimon 0."""
        return 0 if self.arp_interval else self.miimon

    @property
    def window(self) -> float:
        """Seconds of measurement: before the fault, after it, and after the restore."""
        return self.pre + self.duration + self.after_restore

    def run_id(self) -> str:
        """A directory name that says what the run is, e.g. ``active_admin-down_learning_mii100``."""
        monitor = f"arp{self.arp_interval}" if self.arp_interval else f"mii{self.miimon}"
        parts = [self.fail_over_mac, self.fault, self.switch, monitor]
        extras = [(name, getattr(self, name)) for name in ("updelay", "downdelay", "primary", "slave")]
        parts += [f"{name}{value}" for name, value in extras if value]
        if self.host != "server":
            parts.append(f"on-{self.host}")
        return "_".join(parts)

    def with_(self, **changes: Any) -> RunParams:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunParams:
        """The parameters saved in a run.json (keys this version does not know are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def bond_spec(self, address: str, slaves: list[tuple[str, str]], peer: str) -> BondSpec:
        """The bond of one host as a BondSpec, so it goes through the same apply path as any config.

        Each slave carries its adapter MAC (``slaves`` is ``[(name, mac)]``): with fail_over_mac
        active or follow the kernel does not give a released slave its own address back, so a bond
        built after a follow run would start from swapped MACs; setting them makes every run start
        from the MACs the adapters (and a vbox-hostonly switch) know.
        """
        spec = BondSpec(name=BOND_NAME, mode="active-backup")
        options: dict[str, object] = {"fail_over_mac": self.fail_over_mac}
        if self.arp_interval:
            options["arp_interval"] = self.arp_interval
            options["arp_ip_target"] = self.arp_ip_target or peer
        else:
            options["miimon"] = self.miimon
            options["updelay"] = self.updelay
            options["downdelay"] = self.downdelay
        if self.primary:
            options["primary"] = self.primary
        for name, value in options.items():
            spec.set_option(name, value)
        spec.slaves = [SlaveSpec(name, mac) for name, mac in slaves]
        spec.addresses = [address]
        return spec
