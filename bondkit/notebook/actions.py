"""Faults, failover runs and applied configurations on the lab session, each falling back to what the
recorded files already include when there is no lab, and each saying which it did.
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondkit.i18n import t
from bondkit.notebook.session import LabSession

#: What each fault does, as the tutorial (or a cable) would do it; shown by :func:`fault`.
FAULT_COMMANDS = {"admin-down": "ip link set dev {iface} down", "restore": "ip link set dev {iface} up"}


@dataclass
class Action:
    """A step done on a lab host (or, without a lab, a step the recorded files already include)."""

    host: str
    command: str
    live: bool
    lang: str | None = None

    def provenance(self) -> dict[str, str | None]:
        """Both lines this step could end with, and the one it shows (see ``Observed.provenance``)."""
        live = t("nb.action.live", self.lang, host=self.host)
        recorded = t("nb.action.recorded", self.lang, host=self.host)
        return {"shown": live if self.live else recorded, "live": live, "recorded": recorded}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return {}, {"bondkit": {"provenance": self.provenance()}}

    def __repr__(self) -> str:
        return f"[{self.host}]$ {self.command}\n({self.provenance()['shown']})"


def fault(session: LabSession, host: str, iface: str, kind: str, *, settle: float = 0.5) -> Action:
    """Inject (or ``restore``) a lab fault on ``host``'s ``iface``, then give the bond ``settle`` seconds
    to notice; shows the command the tutorial types (``ip link set dev enp0s8 down``)."""
    command = FAULT_COMMANDS.get(kind, "").format(iface=iface) or t(f"nb.fault.{kind}", iface=iface)
    if session.live:
        session.lab.fault(host, iface, kind)
        time.sleep(settle)
    return Action(host, command, session.live)


def run_or_recorded(session: LabSession, *, runs_dir: str | os.PathLike[str] | None = None,
                    **params: Any) -> Any:
    """A failover run (``bondkit.failover``) with ``params``: run on the lab when it is live, else the
    recorded run with the same parameters from ``data/runs``, or, for a setting recorded only as a
    sweep, the first of its repeats in ``data/sweeps``. Says which."""
    from bondkit.errors import BondkitError
    from bondkit.failover import RunParams, run_failover

    plan = RunParams(**params)
    if session.live:
        try:
            run = run_failover(session.lab, plan)
        except BondkitError as exc:  # a live run that fails must not end the lesson: say why, go on
            print(t("nb.run.failed", error=exc.message()))
        else:
            print(t("nb.run.live", id=run.id))
            return run
    run, sweep = recorded_run(plan, Path(runs_dir) if runs_dir else None)
    off = getattr(session, "switched_off", None)
    if sweep is not None:
        key = "nb.run.recorded_sweep_switched_off" if off else "nb.run.recorded_sweep"
        print(t(key, id=run.id, sweep=sweep[0], count=sweep[1], switch=off or ""))
    elif off:
        print(t("nb.run.recorded_switched_off", id=run.id, switch=off))
    else:
        print(t("nb.run.recorded", id=run.id))
    return run


def recorded_run(plan: Any, runs_dir: Path | None = None) -> tuple[Any, tuple[str, int] | None]:
    """The recorded run for ``plan``: from ``data/runs`` (or ``runs_dir``), else the first repeat of the
    sweep in ``data/sweeps`` that recorded exactly this setting, with the sweep's name and its number of
    repeats. An exercise may ask for a setting that only a sweep holds (05's ``downdelay`` alone), and
    in recorded mode it must still have its run."""
    from bondkit.failover import FailoverError, Run
    from bondkit.failover.demo import recorded_for
    from bondkit.failover.store import default_sweeps_dir

    try:
        return recorded_for([plan], runs_dir)[0], None
    except FailoverError:
        if runs_dir is not None:
            raise
        wanted = plan.run_id()
        for setting in sorted(p for p in default_sweeps_dir().iterdir() if p.is_dir()):
            repeats = sorted(setting.glob("*/run.json"))
            if not repeats:
                continue
            first = Run.load(repeats[0].parent)
            if first.params.run_id() == wanted:
                return first, (f"data/sweeps/{setting.name}", len(repeats))
        raise


@dataclass
class Applied:
    """``bondkit.apply`` reports for several lab hosts: ``detail``'s in full, the others in one line."""

    reports: dict[str, Any]
    detail: str | None = None
    lang: str | None = None

    def __repr__(self) -> str:
        if not self.reports:
            return t("nb.apply.no_lab", self.lang)
        lines = []
        for host, report in self.reports.items():
            if host == self.detail:
                lines += [f"[{host}]", report.format(self.lang), ""]
            else:
                last = report.steps[-1].format(self.lang).splitlines()[0] if report.steps else ""
                done = "restored" if report.action == "restore" else "ok"
                state = t(f"nb.apply.{done}" if report.ok else "nb.apply.failed", self.lang)
                lines.append(f"[{host}] {state} {last}")
        return "\n".join(lines).rstrip()

    def _repr_html_(self) -> str:
        """In a notebook: ``detail``'s verdict and verification table first, its steps folded
        (``ApplyReport._repr_html_``); the other hosts in their one-line verdict."""
        import html

        if not self.reports:
            return f"<pre>{html.escape(t('nb.apply.no_lab', self.lang))}</pre>"
        parts = [f"<div><b>[{html.escape(host)}]</b>{report._repr_html_()}</div>" if host == self.detail
                 else f"<pre>{html.escape(report.verdict(self.lang))}</pre>"
                 for host, report in self.reports.items()]
        return "".join(parts)


def apply_configs(session: LabSession, configs: dict[str, Any], *, detail: str | None = None,
                  settle: float = 3.0) -> Applied:
    """``bondkit.apply.apply(host, config)`` for each lab host of ``configs`` (nothing without a lab).

    Then wait (at most ``settle`` seconds) until each bond reports carrier: the kernel raises it at the
    first MII check that sees a slave up, a few hundred milliseconds after the bond is brought up, and a
    student looking at ``ip link show`` a moment too early would see ``bond0 ... DOWN``.
    """
    if not session.live:
        return Applied({})
    from bondkit.apply import apply

    reports = {host: apply(session.lab[host], config, on_step=lambda step: None)
               for host, config in configs.items()}
    deadline = time.monotonic() + settle
    for host, report in reports.items():
        for bond in report.bonds:
            check = f"cat /sys/class/net/{shlex.quote(bond)}/operstate"
            while (time.monotonic() < deadline
                   and session.lab[host].run(check).stdout.strip() != "up"):
                time.sleep(0.05)
    return Applied(reports, detail)


def restore_configs(session: LabSession, hosts: Sequence[str], *, detail: str | None = None) -> Applied:
    """``bondkit.apply.restore(host)`` for each lab host: puts back what the last apply changed."""
    if not session.live:
        return Applied({})
    from bondkit.apply import restore

    return Applied({host: restore(session.lab[host], on_step=lambda step: None) for host in hosts}, detail)
