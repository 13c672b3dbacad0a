"""What every bench script shares: a quick mode, each figure printed against its target, and the lab.

- Quick mode (``--quick`` or ``BONDKIT_BENCH_QUICK=1``) measures each figure once, or on less data, so
  that ``make test`` can check that every bench still starts and reaches its end; its figures are
  printed but not held to their targets (one run on a busy machine says little).
- A figure with a target is printed with ``ok`` or ``MISSED``; a full run with a missed target ends
  with exit status 1, so ``make bench`` is green only when every target is met.
- A bench that needs the lab says why it skips when the lab cannot start here (missing pieces, or a
  start that fails), and exits 0: a machine without the lab has nothing to measure.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the bench scripts run from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

QUICK_SWITCH = "BONDKIT_BENCH_QUICK"
#: The ``bondkit`` script of this environment, as a student runs it (``python -m bondkit`` otherwise).
_SCRIPT = Path(sys.executable).with_name("bondkit")
BONDKIT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "bondkit"]


def quick() -> bool:
    """Whether this run is the quick one (``--quick`` on the command line or ``BONDKIT_BENCH_QUICK=1``)."""
    return "--quick" in sys.argv[1:] or os.environ.get(QUICK_SWITCH, "").lower() in ("1", "yes", "true")


def rounds(full: int, fast: int = 1) -> int:
    """How many times to measure a figure: ``full`` times, or ``fast`` in quick mode."""
    return fast if quick() else full


class Report:
    """The figures of one bench script, printed as they come, and whether each met its target."""

    def __init__(self, title: str) -> None:
        self.missed: list[str] = []
        self.skipped: str | None = None
        print(title + ("  [quick mode: figures are not held to their targets]" if quick() else ""))

    def figure(self, label: str, value: float, unit: str, *, at_most: float | None = None,
               at_least: float | None = None, detail: str = "", digits: int = 2) -> None:
        """One figure: ``label  value unit  detail  (target <= at_most unit: ok)``."""
        line = f"  {label:<56} {value:8.{digits}f} {unit:<3}"
        if detail:
            line += f"  {detail}"
        if at_most is not None or at_least is not None:
            bound = f"<= {at_most:g}" if at_most is not None else f">= {at_least:g}"
            met = (at_most is None or value <= at_most) and (at_least is None or value >= at_least)
            line += f"  (target {bound} {unit}: {'ok' if met else 'MISSED'})"
            if not met:
                self.missed.append(label)
        print(line, flush=True)

    def note(self, text: str) -> None:
        print(f"  {text}", flush=True)

    def skip(self, reason: str) -> None:
        """Nothing (more) can be measured here; says why."""
        self.skipped = reason
        print(f"  skipped: {reason}", flush=True)

    def finish(self) -> int:
        """The exit status: 1 when a full run missed a target, else 0."""
        if self.missed:
            print(f"  targets missed: {', '.join(self.missed)}")
        return 1 if self.missed and not quick() else 0


def lab_missing() -> str | None:
    """Why the lab cannot run on this machine (a missing piece, or a test boot that failed), or None."""
    from bondkit.lab import unavailable_reason

    reason = unavailable_reason(lang="en")
    return f"the lab cannot run here: {reason}" if reason else None


@contextlib.contextmanager
def lab_folder(prefix: str) -> Iterator[Path]:
    """A folder of this bench's own for a lab, removed at the end: the bench neither meets nor stops a
    lab someone is using."""
    with tempfile.TemporaryDirectory(prefix=prefix) as path:
        yield Path(path)
