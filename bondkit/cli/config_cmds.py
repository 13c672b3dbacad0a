"""``bondkit lint``, ``bondkit show`` and ``bondkit convert``: bond configuration files at the shell.

All the work is in :mod:`bondkit.formats` and :mod:`bondkit.lint`; this module reads the arguments and
chooses the form of the output, so a student sees here what a notebook gets from the library.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bondkit import formats
from bondkit.errors import ConfigError
from bondkit.formats.report import describe, migration_report
from bondkit.i18n import t
from bondkit.lint import counts, lint


def register(subparsers: argparse._SubParsersAction) -> None:
    show = subparsers.add_parser("show", help=t("formats.cli.show_help"),
                                 description=t("formats.cli.show_help"))
    show.add_argument("paths", nargs="+", metavar="PATH", help=t("formats.cli.paths_help"))
    show.add_argument("--json", action="store_true", help=t("formats.cli.json_help"))
    show.set_defaults(func=run_show)

    convert = subparsers.add_parser("convert", help=t("formats.cli.convert_help"),
                                    description=t("formats.cli.convert_help"))
    convert.add_argument("paths", nargs="+", metavar="PATH", help=t("formats.cli.paths_help"))
    convert.add_argument("--to", required=True, choices=tuple(formats.FORMATS), help=t("formats.cli.to_help"))
    convert.add_argument("--out", metavar="DIR", help=t("formats.cli.out_help"))
    convert.add_argument("--strict", action="store_true", help=t("formats.cli.strict_help"))
    convert.add_argument("--report", metavar="FILE", help=t("formats.cli.report_help"))
    convert.set_defaults(func=run_convert)

    check = subparsers.add_parser("lint", help=t("lint.cli.help"), description=t("lint.cli.help"))
    check.add_argument("paths", nargs="+", metavar="PATH", help=t("lint.cli.paths_help"))
    check.add_argument("--json", action="store_true", help=t("lint.cli.json_help"))
    check.add_argument("--to", choices=tuple(formats.FORMATS), help=t("lint.cli.to_help"))
    check.set_defaults(func=run_lint)


def run_show(args: argparse.Namespace) -> int:
    specs = formats.load(args.paths)
    if args.json:
        print(json.dumps([spec.to_dict() for spec in specs], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(describe(spec) for spec in specs))
    return 0


def run_convert(args: argparse.Namespace) -> int:
    """Files on stdout (or in ``--out``), and on stderr every setting the target cannot carry."""
    result = formats.convert_all(args.paths, args.to)
    for loss in result.lost:
        print(loss.format(), file=sys.stderr)
    if result.lost:
        print(t("formats.cli.lost_summary", count=len(result.lost), target=args.to), file=sys.stderr)
    else:
        print(t("formats.cli.complete", target=args.to), file=sys.stderr)
    if args.report:
        _write(Path(args.report), migration_report(result.specs, result.files, result.lost, args.to), None)
    if args.strict and result.lost:
        return 1
    if not args.out:
        print("\n".join(f"# ==> {name} <==\n{text}" for name, text in result.files.items()), end="")
        return 0
    out = Path(args.out)
    for name, text in result.files.items():
        _write(out / name, text, formats.file_mode(args.to, name))
    return 0


def _write(path: Path, text: str, mode: int | None) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if mode is not None:
            path.chmod(mode)
    except OSError as exc:
        raise ConfigError("formats.cannot_write", source=str(path),
                          problem=exc.strerror or str(exc)) from None
    print(t("formats.cli.wrote", path=path))


def run_lint(args: argparse.Namespace) -> int:
    findings = lint(args.paths, to=args.to)
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            print(finding.format())
        print(t("lint.cli.summary", None, **counts(findings)) if findings else t("lint.cli.clean"))
    return 1 if any(f.severity == "error" for f in findings) else 0
