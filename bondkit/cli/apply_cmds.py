"""``bondkit apply HOST PATH...`` and ``bondkit restore HOST``: the library's apply and restore at a shell.

Thin on purpose: this module finds the host (a guest of the running lab, or ``--ssh USER@ADDRESS``
with ``--key``), prints each step the moment :func:`bondkit.apply.apply` takes it, and leaves every
decision to the library, so a notebook cell and the shell behave the same.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from bondkit.apply import ROLLBACK_AFTER_S, Step, apply, restore
from bondkit.errors import ApplyError
from bondkit.i18n import t
from bondkit.ssh import Host

_SSH_TARGET = re.compile(r"([^@\s]+)@(\[[^\]]+\]|[^:\s]+)(?::([0-9]{1,5}))?")


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("apply", help=t("apply.cli.help"), description=t("apply.cli.help"))
    run.add_argument("host", metavar="HOST", help=t("apply.cli.host_help"))
    run.add_argument("paths", nargs="+", metavar="PATH", help=t("apply.cli.paths_help"))
    _target_arguments(run)
    run.add_argument("--force", action="store_true", help=t("apply.cli.force_help"))
    run.add_argument("--rollback-after", type=float, default=ROLLBACK_AFTER_S, metavar="SECONDS",
                     help=t("apply.cli.rollback_help", seconds=f"{ROLLBACK_AFTER_S:g}"))
    run.set_defaults(func=run_apply)

    back = subparsers.add_parser("restore", help=t("apply.cli.restore_help"),
                                 description=t("apply.cli.restore_help"))
    back.add_argument("host", metavar="HOST", help=t("apply.cli.host_help"))
    _target_arguments(back)
    back.set_defaults(func=run_restore)


def _target_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--lab", action="store_true", help=t("apply.cli.lab_help"))
    where.add_argument("--ssh", metavar="USER@ADDRESS[:PORT]", help=t("apply.cli.ssh_help"))
    parser.add_argument("--key", metavar="FILE", help=t("apply.cli.key_help"))
    parser.add_argument("--known-hosts", metavar="FILE", help=t("apply.cli.known_hosts_help"))
    parser.add_argument("--json", action="store_true", help=t("apply.cli.json_help"))


def parse_ssh_target(value: str) -> tuple[str, str, int]:
    """``USER@ADDRESS[:PORT]`` (an IPv6 address in brackets) as (user, address, port)."""
    match = _SSH_TARGET.fullmatch(value.strip())
    if not match or (match.group(3) and not 0 < int(match.group(3)) < 65536):
        raise ApplyError("apply.cli.bad_ssh", value=value)
    return match.group(1), match.group(2).strip("[]"), int(match.group(3) or 22)


def resolve_host(args: argparse.Namespace) -> Host:
    """The host named on the command line: over --ssh, else a guest of the running lab."""
    if args.ssh:
        if not args.key:
            raise ApplyError("apply.cli.key_required")
        user, address, port = parse_ssh_target(args.ssh)
        return Host(address, port, user=user, key_file=args.key, known_hosts=args.known_hosts, name=args.host)
    from bondkit.lab import Lab

    lab = Lab.current()
    if lab is None:
        raise ApplyError("apply.cli.need_target", host=args.host)
    if args.host not in lab.hosts:
        raise ApplyError("apply.cli.unknown_lab_host", host=args.host, hosts=", ".join(lab.hosts))
    return lab.host(args.host)


def _printer(args: argparse.Namespace):
    def show(step: Step) -> None:
        if not args.json:
            print(step.format(), flush=True)

    return show


def run_apply(args: argparse.Namespace) -> int:
    return _act(args, lambda host: apply(host, args.paths, force=args.force,
                                         rollback_after=args.rollback_after, on_step=_printer(args)),
                "apply.cli.done")


def run_restore(args: argparse.Namespace) -> int:
    return _act(args, lambda host: restore(host, on_step=_printer(args)), "apply.cli.restored_done")


def _act(args: argparse.Namespace, action, done_key: str) -> int:
    """Run ``action`` on the host the arguments name, then print its report (JSON) or a last line."""
    host = resolve_host(args)
    try:
        report = action(host)
    finally:
        if args.ssh:
            host.close()
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(t(done_key, host=args.host), file=sys.stderr)
    return 0
