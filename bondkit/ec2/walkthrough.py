"""The whole EC2 tutorial in one call: every step, its `aws` twin checked, and cleanup that always runs.

Why a function and not only the CLI: the command line, the notebook and the benchmark run the same
sequence. If a step fails or the student presses Ctrl-C, everything the kit created is removed before
the error goes on (``keep`` only keeps things after a run that succeeded).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bondkit import ec2
from bondkit.ec2 import KitResources, Step, Target
from bondkit.errors import BondkitError, EC2Error
from bondkit.i18n import t

__all__ = ["StepReport", "WalkthroughResult", "walkthrough"]


@dataclass
class StepReport:
    """A finished step, the CLI/boto3 agreement on its check (if compared), and how long it took."""

    number: int
    step: Step
    agreement: Any = None  # bondkit.ec2.twin.Agreement | None
    seconds: float = 0.0


@dataclass
class WalkthroughResult:
    reports: list[StepReport] = field(default_factory=list)
    remaining: KitResources | None = None
    kept: bool = False
    seconds: float = 0.0

    def step(self, name: str) -> Step:
        return next(report.step for report in self.reports if report.step.name == name)

    @property
    def all_agree(self) -> bool:
        return all(r.agreement.same for r in self.reports if r.agreement is not None)


def walkthrough(
    target: Target,
    *,
    key_name: str = ec2.TUTORIAL_KEY_NAME,
    key_dir: str | Path = ".",
    keep: bool = False,
    ssh: bool = True,
    compare: bool = True,
    lab: Any = None,
    image_id: str = ec2.TUTORIAL_IMAGE_ID,
    on_step: Callable[[StepReport], None] | None = None,
) -> WalkthroughResult:
    """Run the tutorial on ``target``; ``on_step`` sees each step as it finishes (the CLI prints there)."""
    result = WalkthroughResult(kept=keep)
    started = time.monotonic()
    pem: Path | None = None

    def record(make: Callable[[], Step]) -> Step:
        begin = time.monotonic()
        step = make()
        agreement = None
        if compare and step.check is not None:
            from bondkit.ec2.twin import compare as twin

            agreement = twin(target, step)
        report = StepReport(len(result.reports) + 1, step, agreement, time.monotonic() - begin)
        result.reports.append(report)
        if on_step:
            on_step(report)
        return step

    try:
        record(lambda: ec2.configure(target))
        key = record(lambda: ec2.create_key_pair(target, key_name, key_dir=key_dir)).result
        pem = key.path
        group = record(lambda: ec2.ensure_security_group(target)).result
        image = _image(target, image_id, record)
        instances = record(
            lambda: ec2.run_instances(
                target, image_id=image, key_name=key_name, security_group_ids=[group.group_id]
            )
        ).result
        ids = [i.instance_id for i in instances]
        record(lambda: ec2.describe_instances(target))
        record(lambda: ec2.wait_running(target, ids))
        if ssh:
            record(lambda: ec2.ssh_to_instance(target, ids[0], key.path, lab=lab))
        if not keep:
            record(lambda: ec2.terminate_instances(target, ids, lab=lab))
            record(lambda: ec2.cleanup(target, lab=lab, pem_files=[key.path]))
    except BaseException as exc:
        _cleanup_after_failure(target, lab, pem, exc)
        raise
    finally:
        result.seconds = time.monotonic() - started
    result.remaining = ec2.remaining(target)
    return result


def _image(target: Target, image_id: str, record: Callable[[Callable[[], Step]], Step]) -> str:
    """The tutorial's image when it exists; else (on AWS, where it is long gone) a current Ubuntu image."""
    try:
        return record(lambda: ec2.find_image(target, image_id)).result.image_id
    except EC2Error as exc:
        if exc.key != "ec2.image_not_found":
            raise
    return record(lambda: ec2.find_ubuntu_image(target)).result.image_id


def _cleanup_after_failure(target: Target, lab: Any, pem: Path | None, original: BaseException) -> None:
    """Best effort: remove what the kit made; a failure here is added to the original error, not raised."""
    try:
        ec2.cleanup(target, lab=lab, pem_files=[pem] if pem else [])
    except (BondkitError, OSError, KeyboardInterrupt) as exc:  # a second Ctrl-C stops the cleanup, not us
        note = t("ec2.cleanup_incomplete", reason=exc)
        if sys.version_info >= (3, 11):  # notes on exceptions came with Python 3.11
            original.add_note(note)
        else:
            original.args = (*original.args, note)
