"""Every user-facing string of bondkit, in English and Korean.

The catalog is split into one YAML file per area under ``bondkit/messages/`` so that each part of the
kit owns its strings, but it is loaded as one table: a key may be defined only once, and every key must
exist in both languages (a test checks it). The language comes from ``set_lang``, else the
``BONDKIT_LANG`` environment variable, else the locale (``LANG``/``LC_ALL`` starting with ``ko``).

A Korean particle after a filled-in value is written as the field's format: ``{nic:이/가}``,
``{value!r:은/는}``, ``{ms:.0f:으로/로}``. The particle is chosen from how the value is read aloud
(``enp0s8이``, ``bond0이``, ``100으로``, ``enp0s8로``; see ``bondkit.korean``), so no message needs the
"이(가)" form that reads as a blank to fill in.
"""

from __future__ import annotations

import os
import string
import unicodedata
from functools import cache
from pathlib import Path

import yaml

from bondkit.korean import is_particle_pair, with_particle

LANGS = ("en", "ko")
#: libyaml's loader reads the catalog ten times faster than the pure-Python one (every command
#: loads it before it parses its arguments); the same safe subset of YAML either way.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: The catalog files, installed beside this module (found without importlib.resources, which alone
#: takes a command longer to import than the rest of bondkit's start).
_MESSAGES = Path(__file__).with_name("messages")
_chosen: str | None = None


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All messages, merged from the per-area files; duplicate keys are a packaging bug."""
    merged: dict[str, dict[str, str]] = {}
    for entry in sorted(_MESSAGES.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        table = yaml.load(entry.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        for key, texts in table.items():
            if key in merged:
                raise RuntimeError(f"message key {key!r} defined twice (again in {entry.name})")
            merged[key] = texts
    return merged


def normalize_lang(lang: str | None) -> str:
    if not lang:
        return "en"
    lang = lang.strip().lower().replace("_", "-")
    return "ko" if lang.startswith("ko") else "en"


def set_lang(lang: str | None) -> None:
    """Choose the language for this process (``None`` returns to the environment's choice)."""
    global _chosen
    _chosen = normalize_lang(lang) if lang else None


def get_lang(lang: str | None = None) -> str:
    if lang:
        return normalize_lang(lang)
    if _chosen:
        return _chosen
    env = os.environ.get("BONDKIT_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG")
    return normalize_lang(env)


def notebook_lang(default: str | None = None) -> str:
    """``en`` or ``ko``: the folder the running notebook sits in, else ``default``, else the choice above.

    The English and Korean notebooks share their code cells, so none of them may name a language.
    Jupyter sets ``JPY_SESSION_NAME`` to the notebook's path; Jupyter, nbval and JupyterLite's Pyodide
    kernel start the kernel in the notebook's folder, so the current folder's name says it too.
    """
    candidates = []
    session = os.environ.get("JPY_SESSION_NAME")
    if session:
        candidates.append(Path(session).parent.name)
    candidates.append(Path.cwd().name)
    for name in candidates:
        if name in ("en", "ko"):
            return name
    return normalize_lang(default) if default else get_lang()


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The message ``key`` in the chosen language, with ``{name}`` fields filled from ``params``."""
    texts = catalog().get(key)
    if texts is None:
        raise KeyError(f"no message {key!r} in the catalog")
    text = texts[get_lang(lang)]
    return _FORMATTER.format(text, **params) if params else text


class _ParticleFormatter(string.Formatter):
    """``str.format`` plus a particle pair as the last part of a field's format (``{nic:이/가}``)."""

    def format_field(self, value: object, format_spec: str) -> str:
        spec, _, pair = format_spec.rpartition(":")
        if is_particle_pair(pair):
            return with_particle(format(value, spec), pair)
        return format(value, format_spec)


_FORMATTER = _ParticleFormatter()


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal or in a monospace font: Hangul and other wide characters take
    two, so ``str.ljust`` misaligns Korean tables."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
