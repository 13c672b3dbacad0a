"""EC2 tutorial steps as the ``bondkit ec2 walkthrough`` command shows them: the `aws` command, its boto3
twin, the result and the check both tools ran, with labels aligned by display width (Hangul takes two).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondkit.i18n import display_width, t


def _plain_value(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain_value(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [_plain_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def _json(value: Any, width: int = 100) -> str:
    text = json.dumps(_plain_value(value), ensure_ascii=False, default=str)
    if len(text) <= width:
        return text
    return json.dumps(_plain_value(value), ensure_ascii=False, default=str, indent=2)



def _pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


@dataclass
class StepView:
    """An EC2 tutorial step (``bondkit.ec2.Step``) as the ``bondkit ec2 walkthrough`` command shows it:
    the `aws` command, the boto3 call, the result, the check both tools ran, and the notes."""

    step: Any
    agreement: Any = None
    lang: str | None = None

    def lines(self) -> list[str]:
        lang, step = self.lang, self.step
        label = {name: t(f"ec2.cli.label_{name}", lang) for name in ("cli", "boto3", "result", "check")}
        width = max(display_width(text) for text in label.values())
        blank = " " * width
        out = [f"[{step.title(lang)}]"]
        for command in step.cli:
            answers = f"   <<< {command.stdin.strip()!r}" if command.stdin else ""
            out.append(f"{_pad(label['cli'], width)}  $ {command.line()}{answers}")
        out.append(f"{_pad(label['boto3'], width)}  {step.python}")
        result = step.result
        shown = result.stdout.strip() if getattr(result, "stdout", "") else _json(result)
        first, *rest = shown.splitlines() or [""]
        out.append(f"{_pad(label['result'], width)}  {first}")
        out += [f"{blank}  {line}" for line in rest]
        if self.agreement is not None:
            verdict = t("ec2.cli.same" if self.agreement.same else "ec2.cli.differs", lang)
            out.append(f"{_pad(label['check'], width)}  $ {self.agreement.cli_line}")
            out.append(f"{blank}    aws:   {_json(self.agreement.cli_value, 200)}")
            out.append(f"{blank}    boto3: {_json(self.agreement.boto3_value, 200)}  -> {verdict}")
        out += [f"  · {note}" for note in step.notes]
        return out

    @property
    def same(self) -> bool | None:
        return None if self.agreement is None else bool(self.agreement.same)

    def __repr__(self) -> str:
        return "\n".join(self.lines())


def show_step(step: Any, target: Any = None, *, compare: bool = True) -> StepView:
    """Show an EC2 step; with ``target``, first run its check with both the `aws` CLI and boto3."""
    agreement = None
    if compare and target is not None and getattr(step, "check", None) is not None:
        from bondkit.ec2.twin import compare as twin

        agreement = twin(target, step)
    return StepView(step, agreement)
