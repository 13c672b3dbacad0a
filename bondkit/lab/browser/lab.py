"""The browser lab's door: hosts by name, commands with their output and status, faults, the switch.

It mirrors :class:`bondkit.lab.Lab` (``lab["server"].run(...)``, ``lab.fault(host, nic, kind)``,
``lab.set_switch(profile)``, ``lab.down()``) so that a notebook cell reads the same in both; each call
has an ``a``-prefixed twin to ``await`` in browsers without JSPI.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from bondkit.errors import LabError
from bondkit.i18n import notebook_lang, set_lang, t
from bondkit.lab.browser import bridge
from bondkit.lab.lab import FAULTS
from bondkit.lab.topology import SWITCH_PROFILES
from bondkit.result import CommandResult

T = TypeVar("T")


def _is_timeout(error: Exception) -> bool:
    return "CommandTimeout" in (str(getattr(error, "name", "")) + str(error))


class BrowserHost:
    """One guest of the browser lab, reached over its serial console."""

    def __init__(self, lab: BrowserLab, name: str) -> None:
        self.lab = lab
        self.name = name

    def __repr__(self) -> str:
        return f"BrowserHost({self.name!r})"

    async def arun(self, command: str, *, timeout: float = 30.0, check: bool = False) -> CommandResult:
        """Run ``command`` with the guest's sh; interrupted after ``timeout`` seconds."""
        try:
            answer = await self.lab.js.run(self.name, command, timeout)
        except Exception as error:  # a JavaScript error arrives as pyodide's JsException
            if _is_timeout(error):
                raise LabError("browser.command_timeout", host=self.name, command=command,
                               seconds=f"{timeout:g}") from None
            raise LabError("browser.lab_failed", error=str(error)) from None
        result = CommandResult(str(answer.output), "", int(answer.status), command, self.name)
        return result.check() if check else result

    def run(self, command: str, *, timeout: float = 30.0, check: bool = False) -> CommandResult:
        return bridge.wait(self.arun(command, timeout=timeout, check=check), self.name)


class BrowserLab:
    """The tutorial's two hosts, their switch and faults, running in this worker (``js``: the lab
    object of ``site/lab/lab.mjs``)."""

    def __init__(self, js: Any) -> None:
        self.js = js

    def __str__(self) -> str:
        return t("browser.ready", hosts=", ".join(self.hosts), seconds=f"{self.ready_seconds:.1f}")

    @property
    def hosts(self) -> list[str]:
        return [str(name) for name in self.js.hosts]

    def host(self, name: str) -> BrowserHost:
        if name not in self.hosts:
            raise LabError("lab.unknown_host", host=name, hosts=", ".join(self.hosts))
        return BrowserHost(self, name)

    __getitem__ = host

    @property
    def ready_seconds(self) -> float:
        """From the first byte fetched to both guests' NICs up (what the site's bench reports)."""
        return float(self.js.readySeconds)

    async def afault(self, host: str, iface: str, kind: str) -> None:
        """Break (or ``restore``) data NIC ``iface`` of ``host`` the way ``kind`` says (see
        :meth:`bondkit.lab.Lab.fault`: the same kinds, acting at the same places)."""
        if kind not in FAULTS:
            raise LabError("lab.bad_fault", fault=kind, choices=", ".join(FAULTS))
        self.host(host)
        try:
            await self.js.fault(host, iface, kind)
        except Exception as error:
            raise LabError("browser.fault_failed", host=host, nic=iface, fault=kind,
                           error=str(error)) from None

    def fault(self, host: str, iface: str, kind: str) -> None:
        return bridge.wait(self.afault(host, iface, kind), host)

    def set_switch(self, profile: str) -> None:
        """How the switch delivers unicast: ``learning`` or ``vbox-hostonly`` (takes effect at once)."""
        if profile not in SWITCH_PROFILES:
            raise LabError("lab.bad_switch", switch=profile, choices=", ".join(SWITCH_PROFILES))
        self.js.setSwitch(profile)

    def switch_table(self) -> list[dict[str, str]]:
        """The switch's forwarding table: which port (``host/nic``) each MAC was last seen on."""
        return [{"mac": str(row.mac), "port": str(row.port)} for row in self.js.switch.fdb()]

    async def adown(self) -> None:
        await self.js.destroy()

    def down(self) -> None:
        bridge.wait(self.adown(), self.hosts[0] if self.hosts else "server")


async def astart(base: str | None = None) -> BrowserLab:
    """The site's lab, restored and with its NICs up (about 2 s after the kernel is)."""
    bridge.require_browser()
    set_lang(notebook_lang())  # the notebook's folder (en/ or ko/): its messages speak its language
    where = base or bridge.site_base()
    try:
        module = await bridge.import_lab(where)
        js = await module.startLab(where)
    except Exception as error:
        raise LabError("browser.lab_failed", error=str(error)) from None
    return BrowserLab(js)


def start(base: str | None = None) -> BrowserLab:
    bridge.require_browser()
    return _wait(astart(base))


def _wait(awaitable: Awaitable[T]) -> T:
    return bridge.wait(awaitable)
