"""Where the lab keeps what it makes, and the checks a folder passes before the lab uses it.

Two kinds of folder: the one set-up fills for every user of the machine (beside the virtual
environment: the guests' kernel and root image, read-only to them), and each user's own (their cache,
their lab). A user's folder is used only when it is a real directory (not a symlink), owned by the user
and closed to everyone else, so no other user can have made it first or can slip a file into it.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from bondkit.errors import LabError


def system_folder() -> Path:
    """What set-up made for every user of this machine (beside the virtual environment)."""
    return Path(sys.prefix) / "share" / "bondkit"


def user_folder() -> Path:
    """This user's cache of lab images and kernels (``XDG_CACHE_HOME``, else ``~/.cache``)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "bondkit"


def image_folders() -> list[Path]:
    return [system_folder(), user_folder()]


def check_private(folder: Path) -> Path:
    """``folder`` if it is a real directory of this user's that nobody else may write to; else a
    :class:`LabError` that says what is wrong with it (nothing is changed or removed)."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        raise _unsafe(folder, "missing") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise _unsafe(folder, "not_directory")
    if info.st_uid != os.geteuid():
        raise _unsafe(folder, "owner")
    if info.st_mode & 0o022:
        raise _unsafe(folder, "writable")
    return folder


def private_folder(folder: Path, mode: int = 0o700) -> Path:
    """Make ``folder`` (and missing parents) with ``mode`` if it is not there, then check it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, mode=mode)
    except FileExistsError:
        pass
    return check_private(folder)


def image_folder(folder: Path) -> Path:
    """A folder for kernels and images: the shared one readable by every user, a user's own private."""
    return private_folder(folder, 0o755 if folder == system_folder() else 0o700)


def _unsafe(folder: Path, why: str) -> LabError:
    from bondkit.i18n import get_lang, t

    return LabError("lab.folder_unsafe", folder=str(folder), why=t(f"lab.folder_why.{why}", get_lang()))
