"""A student's own copy of the notebooks, in their language: made by the student's own uid.

It runs as the student (the spawner starts it with the student's uid), so nothing the student owns,
a symlink included, can make the hub write outside their home. Files already there are kept: a
student's edits survive a restart, and a notebook the kit added since is copied in.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from bondkit_class.settings import REPO

WORKSPACE = "bondkit"  # in the student's home: the folder their server opens
#: JupyterLab's own setting for its interface language (from the Korean language pack).
LAB_LOCALE = Path(".jupyter/lab/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings")
LOCALES = {"en": "en", "ko": "ko_KR"}


def copy_notebooks(home: Path, lang: str) -> Path:
    """Copy the kit's ``notebooks/<lang>`` into ``~/bondkit/<lang>``, missing files only; returns it.

    The folder keeps the language's name: a notebook finds its language from the folder it sits in.
    """
    source = REPO / "notebooks" / lang
    target = home / WORKSPACE / lang
    for path in sorted(source.rglob("*")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        elif not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    return target


def set_interface_language(home: Path, lang: str) -> None:
    """JupyterLab's menus in the student's language, unless the student chose one themselves."""
    settings = home / LAB_LOCALE
    if settings.exists():
        return
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"locale": LOCALES[lang]}, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    home, lang = Path(argv[0]), argv[1]
    copy_notebooks(home, lang)
    set_interface_language(home, lang)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
