"""Set-up and language: the notebook's language for every bondkit message, and paths to the kit's data.

The notebooks under ``notebooks/en`` and ``notebooks/ko`` have identical code cells, so nothing in a
code cell may name a language: :func:`setup` finds it from where the notebook lives. Paths are shown
relative to the notebook, so that what a notebook prints is the same on every clone.
"""

from __future__ import annotations

import os
from pathlib import Path

from bondkit.i18n import normalize_lang, notebook_lang, set_lang

#: The repository's data directory (recorded runs, the tutorial's files); ``BONDKIT_DATA`` overrides it.
REPO_DATA = Path(__file__).resolve().parents[2] / "data"


def setup(lang: str | None = None) -> str:
    """Prepare a notebook: choose its language for every bondkit message, and make tables print the same
    width everywhere. Returns the language (``en`` or ``ko``)."""
    chosen = normalize_lang(lang) if lang else notebook_lang()
    set_lang(chosen)
    os.environ["BONDKIT_LANG"] = chosen  # for the `bondkit` and `aws` processes the notebook starts
    _inline_figures()
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return chosen
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.max_rows", 60)
    return chosen


#: Dots per inch of the figures a notebook shows. bondkit's figures are 10 inches wide and fill a
#: notebook's output area (about 850 px) at 83 dpi; they are rendered at twice that and shown at half
#: size (IPython's "retina" format), so that zooming in, or a projector, shows them sharp.
FIGURE_DPI = 166


def _inline_figures() -> None:
    """In a Jupyter kernel, show matplotlib figures as images, including the ``Figure`` objects that
    ``bondkit.plot`` returns (made without pyplot, which is what registers the inline formatter).

    They are rendered at :data:`FIGURE_DPI` and shown at half their pixel size, so that a 10-inch figure
    is as wide as a notebook's output area (about 850 px), with tight bounds, and stays sharp when the
    room zooms in."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    shell.run_line_magic("matplotlib", "inline")
    from matplotlib_inline.backend_inline import InlineBackend

    backend = InlineBackend.instance()
    # the trait is declared Dict[str, str]; print_figure takes the number (matplotlib_inline's own docs)
    backend.print_figure_kwargs = {"bbox_inches": "tight", "dpi": FIGURE_DPI}  # type: ignore[dict-item]
    backend.figure_formats = {"retina"}  # set last: its observer installs the formatter with the kwargs


def data_dir() -> Path:
    """The kit's data directory (``BONDKIT_DATA`` or the repository's ``data/``)."""
    return Path(os.environ.get("BONDKIT_DATA") or REPO_DATA)


def data_path(*parts: str) -> Path:
    """A path under the data directory, relative to the current directory when that is possible.

    Relative paths keep what a notebook prints (lint's ``file:line``, file headers) the same on every
    clone of the repository, wherever it lives.
    """
    target = data_dir().joinpath(*parts)
    try:
        return Path(os.path.relpath(target))
    except ValueError:  # pragma: no cover - another drive on Windows
        return target
