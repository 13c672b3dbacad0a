"""``bondkit failover`` and ``bondkit demo``: failover experiments from a shell, with a progress bar.

Thin: the runs, figures and tables come from :mod:`bondkit.failover`; this module parses options,
drives a tqdm bar on stderr and prints the summary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bondkit.failover.params import FAULTS, MODES, SWITCHES, RunParams
from bondkit.i18n import get_lang, t


def register(subparsers: argparse._SubParsersAction) -> None:
    failover = subparsers.add_parser("failover", help=t("failover.help"))
    failover.add_argument("--mode", choices=(*MODES, "all"), default="all", help=t("failover.mode_help"))
    failover.add_argument("--fault", choices=FAULTS, default="admin-down", help=t("failover.fault_help"))
    failover.add_argument("--switch", choices=SWITCHES, default="learning", help=t("failover.switch_help"))
    failover.add_argument("--miimon", type=int, default=100, help=t("failover.miimon_help"))
    failover.add_argument("--updelay", type=int, default=0, help=t("failover.delay_help"))
    failover.add_argument("--downdelay", type=int, default=0, help=t("failover.delay_help"))
    failover.add_argument("--primary", help=t("failover.primary_help"))
    failover.add_argument("--arp-interval", type=int, default=0, help=t("failover.arp_interval_help"))
    failover.add_argument("--arp-target", help=t("failover.arp_target_help"))
    failover.add_argument("--host", default="server", help=t("failover.host_help"))
    failover.add_argument("--slave", help=t("failover.slave_help"))
    failover.add_argument("--duration", type=float, default=2.0, help=t("failover.duration_help"))
    failover.add_argument("--out", type=Path, default=Path("bondkit-failover"), help=t("failover.out_help"))
    failover.add_argument("--recorded", action="store_true", help=t("failover.recorded_help"))
    failover.add_argument("--no-figures", action="store_true", help=t("failover.no_figures_help"))
    failover.set_defaults(func=cmd_failover)

    demo = subparsers.add_parser("demo", help=t("failover.demo_help"))
    demo.add_argument("--out", type=Path, default=Path("bondkit-demo"), help=t("failover.out_help"))
    demo.add_argument("--switch", choices=(*SWITCHES, "both"), default="both",
                      help=t("failover.demo_switch_help"))
    demo.add_argument("--recorded", action="store_true", help=t("failover.recorded_help"))
    demo.set_defaults(func=cmd_demo)


def _plans(args: argparse.Namespace) -> list[RunParams]:
    from bondkit.failover.demo import plans_for

    base = RunParams(fault=args.fault, switch=args.switch, miimon=args.miimon, updelay=args.updelay,
                     downdelay=args.downdelay, primary=args.primary, arp_interval=args.arp_interval,
                     arp_ip_target=args.arp_target, host=args.host, slave=args.slave, duration=args.duration)
    return plans_for(MODES if args.mode == "all" else (args.mode,), base)


def cmd_failover(args: argparse.Namespace) -> int:
    return _run(_plans(args), args.out, recorded=args.recorded, figures=not args.no_figures)


def cmd_demo(args: argparse.Namespace) -> int:
    from bondkit.failover.demo import demo_plans

    switches = SWITCHES[::-1] if args.switch == "both" else (args.switch,)
    return _run(demo_plans(switches), args.out, recorded=args.recorded, figures=True)


def _run(plans: list[RunParams], out: Path, *, recorded: bool, figures: bool) -> int:
    """Run ``plans`` on the lab (started for the command unless one runs), or take recorded runs."""
    from tqdm import tqdm

    from bondkit.failover.demo import (
        STAGES,
        lab_session,
        lab_unavailable,
        output_folder,
        recorded_for,
        run_many,
        write_outputs,
    )
    from bondkit.failover.report import explanations, format_table, summary_frame
    from bondkit.failover.store import default_runs_dir
    from bondkit.lab import Lab

    lang = get_lang()
    output_folder(out)
    reason = None if recorded else lab_unavailable()
    if reason:
        print(t("failover.lab_unavailable", reason=reason, directory=default_runs_dir()), file=sys.stderr)
    use_lab = not recorded and reason is None
    running = use_lab and Lab.current() is not None
    total = (len(plans) * len(STAGES) + (0 if running else 2) if use_lab else 0) + (1 if figures else 0)
    with tqdm(total=total, unit="step", file=sys.stderr, dynamic_ncols=True, leave=True) as bar:
        def step(stage: str, info: dict) -> None:
            bar.set_postfix_str(t(f"failover.step.{stage}", **info), refresh=False)
            bar.update(1)

        if use_lab:
            if running:
                bar.write(t("failover.using_running_lab"), file=sys.stderr)
            with lab_session(step) as lab:
                runs = run_many(lab, plans, step)
        else:
            runs = recorded_for(plans)
        write_outputs(runs, out, lang, figures=figures, step=step)
    print(format_table(summary_frame(runs, lang)))
    for line in explanations(runs, lang):
        print(line)
    print(t("failover.wrote", count=len(runs), directory=out))
    return 0
