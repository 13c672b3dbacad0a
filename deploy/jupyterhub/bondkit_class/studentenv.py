"""The kit's Python as every student can run it.

A student's server, kernel and ``bondkit`` run with the student's uid, so the environment's interpreter
must be reachable by any account. A ``.venv`` made from Debian's ``python3`` is; one made from an
interpreter inside a private home (pyenv under ``/root``, say) is not. Then the class gets a small
environment of its own, ``deploy/jupyterhub/.student-env``: a venv of the system's interpreter of the
same version that loads the kit's installed packages, configuration and shared files from ``.venv``
(nothing is installed twice) and has the kit's commands, pointing at it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from bondkit_class.settings import HERE, VENV_BIN

STUDENT_ENV = HERE / ".student-env"
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def reachable_by_all(path: Path) -> bool:
    """True when any account can reach ``path`` (every folder on the way and the file itself)."""
    path = Path(os.path.realpath(path))
    for folder in path.parents:
        if not os.stat(folder).st_mode & 0o001:
            return False
    return bool(os.stat(path).st_mode & 0o005)


def kit_interpreter_reachable() -> bool:
    return reachable_by_all(VENV_BIN / "python")


def system_interpreter() -> Path | None:
    """A system Python of the kit's version that every account can run, if there is one."""
    for folder in ("/usr/bin", "/usr/local/bin"):
        candidate = Path(folder) / f"python{VERSION}"
        if candidate.exists() and reachable_by_all(candidate):
            return candidate
    return None


def student_bin() -> Path:
    """Where the students' ``python``, ``jupyterhub-singleuser`` and ``bondkit`` are."""
    return VENV_BIN if kit_interpreter_reachable() else STUDENT_ENV / "bin"


def ensure_student_env() -> Path | None:
    """Make (or bring up to date) the students' environment when the kit's own is out of their reach.
    Returns its bin folder, or None when the kit's own serves (or when no system Python fits)."""
    if kit_interpreter_reachable():
        return None
    python = system_interpreter()
    if python is None:
        return None
    if not (STUDENT_ENV / "bin" / "python").exists():
        subprocess.run([str(python), "-m", "venv", "--without-pip", str(STUDENT_ENV)], check=True)
    site = Path(sysconfig.get_paths()["purelib"])  # the kit's packages, in .venv
    site_packages = STUDENT_ENV / "lib" / f"python{VERSION}" / "site-packages"
    # An "import" line in a .pth file runs at start-up: the kit's folder is added with its own .pth
    # files processed (bondkit's editable install among them).
    pth = f"import site; site.addsitedir({str(site)!r})\n"
    (site_packages / "bondkit-kit.pth").write_text(pth, encoding="utf-8")
    # What the kit keeps under its prefix is found under the students' one too: Jupyter's server
    # extensions, JupyterLab among them (etc/jupyter), JupyterLab's files and Korean language pack
    # (share/jupyter), the lab's root image (share/bondkit).
    for folder in ("etc", "share"):
        link = STUDENT_ENV / folder
        if not link.is_symlink():
            shutil.rmtree(link, ignore_errors=True)
            link.symlink_to(Path(sys.prefix) / folder)
    link_commands(STUDENT_ENV / "bin")
    return STUDENT_ENV / "bin"


def link_commands(target: Path) -> None:
    """The kit's commands (``bondkit``, ``aws``, ``jupyterhub-singleuser``...) run by the students'
    interpreter: copies of the scripts whose first line names the kit's."""
    shebang = f"#!{VENV_BIN / 'python'}"
    for script in sorted(VENV_BIN.iterdir()):
        if not script.is_file() or script.name.startswith(("python", "activate", "pip")):
            continue
        try:
            first, _, rest = script.read_text(encoding="utf-8").partition("\n")
        except UnicodeDecodeError:
            continue
        if first.strip() != shebang:
            continue
        copy = target / script.name
        copy.write_text(f"#!{target / 'python'}\n{rest}", encoding="utf-8")
        shutil.copymode(script, copy)
