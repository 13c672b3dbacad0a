"""A Korean font for matplotlib that never renders Hangul as empty boxes.

The font comes with a Python package (koreanize-matplotlib ships NanumGothic), so it is there wherever
the kit is installed, with or without the system's fonts-nanum. It is registered from the package's
files without importing the package (whose import also changes rcParams and imports distutils), and
put first in a family list with DejaVu Sans behind it: matplotlib falls back glyph by glyph, so the
few symbols NanumGothic lacks (the minus sign U+2212, µ) come from DejaVu instead of a warning.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

KOREAN_FAMILY = "NanumGothic"
FALLBACK_FAMILY = "DejaVu Sans"
_done = False


def korean_font_files() -> list[Path]:
    """The TrueType files of the packaged Korean font (empty if the package is missing)."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    return sorted(folder.glob("NanumGothic*.ttf"))


def use_korean_font() -> str:
    """Register the packaged font once and make it matplotlib's first family; returns the family.

    Latin text looks the same in both languages this way, and figures drawn later (a widget's redraw)
    still find the font.
    """
    global _done
    if not _done:
        known = {entry.fname for entry in font_manager.fontManager.ttflist}
        for path in korean_font_files():
            if str(path) not in known:
                font_manager.fontManager.addfont(str(path))
        _done = True
    families = [name for name in (KOREAN_FAMILY, FALLBACK_FAMILY) if _available(name)]
    mpl.rcParams["font.family"] = families or ["sans-serif"]
    mpl.rcParams["axes.unicode_minus"] = KOREAN_FAMILY not in families
    return families[0] if families else "sans-serif"


def _available(family: str) -> bool:
    return any(entry.name == family for entry in font_manager.fontManager.ttflist)
