"""notebooks/TERMINOLOGY.md read as data, and the Korean a student reads gathered in one place: the
catalog, the Korean notebooks' stored outputs and the text of the figures."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def terms() -> list[dict[str, object]]:
    """The rows of the glossary: English, Korean, the forms to avoid, and whether the pair is checked."""
    text = (NOTEBOOKS / "TERMINOLOGY.md").read_text(encoding="utf-8")
    table = text.split("<!-- terms: the test reads the rows of this table -->", 1)[1]
    table = table.split("<!-- end of terms -->", 1)[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        english, korean, avoid, paired, _note = cells
        rows.append({"en": english, "ko": korean, "paired": paired == "✔",
                     "avoid": [word.strip() for word in avoid.split(",") if word.strip()]})
    return rows


def avoided_forms(text: str) -> list[str]:
    """The forms of the glossary's "피할 표현" column that ``text`` uses."""
    return [word for term in terms() for word in term["avoid"] if word in text]


def _visible(mime: str, data: str) -> str:
    """What a reader sees of an output: HTML without its tags."""
    if mime == "text/html":
        return html.unescape(re.sub(r"<[^>]+>", " ", data))
    return data


def stored_outputs(lang: str = "ko") -> list[tuple[str, str]]:
    """Every text output stored in the generated notebooks of ``lang``, as (where, text)."""
    found = []
    for path in sorted((NOTEBOOKS / lang).glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for number, cell in enumerate(notebook.cells):
            for output in cell.get("outputs", []):
                where = f"{path.name} cell {number}"
                if output.output_type == "stream":
                    found.append((where, output.text))
                for mime in ("text/plain", "text/html", "text/markdown"):
                    if mime in output.get("data", {}):
                        found.append((where, _visible(mime, output.data[mime])))
    return found


def figure_texts(fig) -> list[str]:
    """Every string a matplotlib figure draws (titles, labels, ticks, legends, annotations)."""
    return [text.get_text() for text in fig.findobj(lambda artist: hasattr(artist, "get_text"))
            if text.get_text().strip()]
