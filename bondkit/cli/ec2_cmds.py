"""``bondkit ec2 ...``: the embedded endpoint's lifecycle, the tutorial walkthrough, and cleanup.

Thin on purpose: each command calls bondkit.ec2.emulator / bondkit.ec2 / bondkit.ec2.walkthrough and only
formats what comes back.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bondkit.ec2 import emulator
from bondkit.ec2.emulator import DEFAULT_REGION
from bondkit.ec2.keys import TUTORIAL_KEY_NAME
from bondkit.errors import EC2Error
from bondkit.i18n import t


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("ec2", help=t("ec2.cli.help"), description=t("ec2.cli.help"))
    commands = parser.add_subparsers(dest="ec2_command", required=True, metavar="COMMAND")

    emu = commands.add_parser(
        "emulator", help=t("ec2.cli.emulator_help"), description=t("ec2.cli.emulator_help")
    )
    actions = emu.add_subparsers(dest="emulator_command", required=True, metavar="ACTION")
    for name, func in (("start", _start), ("stop", _stop), ("status", _status), ("env", _env)):
        actions.add_parser(name, help=t(f"ec2.cli.{name}_help")).set_defaults(func=func)

    walk = commands.add_parser(
        "walkthrough", help=t("ec2.cli.walkthrough_help"), description=t("ec2.cli.walkthrough_help")
    )
    _target_options(walk)
    walk.add_argument("--keep", action="store_true", help=t("ec2.cli.keep_help"))
    walk.add_argument("--key-dir", default=".", type=Path, help=t("ec2.cli.key_dir_help"))
    walk.add_argument("--key-name", default=TUTORIAL_KEY_NAME, help=t("ec2.cli.key_name_help"))
    walk.add_argument("--no-ssh", action="store_true", help=t("ec2.cli.no_ssh_help"))
    walk.add_argument("--no-compare", action="store_true", help=t("ec2.cli.no_compare_help"))
    walk.set_defaults(func=_walkthrough)

    clean = commands.add_parser(
        "cleanup", help=t("ec2.cli.cleanup_help"), description=t("ec2.cli.cleanup_help")
    )
    _target_options(clean)
    clean.add_argument("--key-dir", default=".", type=Path, help=t("ec2.cli.cleanup_key_dir_help"))
    clean.set_defaults(func=_cleanup)


def _target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--real", action="store_true", help=t("ec2.cli.real_help"))
    parser.add_argument("--yes", action="store_true", help=t("ec2.cli.yes_help"))
    parser.add_argument("--region", default=DEFAULT_REGION, help=t("ec2.cli.region_help"))


# -- emulator --------------------------------------------------------------------------------------------


def _start(args: argparse.Namespace) -> int:
    state, started = emulator.start_background()
    print(t("ec2.cli.started" if started else "ec2.cli.already", url=state.url, pid=state.pid))
    print(t("ec2.cli.env_hint"))
    return 0


def _stop(args: argparse.Namespace) -> int:
    state = emulator.stop_background()
    print(t("ec2.cli.stopped", pid=state.pid) if state else t("ec2.cli.not_running"))
    return 0


def _status(args: argparse.Namespace) -> int:
    state = emulator.status()
    if state is None:
        print(t("ec2.cli.not_running"))
        return 1
    print(t("ec2.cli.running", url=state.url, pid=state.pid, seconds=int(time.time() - state.started)))
    return 0


def _env(args: argparse.Namespace) -> int:
    state = emulator.status()
    if state is None:
        raise EC2Error("ec2.no_emulator")
    sys.stdout.write(emulator.env_lines(emulator.emulator_env(state.url)))
    return 0


# -- walkthrough and cleanup -----------------------------------------------------------------------------


def _confirm(text: str, assume_yes: bool) -> bool:
    from bondkit.ec2 import ask_in_terminal

    if assume_yes:
        print(text, file=sys.stderr)
        return True
    return ask_in_terminal(text)


@contextlib.contextmanager
def _target(args: argparse.Namespace) -> Iterator[Any]:
    """Real AWS (confirmed), the background emulator if it runs, else one in this process for the command."""
    from bondkit.ec2 import Target
    from bondkit.ec2.errors import check_region

    check_region(args.region)
    if args.real:
        yield Target.aws(args.region, confirm=lambda text: _confirm(text, args.yes))
        return
    url = emulator.running_url()
    if url:
        yield Target.emulator(url, region=args.region)
        return
    with emulator.Emulator(region=args.region) as emu:
        yield Target.emulator(emu.url, region=args.region)


def _show(value: Any, limit: int = 600) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    elif isinstance(value, list):
        value = [dataclasses.asdict(v) if dataclasses.is_dataclass(v) and not isinstance(v, type) else v
                 for v in value]
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _print_report(report: Any) -> None:
    step = report.step
    print(f"\n[{report.number}] {step.title()}")
    for command in step.cli:
        answers = f"   <<< {command.stdin.strip()!r}" if command.stdin else ""
        print(f"    {t('ec2.cli.label_cli'):7} $ {command.line()}{answers}")
    print(f"    {t('ec2.cli.label_boto3'):7} {step.python}")
    result = step.result
    shown = result.stdout.strip() if getattr(result, "stdout", "") else _show(result)
    print(f"    {t('ec2.cli.label_result'):7} {shown}")
    agreement = report.agreement
    if agreement is not None:
        verdict = t("ec2.cli.same") if agreement.same else t("ec2.cli.differs")
        print(f"    {t('ec2.cli.label_check'):7} $ {agreement.cli_line}")
        print(f"            aws:   {_show(agreement.cli_value, 200)}")
        print(f"            boto3: {_show(agreement.boto3_value, 200)}  -> {verdict}")
    for note in step.notes:
        print(f"    · {note}")
    sys.stdout.flush()


def _print_left(left: Any) -> None:
    if left.empty():
        print(t("ec2.cli.nothing_left"))
    else:
        print(
            t(
                "ec2.cli.left",
                instances=len(left.instances),
                groups=len(left.security_groups),
                keys=len(left.key_pairs),
            )
        )


def _walkthrough(args: argparse.Namespace) -> int:
    from bondkit.ec2.walkthrough import walkthrough

    with _target(args) as target:
        print(t("ec2.cli.target", where=target.where))
        try:
            result = walkthrough(
                target,
                key_name=args.key_name,
                key_dir=args.key_dir,
                keep=args.keep,
                ssh=not args.no_ssh,
                compare=not args.no_compare,
                on_step=_print_report,
            )
        except BaseException as exc:
            for note in getattr(exc, "__notes__", []):
                print(f"bondkit: {note}", file=sys.stderr)
            raise
    print()
    print(t("ec2.cli.summary", steps=len(result.reports), seconds=result.seconds))
    _print_left(result.remaining)
    return 0 if result.all_agree else 1


def _cleanup(args: argparse.Namespace) -> int:
    from bondkit import ec2

    with _target(args) as target:
        step = ec2.cleanup(target, key_dirs=[args.key_dir, Path(".")])
        for command in step.cli:
            print(f"$ {command.line()}")
        for note in step.notes:
            print(note)
        _print_left(ec2.remaining(target))
    return 0
