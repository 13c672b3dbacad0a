"""Running a step's `aws` CLI twin for real and comparing it with what boto3 sees.

Why a subprocess: awscli carries its own botocore, and importing awscli into the process that uses
boto3 can swap the botocore boto3 runs on. A separate process is also what the student types, so the
comparison is honest: same endpoint, same credentials files, two programs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondkit.ec2.step import Check, CliCommand, Step
from bondkit.ec2.target import Target
from bondkit.errors import EC2Error

__all__ = ["Agreement", "CLIRun", "aws_executable", "compare", "run_cli", "run_line"]


def aws_executable() -> str:
    """The `aws` next to this Python (the kit's venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "aws"
    if beside.exists():
        return str(beside)
    found = shutil.which("aws")
    if not found:
        raise EC2Error("ec2.no_aws_cli")
    return found


@dataclass
class CLIRun:
    """One finished `aws` process."""

    argv: list[str]
    stdout: str
    stderr: str
    status: int
    seconds: float


def run_cli(
    target: Target,
    command: CliCommand | list[str],
    *,
    timeout: float = 60.0,
    cwd: str | Path | None = None,
    check: bool = True,
) -> CLIRun:
    """Run an `aws ...` command line (argv, not a shell) against ``target``; failures are EC2Errors."""
    command = command if isinstance(command, CliCommand) else CliCommand(list(command))
    argv = list(command.argv)
    if argv[:1] != ["aws"]:
        raise EC2Error("ec2.not_aws_command", command=command.line())
    start = time.monotonic()
    try:
        done = subprocess.run(
            [aws_executable(), *argv[1:]],
            env=target.cli_env(),
            cwd=cwd,
            input=command.real_stdin(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise EC2Error("ec2.cli_timeout", command=command.line(), seconds=timeout) from None
    run = CLIRun(argv, done.stdout, done.stderr, done.returncode, time.monotonic() - start)
    if check and run.status != 0:
        raise EC2Error(
            "ec2.cli_failed",
            command=command.line(),
            status=run.status,
            stderr=run.stderr.strip()[-400:] or "-",
        )
    return run


def run_line(target: Target, line: str, *, timeout: float = 60.0, cwd: str | Path | None = None) -> CLIRun:
    """Run a tutorial line verbatim through bash (quotes and ``>`` redirections as typed)."""
    start = time.monotonic()
    env = target.cli_env()
    env["PATH"] = f"{Path(aws_executable()).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    try:
        done = subprocess.run(
            ["bash", "-c", line], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise EC2Error("ec2.cli_timeout", command=line, seconds=timeout) from None
    return CLIRun(["bash", "-c", line], done.stdout, done.stderr, done.returncode, time.monotonic() - start)


@dataclass
class Agreement:
    """A step's check run by both tools: the CLI line, both values, and whether they agree."""

    cli_line: str
    python: str
    cli_value: Any
    boto3_value: Any
    cli_seconds: float

    @property
    def same(self) -> bool:
        return self.cli_value == self.boto3_value


def compare(target: Target, step_or_check: Step | Check) -> Agreement | None:
    """Run the check of a step with the `aws` CLI and with boto3, back to back (None: no check)."""
    check = step_or_check.check if isinstance(step_or_check, Step) else step_or_check
    if check is None:
        return None
    command = check.cli()
    run = run_cli(target, command)
    return Agreement(command.line(), check.python(), check.parse(run.stdout), check.run(target), run.seconds)
