"""``bondkit parse FILE``: read recorded kernel or tool output and show it as a table, JSON or CSV.

The parsing is all in :mod:`bondkit.observe`; this module only reads the file and chooses the form of
the output, so that what a student sees here is exactly what a notebook gets from the library.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from bondkit import observe
from bondkit.i18n import t

if TYPE_CHECKING:  # frames are made by bondkit.observe, which imports pandas only to make one
    import pandas as pd

#: Fields of a /proc/net/bonding result printed above its slave table, in the kernel's order.
_BOND_FIELDS = ("bond", "mode", "fail_over_mac", "primary", "primary_reselect", "active_slave",
                "mii_status", "miimon", "updelay", "downdelay", "peer_notif_delay", "arp_interval",
                "arp_ip_targets")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("parse", help=t("observe.cli.parse_help"),
                                   description=t("observe.cli.parse_help"))
    parser.add_argument("file", metavar="FILE", help=t("observe.cli.file_help"))
    parser.add_argument("--kind", choices=observe.KINDS, help=t("observe.cli.kind_help"))
    parser.add_argument("--bond", metavar="NAME", help=t("observe.cli.bond_help"))
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help=t("observe.cli.json_help"))
    form.add_argument("--csv", action="store_true", help=t("observe.cli.csv_help"))
    parser.set_defaults(func=run_parse)


def run_parse(args: argparse.Namespace) -> int:
    if args.file == "-":
        text = observe.decode(sys.stdin.buffer.read(), "<stdin>")
        kind, parsed = observe.parse(text, args.kind, "<stdin>", args.bond)
    else:
        kind, parsed = observe.parse_file(args.file, args.kind, args.bond)
    if args.json:
        print(json.dumps(_jsonable(parsed), indent=2, ensure_ascii=False))
    elif args.csv:
        observe.to_frame(parsed, kind).to_csv(sys.stdout, index=False)
    else:
        print(format_table(kind, parsed))
    return 0


def _jsonable(value: Any) -> Any:
    """NaN (a lost probe's rtt_ms) is not JSON; it is written as null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def format_table(kind: str, parsed: dict[str, Any] | list[dict[str, Any]]) -> str:
    """A readable text form of a parsed observation (what ``bondkit parse`` prints by default)."""
    frame = observe.to_frame(parsed, kind)
    if kind == "proc-bonding":
        assert isinstance(parsed, dict)
        width = max(len(name) for name in _BOND_FIELDS)
        lines = [f"{name:<{width}}  {_show(parsed[name])}" for name in _BOND_FIELDS]
        lines += ["", t("observe.table.slaves")]
        lines.append(_frame_text(frame.drop(columns="bond")) if len(frame) else t("observe.table.no_slaves"))
        return "\n".join(lines)
    if kind == "ping":
        shown = frame.assign(t=frame["t"].map(lambda when: None if math.isnan(when) else f"{when:.6f}"))
        return "\n".join([_frame_text(shown), "", *_ping_summary(frame)])
    if not len(frame):
        return t("observe.table.no_links")
    # Show only the JSON detail columns that say something for at least one link.
    return _frame_text(frame.dropna(axis="columns", how="all"))


def _ping_summary(frame: pd.DataFrame) -> list[str]:
    answered = frame[~frame["lost"]]
    lost = int(frame["lost"].sum())
    lines = [t("observe.table.pings", probes=len(frame), answered=len(answered), lost=lost)]
    rtt = answered["rtt_ms"].dropna()
    if len(rtt):
        lines.append(t("observe.table.rtt", min=rtt.min(), avg=rtt.mean(), max=rtt.max()))
    return lines


def _frame_text(frame: pd.DataFrame) -> str:
    shown = frame.astype(object).where(frame.notna(), "-")
    return shown.to_string(index=False)


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(value) or "-"
    return str(value)
