"""What an apply tells the student: a list of steps as they happen, and the verification table.

Why a report object and a callback both: a notebook wants to show each step the moment it is taken (a
bring-up can take seconds, a rollback a minute), and to keep the whole record afterwards as data (the
table as a DataFrame). The callback gets every Step as it is added; the report keeps them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bondkit.i18n import display_width, t

log = logging.getLogger("bondkit.apply")

#: Step outcomes, in the order a student reads them.
STATUSES = ("ok", "skipped", "warning", "failed")


@dataclass
class Step:
    """One thing bondkit did (or refused to do) on the host, with the exact commands it sent."""

    name: str
    status: str
    summary: str
    commands: list[str] = field(default_factory=list)
    output: str = ""

    def format(self, lang: str | None = None) -> str:
        mark = {"ok": "+", "skipped": "-", "warning": "!", "failed": "x"}.get(self.status, "?")
        title = t(f"apply.step.{self.name}", lang)
        lines = [f"[{mark}] {title}: {self.summary}"]
        lines += [f"    $ {command}" for command in self.commands]
        lines += [f"    {line}" for line in self.output.rstrip().splitlines()]
        return "\n".join(lines)


@dataclass
class Check:
    """One row of the intended-vs-observed table. ``ok`` is None when bondkit could not observe it."""

    item: str
    intended: str
    observed: str
    ok: bool | None

    def format(self) -> str:
        mark = {True: "ok", False: "MISMATCH", None: "?"}[self.ok]
        return f"{pad(self.item, 16)} {pad(self.intended, 28)} {pad(self.observed, 28)} {mark}"


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns: Hangul takes two, so ``str.ljust`` misaligns."""
    return text + " " * max(width - display_width(text), 0)


def format_checks(checks: list[Check], lang: str | None = None) -> str:
    """The verification table as text, with a translated header."""
    head = f"{pad(t('apply.table.item', lang), 16)} {pad(t('apply.table.intended', lang), 28)} " \
           f"{pad(t('apply.table.observed', lang), 28)} {t('apply.table.result', lang)}"
    return "\n".join([head, "-" * 81, *(check.format() for check in checks)])


@dataclass
class ApplyReport:
    """The record of one ``apply`` (or ``restore``): where, how, each step, and the verification.

    ``ok`` is True only when the configuration is on the host and verified; ``rolled_back`` says the
    host was put back as it was (by bondkit, or by the timer on the host).
    """

    host: str
    action: str = "apply"
    platform: str | None = None
    bonds: list[str] = field(default_factory=list)
    backup: str | None = None
    steps: list[Step] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    ok: bool = False
    rolled_back: bool = False
    on_step: Callable[[Step], None] | None = field(default=None, repr=False, compare=False)

    def add(self, name: str, status: str, summary: str, commands: list[str] | None = None,
            output: str = "") -> Step:
        """Record a step and tell the callback (or the ``bondkit.apply`` logger) at once."""
        step = Step(name, status, summary, list(commands or []), output)
        self.steps.append(step)
        if self.on_step is not None:
            self.on_step(step)
        else:
            log.log(logging.WARNING if status == "failed" else logging.INFO, "%s", step.format())
        return step

    def table(self):  # -> pandas.DataFrame (pandas is imported late: the CLI does not need it)
        """The verification as a DataFrame with columns item, intended, observed, ok."""
        import pandas as pd

        return pd.DataFrame([vars(check) for check in self.checks],
                            columns=["item", "intended", "observed", "ok"])

    def verdict(self, lang: str | None = None) -> str:
        """One line: applied and verified, or not (and whether the host was put back)."""
        if self.ok:
            return t("apply.report.verified", lang, host=self.host)
        key = "apply.report.rolled_back" if self.rolled_back else "apply.report.not_verified"
        return t(key, lang, host=self.host)

    def format(self, lang: str | None = None) -> str:
        """The verdict and the verification table first (what a student must read), then the steps
        bondkit took to get there, with their commands (what a student reads when something failed)."""
        lines = [self.verdict(lang)]
        if self.checks:
            lines += ["", format_checks(self.checks, lang)]
        if self.steps:
            lines += ["", t("apply.report.steps", lang)]
            lines += [step.format(lang) for step in self.steps]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()

    def _repr_html_(self) -> str:
        """In a notebook: the verdict and the table, then the steps folded under a summary line."""
        import html

        lang = None
        head = [self.verdict(lang)] + (["", format_checks(self.checks, lang)] if self.checks else [])
        steps = "\n".join(step.format(lang) for step in self.steps)
        folded = (f"<details><summary>{html.escape(t('apply.report.steps', lang))}</summary>"
                  f"<pre>{html.escape(steps)}</pre></details>") if self.steps else ""
        return f"<pre>{html.escape(chr(10).join(head))}</pre>{folded}"

    def to_dict(self) -> dict[str, object]:
        return {
            "host": self.host, "action": self.action, "platform": self.platform, "bonds": self.bonds,
            "backup": self.backup, "ok": self.ok, "rolled_back": self.rolled_back,
            "steps": [{k: v for k, v in vars(s).items()} for s in self.steps],
            "checks": [vars(c) for c in self.checks],
        }
