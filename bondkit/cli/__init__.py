"""The ``bondkit`` command: a thin layer over the library.

Each area adds its sub-commands from its own module (listed in ``COMMAND_MODULES``), which exposes
``register(subparsers)`` and sets ``func`` on its parsers. A BondkitError is printed in the user's
language without a traceback, and the command exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence

from bondkit.errors import BondkitError
from bondkit.i18n import set_lang, t

COMMAND_MODULES = (
    "bondkit.cli.config_cmds",
    "bondkit.cli.lab_cmds",
    "bondkit.cli.observe_cmds",
    "bondkit.cli.ec2_cmds",
    "bondkit.cli.failover_cmds",
    "bondkit.cli.apply_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bondkit", description=t("cli.description"))
    parser.add_argument("--lang", choices=("en", "ko"), help=t("cli.lang_help"))
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The language is needed before the parser is built, since help texts come from the catalog.
    if "--lang" in argv[:-1]:
        set_lang(argv[argv.index("--lang") + 1])
    args = build_parser().parse_args(argv)
    # A terminated command unwinds like an interrupted one, so labs and emulators it started are ended.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    if args.lang:
        set_lang(args.lang)
    try:
        return int(args.func(args) or 0)
    except BondkitError as exc:
        print(f"bondkit: {t('error.prefix')}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"bondkit: {t('cli.interrupted')}", file=sys.stderr)
        return 130


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
