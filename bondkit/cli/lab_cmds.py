"""``bondkit lab up|status|ssh|fault|switch|down``: the embedded lab from a shell."""

from __future__ import annotations

import argparse
import json
import os
import sys

from bondkit.errors import LabError
from bondkit.i18n import display_width, t
from bondkit.lab import FAULTS, SWITCH_PROFILES, Lab, clear_stale_lab, default_directory, tutorial_topology


def register(subparsers: argparse._SubParsersAction) -> None:
    lab = subparsers.add_parser("lab", help=t("labcli.help"))
    verbs = lab.add_subparsers(dest="verb", required=True, metavar="VERB")

    up = verbs.add_parser("up", help=t("labcli.up_help"))
    up.add_argument("--switch", choices=SWITCH_PROFILES, default="learning",
                    help=t("labcli.switch_help"))
    up.add_argument("--hosts", default="client,server", help=t("labcli.hosts_help"))
    up.set_defaults(func=lab_up)

    status = verbs.add_parser("status", help=t("labcli.status_help"))
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=lab_status)

    ssh = verbs.add_parser("ssh", help=t("labcli.ssh_help"))
    ssh.add_argument("host")
    ssh.add_argument("command", nargs=argparse.REMAINDER)
    ssh.set_defaults(func=lab_ssh)

    fault = verbs.add_parser("fault", help=t("labcli.fault_help"))
    fault.add_argument("host")
    fault.add_argument("iface")
    fault.add_argument("kind", choices=FAULTS)
    fault.set_defaults(func=lab_fault)

    switch = verbs.add_parser("switch", help=t("labcli.switch_help"))
    switch.add_argument("--json", action="store_true")
    switch.set_defaults(func=lab_switch)

    down = verbs.add_parser("down", help=t("labcli.down_help"))
    down.set_defaults(func=lab_down)

    check = verbs.add_parser("check", help=t("labcli.check_help"))
    check.add_argument("--again", action="store_true", help=t("labcli.check_again_help"))
    check.set_defaults(func=lab_check)


def running_lab() -> Lab:
    lab = Lab.current()
    if lab is None:
        raise LabError("lab.not_running")
    return lab


def lab_up(args: argparse.Namespace) -> int:
    topology = tutorial_topology(tuple(h.strip() for h in args.hosts.split(",") if h.strip()))
    lab = Lab(topology, switch=args.switch, keep=True).up()
    print(t("labcli.up_done", hosts=", ".join(lab.hosts), switch=lab.switch))
    for name in lab.hosts:
        print(f"  bondkit lab ssh {name}")
    return 0


def lab_status(args: argparse.Namespace) -> int:
    lab = Lab.current()
    if lab is None:
        print(t("labcli.not_running"))
        return 1
    status = lab.status()
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    print(t("labcli.status_line", switch=status["switch"], directory=status["directory"]))
    for name, info in status["hosts"].items():
        print(f"  {name:10} ssh {info['ssh']}")
    for where, kind in status["faults"].items():
        print(f"  {t('labcli.fault_word')}: {where} {kind}")
    return 0


def lab_ssh(args: argparse.Namespace) -> int:
    """OpenSSH does the work, with the lab's keys and a connection shared between calls: a command
    answers at terminal speed, and an interactive login gets a real terminal."""
    lab = running_lab()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    argv = lab.ssh_command(args.host, *command)
    if not command:
        argv.insert(1, "-t")
    sys.stdout.flush()
    os.execvp(argv[0], argv)
    return 0


def lab_fault(args: argparse.Namespace) -> int:
    running_lab().fault(args.host, args.iface, args.kind)
    print(t("labcli.fault_done", host=args.host, iface=args.iface, kind=args.kind))
    return 0


#: The columns ``bondkit lab switch`` prints, in order (see bondkit.lab.switch.NAMED_COLUMNS).
SWITCH_COLUMNS = ("mac", "owner", "port", "port_nic", "via", "age_s")


def lab_switch(args: argparse.Namespace) -> int:
    """The data switch's forwarding table: which MAC it sends to which port, named after the NICs."""
    table = running_lab().switch_table()
    if args.json:
        print(json.dumps(table.to_dict(orient="records"), indent=2, default=str))
        return 0
    if table.empty:
        print(t("labcli.switch_empty"))
        return 0
    rows = [[t(f"labcli.switch.col.{column}") for column in SWITCH_COLUMNS]]
    for record in table.to_dict(orient="records"):
        via = t(f"labcli.switch.via.{record['via']}")
        rows.append([str(record["mac"]), record["owner"] or "?", str(record["port"]),
                     record["port_nic"] or "?", via, str(record["age_s"])])
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(SWITCH_COLUMNS))]
    for row in rows:
        cells = zip(row, widths, strict=True)
        print("  ".join(cell + " " * (width - display_width(cell)) for cell, width in cells).rstrip())
    return 0


def lab_down(args: argparse.Namespace) -> int:
    lab = Lab.current()
    if lab:
        lab.down()
    else:
        clear_stale_lab(default_directory())
    print(t("labcli.down_done"))
    return 0


def confinement_rows(abi: int) -> list[tuple[str, str]]:
    """What the lab's confinement holds on this kernel and what it does not (see bondkit.lab.confine)."""
    from bondkit.lab.confine import coverage

    if abi < 1:
        return []
    held = coverage(abi)
    covered = [t(f"labcli.check.cover.{what}") for what, yes in held.items() if yes]
    rows = [("covered", ", ".join(covered))]
    missing = [t(f"labcli.check.cover.{what}") for what, yes in held.items() if not yes]
    return rows + [("not_covered", ", ".join([*missing, t("labcli.check.cover.never")]))]


def lab_check(args: argparse.Namespace) -> int:
    """What this machine can run: the engine and its pieces, then a real test boot (remembered)."""
    from bondkit.lab import missing_pieces
    from bondkit.lab.confine import abi_version
    from bondkit.lab.engine import choose_engine
    from bondkit.lab.probe import probe

    engine = choose_engine()
    missing = missing_pieces(engine)
    problem = None
    if not missing:
        try:
            engine.prepare()  # fetches the kernel and builds the image when this user has none yet
        except LabError as error:
            problem = error.message()
    facts = engine.describe()
    rows = [("engine", f"{facts['engine']} {facts.get('version', '')}".strip()),
            ("program", facts.get("program") or t("labcli.check.none")),
            ("arch", facts.get("arch", "")), ("accel", facts.get("accel", "")),
            ("kernel", facts.get("kernel") or t("labcli.check.not_yet")),
            ("image", facts.get("image") or t("labcli.check.not_yet")),
            ("landlock", str(abi_version()) if abi_version() else t("labcli.check.none")),
            *confinement_rows(abi_version())]
    rows += [("missing", f"{what}: {how}") for what, how in missing]
    for key, value in rows:
        print(f"  {t('labcli.check.' + key)}: {value}")
    if missing or problem:
        reason = problem or t("lab.why.missing", pieces="; ".join(what for what, _ in missing))
        print(t("labcli.check.cannot", reason=reason))
        return 1
    result = probe(engine, again=args.again)
    if result.ok:
        booted = t("labcli.check.booted", seconds=result.seconds, guest=result.detail)
        print(f"  {t('labcli.check.boot')}: {booted}")
        print(t("labcli.check.can"))
        return 0
    print(f"  {t('labcli.check.boot')}: {result.detail} ({result.console})")
    print(t("labcli.check.cannot", reason=t("lab.why.no_boot", detail=result.detail, console=result.console)))
    return 1
