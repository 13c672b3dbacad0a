"""The kit's main job as one function: the tutorial's scenario for all three fail_over_mac modes.

``bondkit demo`` and ``bondkit failover`` are thin layers over :func:`run_many` and
:func:`write_outputs`; a notebook can call them the same way. When the lab cannot run, the recorded
runs in ``data/runs`` stand in, and the caller is told why.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from bondkit.failover.params import MODES, FailoverError, RunParams
from bondkit.failover.record import Run
from bondkit.failover.runner import STAGES, run_failover
from bondkit.failover.store import default_runs_dir, load_runs, write_index
from bondkit.i18n import get_lang

Step = Callable[[str, dict], None]


def lab_unavailable() -> str | None:
    """Why the lab cannot run on this machine (None when it can): a missing piece, or a test guest that
    did not boot. With ``BONDKIT_REQUIRE_LAB`` set that is an error, not a reason to use recordings."""
    from bondkit.errors import LabError
    from bondkit.lab import require_lab, unavailable_reason

    reason = unavailable_reason()
    if reason and require_lab():
        raise LabError("lab.required", reason=reason)
    return reason


@contextlib.contextmanager
def lab_session(step: Step | None = None) -> Iterator[object]:
    """The running lab (left running), or a lab started for the block and stopped after it."""
    from bondkit.lab import Lab

    lab = Lab.current()
    if lab is not None:
        yield lab
        return
    lab = Lab()
    lab.up()
    if step:
        step("lab_up", {})
    try:
        yield lab
    finally:
        lab.down()
        if step:
            step("lab_down", {})


def run_many(lab, plans: Sequence[RunParams], step: Step | None = None) -> list[Run]:
    """Run each plan in turn; ``step(stage, {"mode": ...})`` after every stage of every run.

    The switch profile changes only when the plans need another one, and is put back at the end.
    """
    runs = []
    switch = lab.switch
    try:
        for params in plans:
            def progress(stage: str, params: RunParams = params) -> None:
                if step:
                    step(stage, {"mode": params.fail_over_mac})

            runs.append(run_failover(lab, params, progress=progress, restore_switch=False))
    finally:
        if lab.switch != switch:
            lab.set_switch(switch)
    return runs


def plans_for(modes: Sequence[str], base: RunParams) -> list[RunParams]:
    return [base.with_(fail_over_mac=mode) for mode in modes]


def demo_plans(switches: Sequence[str]) -> list[RunParams]:
    """The tutorial's scenario: miimon 100, the server's active slave taken down with ip link."""
    return [RunParams(fail_over_mac=mode, fault="admin-down", switch=switch, miimon=100)
            for switch in switches for mode in MODES]


def recorded_for(plans: Sequence[RunParams], directory: Path | None = None) -> list[Run]:
    """The recorded runs that match ``plans``: same mode, fault, switch, monitor, delays, primary, host
    and slave (everything the run id says; the lengths of the windows may differ)."""
    runs = {run.params.run_id(): run for run in load_runs(directory or default_runs_dir())}
    missing = [plan.run_id() for plan in plans if plan.run_id() not in runs]
    if missing:
        raise FailoverError("failover.no_recorded", what=", ".join(missing))
    return [runs[plan.run_id()] for plan in plans]


def comparison_groups(runs: Sequence[Run]) -> dict[str, list[Run]]:
    """Runs that differ only by fail_over_mac, grouped (one comparison figure each)."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        key = run.params.with_(fail_over_mac="none").run_id().removeprefix("none_")
        groups.setdefault(key, []).append(run)
    return {key: group for key, group in groups.items() if len(group) > 1}


def output_folder(out: Path) -> Path:
    """``out``, made if needed and checked writable: asked before a minute of lab work, not after."""
    from bondkit.failover.params import FailoverError

    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".bondkit-write-check"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise FailoverError("failover.out_unwritable", directory=str(out.absolute()),
                            error=error.strerror or str(error)) from error
    return out


def write_outputs(runs: Sequence[Run], out: Path, lang: str | None = None, figures: bool = True,
                  step: Step | None = None) -> list[Path]:
    """Save each run under ``out/<id>/`` with ``figure.png``, one ``compare_<group>.png`` per group of
    modes, ``summary.csv`` and ``index.csv``; returns the figure files."""
    from bondkit.failover.report import summary_frame

    lang = get_lang(lang)
    out = output_folder(out)
    written = []
    for run in runs:
        run.save(out / run.id)
    if figures:
        from bondkit.plot import comparison_figure, run_figure

        for run in runs:
            path = out / run.id / "figure.png"
            run_figure(run, lang).savefig(path, dpi=110)
            written.append(path)
        for key, group in comparison_groups(runs).items():
            path = out / f"compare_{key}.png"
            comparison_figure(group, lang).savefig(path, dpi=100)
            written.append(path)
        if step:
            step("figures", {})
    summary_frame(runs, lang).to_csv(out / "summary.csv", index=False)
    write_index(out, runs)
    return written


__all__ = ["STAGES", "comparison_groups", "demo_plans", "lab_session", "lab_unavailable", "plans_for",
           "recorded_for", "run_many", "write_outputs"]
