"""Every user-facing string of bondkit, in English and Korean.

The catalog is split into one YAML file per area under ``bondkit/messages/`` so that each part of the
kit owns its strings, but it is loaded as one table: a key may be defined only once, and every key must
exist in both languages (a test checks it). The language comes from ``set_lang``, else the
``BONDKIT_LANG`` environment variable, else the locale (``LANG``/``LC_ALL`` starting with ``ko``).
"""

from __future__ import annotations

import os
import unicodedata
from functools import cache
from importlib import resources

import yaml

LANGS = ("en", "ko")
_chosen: str | None = None


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All messages, merged from the per-area files; duplicate keys are a packaging bug."""
    merged: dict[str, dict[str, str]] = {}
    for entry in sorted(resources.files("bondkit.messages").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        table = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
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


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The message ``key`` in the chosen language, with ``{name}`` fields filled from ``params``."""
    texts = catalog().get(key)
    if texts is None:
        raise KeyError(f"no message {key!r} in the catalog")
    text = texts[get_lang(lang)]
    return text.format(**params) if params else text


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal or in a monospace font: Hangul and other wide characters take
    two, so ``str.ljust`` misaligns Korean tables."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
