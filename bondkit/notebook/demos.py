"""One-minute demonstrations of a claim the kit makes about the kernel, run on the lab.

Why a module of its own: a demonstration is the lab's answer to a sentence that students (and the
kernel's own documentation) get wrong, so it must show the same lines whether or not the lab runs. Live,
the lines come from the lab's server now; without a lab they are the lines the live claim test
(``tests/test_claims_live.py``) asserts on every lab run, and the last line says that, not "recorded".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from bondkit.i18n import t
from bondkit.notebook.session import LabSession

#: The bond of the no-monitor demonstration: the tutorial's mode, and neither miimon nor arp_interval.
NO_MONITOR_BOND = ("ip link del bond0 2>/dev/null; ip link add bond0 type bond mode active-backup"
                   " && ip link set enp0s8 down && ip link set enp0s8 master bond0"
                   " && ip link set enp0s9 down && ip link set enp0s9 master bond0"
                   " && ip link set enp0s8 up && ip link set enp0s9 up && ip link set bond0 up")
POLLING = 'grep "MII Polling" /proc/net/bonding/bond0'
ACTIVE = 'grep "Currently Active" /proc/net/bonding/bond0'
CARRIER = "cat /sys/class/net/enp0s8/carrier"

#: What the kernel prints at each step (checked by tests/test_claims_live.py on every lab run).
EXPECTED = {POLLING: "MII Polling Interval (ms): 0", ACTIVE: "Currently Active Slave: enp0s8", CARRIER: "0"}


@dataclass
class Demo:
    """Commands and what each printed, on one lab host, with the line that says where they came from."""

    host: str
    steps: list[tuple[str, str]] = field(default_factory=list)
    live: bool = False
    lang: str | None = None

    def provenance(self) -> dict[str, str | None]:
        """Both last lines and the one shown (see ``bondkit.notebook.session.Observed.provenance``)."""
        live = t("nb.observed.live", self.lang, host=self.host)
        expected = t("nb.demo.expected", self.lang)
        return {"shown": live if self.live else expected, "live": live, "recorded": expected}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return {}, {"bondkit": {"provenance": self.provenance()}}

    def __repr__(self) -> str:
        lines = []
        for command, output in self.steps:
            lines.append(command if command.startswith("(") else f"[{self.host}]$ {command}")
            lines += [output] if output else []
        return "\n".join([*lines, f"({self.provenance()['shown']})"])


def no_monitor(session: LabSession, *, settle: float = 1.0) -> Demo:
    """An active-backup bond written without ``miimon`` and ``arp_interval``: the kernel leaves
    ``miimon`` at 0, and pulling the active slave's cable changes nothing. Leaves the server without
    a bond, as ``restore_configs`` left it."""
    fault = t("nb.fault.carrier-loss", iface="enp0s8")
    wait = t("nb.demo.wait", seconds=f"{settle:g}")
    plan = [("ip link add bond0 type bond mode active-backup", None), (POLLING, POLLING), (ACTIVE, ACTIVE),
            (fault, None), (wait, None), (CARRIER, CARRIER), (ACTIVE, ACTIVE)]
    if not session.live:
        return Demo("server", [(shown, EXPECTED.get(run, "") if run else "") for shown, run in plan])
    lab, host = session.lab, session.lab["server"]
    steps: list[tuple[str, str]] = []
    try:
        host.run(NO_MONITOR_BOND, check=True)
        for shown, run in plan:
            if shown == fault:
                lab.fault("server", "enp0s8", "carrier-loss")
            elif shown == wait:
                time.sleep(settle)
            steps.append((shown, host.run(run, check=True).stdout.strip() if run else ""))
    finally:
        lab.fault("server", "enp0s8", "restore")
        host.run("ip link del bond0 2>/dev/null; true")
    return Demo("server", steps, live=True)
