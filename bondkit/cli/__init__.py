"""The ``bondkit`` command: a thin layer over the library.

Each area adds its sub-commands from its own module, which exposes ``register(subparsers)`` and sets
``func`` on its parsers. Only the module of the command being run is imported (``COMMANDS`` says which
module adds which command, and the line ``bondkit --help`` shows for it), so that ``bondkit --help`` and
``bondkit lint`` start about as fast as Python does: no command pays for another's imports (pandas,
paramiko, boto3, the lab). A BondkitError is printed in the user's language without a traceback, and
the command exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence

from bondkit.errors import BondkitError
from bondkit.i18n import set_lang, t

#: For each module of commands, in the order ``bondkit --help`` lists them: its commands and the
#: catalog key of each one's help line.
COMMANDS: dict[str, dict[str, str]] = {
    "bondkit.cli.config_cmds": {"show": "formats.cli.show_help", "convert": "formats.cli.convert_help",
                                "lint": "lint.cli.help"},
    "bondkit.cli.lab_cmds": {"lab": "labcli.help"},
    "bondkit.cli.observe_cmds": {"parse": "observe.cli.parse_help"},
    "bondkit.cli.ec2_cmds": {"ec2": "ec2.cli.help"},
    "bondkit.cli.failover_cmds": {"failover": "failover.help", "demo": "failover.demo_help"},
    "bondkit.cli.apply_cmds": {"apply": "apply.cli.help", "restore": "apply.cli.restore_help"},
}


def module_of(command: str | None) -> str | None:
    """The module that adds ``command`` (None for no command or one bondkit does not have)."""
    return next((module for module, names in COMMANDS.items() if command in names), None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, complete for ``command``; every other command is only named, with its help line."""
    parser = argparse.ArgumentParser(prog="bondkit", description=t("cli.description"))
    parser.add_argument("--lang", choices=("en", "ko"), help=t("cli.lang_help"))
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = module_of(command)
    for module, names in COMMANDS.items():
        if module == chosen:
            importlib.import_module(module).register(subparsers)
            continue
        for name, key in names.items():
            subparsers.add_parser(name, help=t(key), add_help=False)
    return parser


def command_in(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (the first word that is neither an option nor ``--lang``'s value)."""
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--lang")
    first.add_argument("command", nargs="?")
    try:
        return first.parse_known_args(argv)[0].command
    except SystemExit:  # a malformed line: the full parser says what is wrong with it
        return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The language is needed before the parser is built, since help texts come from the catalog.
    if "--lang" in argv[:-1]:
        set_lang(argv[argv.index("--lang") + 1])
    args = build_parser(command_in(argv)).parse_args(argv)
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
    except BrokenPipeError:
        # The reader went away (``bondkit show ... | head``): stop quietly, as other filters do, and keep
        # Python from failing again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
