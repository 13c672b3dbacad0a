"""What `deploy/jupyterhub/start` checks before the hub starts, told in the teacher's language.

The hub would fail later and less clearly: without root it cannot start a server as a student, and a
student on the roster without an account could never log in.
"""

from __future__ import annotations

import os
import pwd
import secrets
import stat
import subprocess
import sys
from pathlib import Path

from bondkit.errors import BondkitError
from bondkit.i18n import t
from bondkit_class.rootfolder import root_folder
from bondkit_class.roster import load_roster, missing_accounts
from bondkit_class.settings import HERE, PROXY_USER, Settings, load_settings
from bondkit_class.studentenv import ensure_student_env, reachable_by_all, student_bin

TOKEN_FILE = "teacher-token"  # in the hub's state folder, for the teacher's scripts


def check(settings: Settings) -> list[str]:
    """Every problem found, as a message; empty when the hub can start."""
    problems = [*network_problems(settings)]
    if os.geteuid() != 0:
        problems.append(t("class.need_root"))
    proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists():
        problems.append(t("class.no_proxy"))
    elif os.geteuid() == 0 and not _proxy_reads(proxy):
        problems.append(t("class.proxy_unreachable", proxy=proxy, user=PROXY_USER))
    if os.geteuid() == 0:
        try:
            root_folder(settings.labs_root)
        except BondkitError as exc:
            problems.append(str(exc))
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


def network_problems(settings: Settings) -> list[str]:
    """The students' passwords never cross a network in clear: an address beyond this machine needs TLS
    (or the teacher's explicit BONDKIT_HUB_INSECURE=1), and TLS needs both of its files."""
    problems = []
    if settings.tls:
        files = (("BONDKIT_HUB_SSL_CERT", settings.ssl_cert), ("BONDKIT_HUB_SSL_KEY", settings.ssl_key))
        for name, path in files:
            if path is None or not path.is_file() or not os.access(path, os.R_OK):
                problems.append(t("class.tls_files", problem=f"{name}={path or ''}"))
            elif os.geteuid() == 0 and not _proxy_reads(path):
                problems.append(t("class.tls_unreadable", file=path, user=PROXY_USER))
    elif not settings.loopback and not settings.insecure:
        problems.append(t("class.insecure_address", ip=settings.ip))
    return problems


def _proxy_reads(path: Path) -> bool:
    """Whether the proxy's account can read ``path`` (the proxy, not root, serves TLS)."""
    ensure_proxy_account()
    done = subprocess.run(["setpriv", f"--reuid={PROXY_USER}", f"--regid={PROXY_USER}", "--clear-groups",
                           "test", "-r", str(path)], capture_output=True)
    return done.returncode == 0


def ensure_proxy_account() -> None:
    """The account configurable-http-proxy runs as: a system account with no home, shell or password,
    so the network-facing proxy is not root (the hub itself must be, to start each student's server)."""
    try:
        pwd.getpwnam(PROXY_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", PROXY_USER], check=True, capture_output=True)


def prepare_state(settings: Settings) -> None:
    """The hub's folder (its database and secrets, root's alone, checked) and the teacher's API token."""
    settings.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(settings.state_dir)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise SystemExit("bondkit: " + t("class.state_unsafe", folder=settings.state_dir,
                                         why=t("class.folder_why.owner")))
    if info.st_mode & 0o077:
        os.chmod(settings.state_dir, 0o700)
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
    ensure_proxy_account()
    url = f"{settings.scheme}://{settings.ip}:{settings.port}/"
    print(t("class.starting", url=url, roster=settings.roster))
    return 0


if __name__ == "__main__":
    sys.exit(main())
