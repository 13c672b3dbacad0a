"""``bondkit lint``, ``bondkit show`` and ``bondkit convert``: bond configuration files at the shell.

All the work is in :mod:`bondkit.formats` and :mod:`bondkit.lint`; this module reads the arguments and
chooses the form of the output, so a student sees here what a notebook gets from the library.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bondkit import formats
from bondkit.errors import ConfigError
from bondkit.i18n import display_width, t
from bondkit.lint import counts, lint
from bondkit.spec import BondSpec


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
    convert.set_defaults(func=run_convert)

    check = subparsers.add_parser("lint", help=t("lint.cli.help"), description=t("lint.cli.help"))
    check.add_argument("paths", nargs="+", metavar="PATH", help=t("lint.cli.paths_help"))
    check.add_argument("--json", action="store_true", help=t("lint.cli.json_help"))
    check.set_defaults(func=run_lint)


def run_show(args: argparse.Namespace) -> int:
    specs = formats.load(args.paths)
    if args.json:
        print(json.dumps([spec.to_dict() for spec in specs], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(describe(spec) for spec in specs))
    return 0


def describe(spec: BondSpec) -> str:
    """A short, translated text form of a bond, for ``bondkit show`` and notebooks."""
    none = t("formats.show.none")
    where = spec.origin.get("bond")
    rows = [
        ("mode", spec.mode),
        ("options", " ".join(f"{name}={value}" for name, value in spec.kernel_options()[1:]) or none),
        ("slaves", ", ".join(spec.slave_names) or none),
        ("addresses", ", ".join(spec.addresses) or none),
        ("gateway", spec.gateway or none),
        ("routes", ", ".join(f"{dest} via {via}" for dest, via in spec.routes) or none),
        ("dhcp4", t("formats.show.yes") if spec.dhcp4 else t("formats.show.no")),
    ]
    labels = [t(f"formats.show.{name}") for name, _ in rows]
    width = max(display_width(label) for label in labels)
    head = f"{spec.name}  ({where})" if where else spec.name
    body = [f"  {label}{' ' * (width - display_width(label))}  {value}"
            for label, (_, value) in zip(labels, rows, strict=True)]
    return "\n".join([head, *body])


def run_convert(args: argparse.Namespace) -> int:
    files = formats.convert(args.paths, args.to)
    if not args.out:
        print("\n".join(f"# ==> {name} <==\n{text}" for name, text in files.items()), end="")
        return 0
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            path = out / name
            path.write_text(text, encoding="utf-8")
            path.chmod(formats.file_mode(args.to, name))
            print(t("formats.cli.wrote", path=path))
    except OSError as exc:
        raise ConfigError("formats.cannot_write", source=str(out), problem=exc.strerror or str(exc)) from None
    return 0


def run_lint(args: argparse.Namespace) -> int:
    findings = lint(args.paths)
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            print(finding.format())
        print(t("lint.cli.summary", **counts(findings)) if findings else t("lint.cli.clean"))
    return 1 if any(f.severity == "error" for f in findings) else 0
