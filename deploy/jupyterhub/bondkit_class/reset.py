"""The teacher's reset: tear down one student's lab, several, or the whole class's (``--all``).

A student's server may keep running: their next lab cell starts a fresh lab (restart the kernel and
run the notebook from the top). Stopping a student's server in the hub's admin page does the same
and stops the server too.
"""

from __future__ import annotations

import argparse
import sys

from bondkit.errors import BondkitError
from bondkit.i18n import t
from bondkit_class.accounts import account
from bondkit_class.roster import load_roster
from bondkit_class.settings import load_settings
from bondkit_class.teardown import tear_down_lab


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="deploy/jupyterhub/reset-labs", description=t("class.reset_help"))
    parser.add_argument("students", nargs="*", metavar="STUDENT", help=t("class.reset_students_help"))
    parser.add_argument("--all", action="store_true", help=t("class.reset_all_help"))
    args = parser.parse_args(argv)
    if not args.all and not args.students:
        parser.error(t("class.reset_whom"))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = load_settings()
    try:
        roster = load_roster(settings.roster)
    except BondkitError as exc:
        print(f"bondkit: {exc}", file=sys.stderr)
        return exc.exit_code
    names = sorted(roster.students) if args.all else args.students
    unknown = [name for name in names if name not in roster.everyone]
    if unknown:
        print(f"bondkit: {t('class.reset_unknown', names=', '.join(unknown), roster=settings.roster)}",
              file=sys.stderr)
        return 2
    for name in names:
        tear_down_lab(settings, account(name))
        print(t("class.reset_done", student=name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
