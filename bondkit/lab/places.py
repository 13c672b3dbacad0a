"""Where the lab keeps what it makes, and the checks a folder passes before the lab uses it.

Two kinds of folder: the one set-up fills for every user of the machine (beside the virtual
environment: the guests' kernel and root image, read-only to them), and each user's own (their cache,
their lab). A user's folder is used only when it is a real directory (not a symlink), owned by the user
and closed to everyone else, so no other user can have made it first or can slip a file into it. A lab
folder is checked harder: every folder above it belongs to root or the user and no one else may write
to it (unless it is sticky, as /tmp is), so nobody can move it away and put another in its place; and
it is closed to the group and to others, even for reading (its keys are root on the guests).
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


def runtime_folder() -> Path:
    """Where this user's lab lives unless ``BONDKIT_LAB_DIR`` says otherwise: ``$XDG_RUNTIME_DIR/bondkit``
    when that folder is the user's own and closed (systemd makes it so at login, in memory, gone at
    logout), else :func:`user_folder`. Never the shared /tmp, where anyone may make a folder first."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime):
        try:
            info = os.lstat(runtime)
        except OSError:
            info = None
        if (info is not None and stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid()
                and not info.st_mode & 0o077):
            return Path(runtime) / "bondkit"
    return user_folder()


def image_folders() -> list[Path]:
    return [system_folder(), user_folder()]


def check_private(folder: Path, *, closed: bool = False) -> Path:
    """``folder`` if it is a real directory of this user's that nobody else may write to (``closed``:
    nor read or enter); else a :class:`LabError` that says what is wrong with it (nothing is changed or
    removed)."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        raise unsafe(folder, "missing") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise unsafe(folder, "not_directory")
    if info.st_uid != os.geteuid():
        raise unsafe(folder, "owner")
    if info.st_mode & 0o022:
        raise unsafe(folder, "writable")
    if closed and info.st_mode & 0o077:
        raise unsafe(folder, "open")
    return folder


def check_ancestors(folder: Path) -> Path:
    """``folder`` with the folders above it resolved, once each of those is root's or this user's and no
    one else may write to it, or it is sticky (as /tmp): then nobody else can rename ``folder`` or a
    folder above it and put one of their own in its place. A :class:`LabError` otherwise."""
    folder = Path(os.path.abspath(folder))
    parent = Path(os.path.realpath(folder.parent))
    for ancestor in (*reversed(parent.parents), parent):
        try:
            info = os.lstat(ancestor)
        except OSError:
            raise unsafe(ancestor, "missing") from None
        if info.st_uid not in (0, os.geteuid()):
            raise unsafe(ancestor, "owner")
        if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            raise unsafe(ancestor, "writable")
    return parent / folder.name


def missing_folders(folder: Path) -> list[Path]:
    """The folders of ``folder``'s path that are not there yet, from ``folder`` up (nothing is made)."""
    missing = []
    top = Path(os.path.abspath(folder))
    while not os.path.lexists(top):
        missing.append(top)
        top = top.parent
    return missing


def lab_folder(folder: Path) -> Path:
    """A lab folder ready for use: made (with any missing folder above it) closed to everyone else, or,
    when it was there already, checked to be this user's, closed and safely placed. Returns its path
    with the folders above it resolved; raises a :class:`LabError` before anything is made inside."""
    folder = Path(os.path.abspath(folder))
    missing = missing_folders(folder)
    if missing:
        check_ancestors(missing[-1])
        for path in reversed(missing):
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
    return check_private(check_ancestors(folder), closed=True)


def existing_lab_folder(folder: Path) -> Path | None:
    """The lab folder when it is there and passes :func:`lab_folder`'s checks, None when it is not there;
    a :class:`LabError` when it is there but unsafe (then nothing in it may be read or removed)."""
    if not os.path.lexists(folder):
        return None
    return check_private(check_ancestors(folder), closed=True)


def lab_subfolder(folder: Path) -> Path:
    """A folder inside a checked lab folder: made closed, or checked to be so when it is there."""
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    return check_private(folder, closed=True)


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


def unsafe(folder: Path, why: str) -> LabError:
    from bondkit.i18n import get_lang, t

    return LabError("lab.folder_unsafe", folder=str(folder), why=t(f"lab.folder_why.{why}", get_lang()))
