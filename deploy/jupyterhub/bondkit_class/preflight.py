"""What `deploy/jupyterhub/start` checks before the hub starts, told in the teacher's language.

The hub would fail later and less clearly: without root it cannot start a server as a student, and a
student on the roster without an account could never log in.
"""

from __future__ import annotations

import os
import secrets
import sys

from bondkit.errors import BondkitError
from bondkit.i18n import t
from bondkit_class.roster import load_roster, missing_accounts
from bondkit_class.settings import HERE, Settings, load_settings
from bondkit_class.studentenv import ensure_student_env, reachable_by_all, student_bin

TOKEN_FILE = "teacher-token"  # in the hub's state folder, for the teacher's scripts


def check(settings: Settings) -> list[str]:
    """Every problem found, as a message; empty when the hub can start."""
    problems = []
    if os.geteuid() != 0:
        problems.append(t("class.need_root"))
    if not (HERE / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        problems.append(t("class.no_proxy"))
    ensure_student_env()
    if not reachable_by_all(student_bin() / "python"):
        problems.append(t("class.no_python", python=student_bin() / "python"))
    try:
        roster = load_roster(settings.roster)
    except BondkitError as exc:
        problems.append(str(exc))
    else:
        missing = missing_accounts(roster)
        if missing:
            problems.append(t("class.no_account", names=", ".join(missing)))
    return problems


def prepare_state(settings: Settings) -> None:
    """The hub's folder (its database and secrets, root's alone) and the teacher's API token."""
    settings.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = settings.state_dir / TOKEN_FILE
    if not token.exists():
        token.touch(mode=0o600)
        token.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")


def main() -> int:
    settings = load_settings()
    problems = check(settings)
    if problems:
        print("\n".join(f"bondkit: {problem}" for problem in problems), file=sys.stderr)
        return 2
    prepare_state(settings)
    print(t("class.starting", url=f"http://{settings.ip}:{settings.port}/", roster=settings.roster))
    return 0


if __name__ == "__main__":
    sys.exit(main())
