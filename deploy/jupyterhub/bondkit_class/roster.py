"""The class list: teachers (the hub's admins) and students, each student in the language they learn in.

A roster is a small YAML file the teacher writes (see ``roster.example.yaml``)::

    teachers: [kim]
    students:
      en: [alice, bob]
      ko: [minji, jisoo]

Every name is a system account on the class server. The language becomes the student's hub group
(``en`` or ``ko``); the teacher can move a student to the other group in the hub's admin page, and the
student's next server opens the notebooks in that language.
"""

from __future__ import annotations

import pwd
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bondkit.errors import ConfigError

LANGS = ("en", "ko")
#: What useradd accepts by default (NAME_REGEX), and what is safe in a path and a URL.
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Roster:
    teachers: tuple[str, ...]
    students: dict[str, str]  # name -> language

    @property
    def everyone(self) -> set[str]:
        return set(self.teachers) | set(self.students)

    def groups(self) -> dict[str, dict[str, list[str]]]:
        """The hub's language groups (``load_groups``), each with its students."""
        return {lang: {"users": sorted(n for n, lg in self.students.items() if lg == lang)} for lang in LANGS}


def load_roster(path: Path) -> Roster:
    """Read and check a roster; a wrong one is a ConfigError that names the file and the entry."""
    source = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError("class.roster_missing", source=source) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError("class.roster_yaml", source=source, line=line + 1 if line is not None else None,
                          error=str(exc).splitlines()[0]) from None
    if not isinstance(data, dict):
        raise ConfigError("class.roster_shape", source=source)
    teachers = tuple(_names(data.get("teachers") or [], source, "teachers"))
    students: dict[str, str] = {}
    by_lang = data.get("students") or {}
    if not isinstance(by_lang, dict):
        raise ConfigError("class.roster_shape", source=source)
    for lang, names in by_lang.items():
        if lang not in LANGS:
            raise ConfigError("class.roster_lang", source=source, language=lang, langs=", ".join(LANGS))
        for name in _names(names or [], source, f"students.{lang}"):
            if name in students:
                raise ConfigError("class.roster_twice", source=source, name=name)
            students[name] = lang
    return Roster(teachers, students)


def _names(names: object, source: str, field: str) -> list[str]:
    if not isinstance(names, list):
        raise ConfigError("class.roster_shape", source=source)
    for name in names:
        if not isinstance(name, str) or not NAME.match(name):
            raise ConfigError("class.roster_name", source=source, field=field, name=name)
    return list(names)


def missing_accounts(roster: Roster) -> list[str]:
    """Roster names that have no system account on this server (each student logs in with theirs)."""
    missing = []
    for name in sorted(roster.everyone):
        try:
            pwd.getpwnam(name)
        except KeyError:
            missing.append(name)
    return missing
