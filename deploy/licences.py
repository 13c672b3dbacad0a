"""The licences of everything the kit's container image ships, in one file (``LICENSES-THIRD-PARTY.txt``).

The image carries Debian's packages, the Python packages of ``.venv`` and the class hub's npm packages
besides the kit itself (MIT, see LICENSE). Debian keeps each package's terms in
``/usr/share/doc/PACKAGE/copyright``; this lists the Python and npm packages by name, version and the
licence their own metadata states, and points at Debian's files, so the image says what it is made of.

    python deploy/licences.py OUTPUT
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent


def python_licences() -> list[tuple[str, str, str]]:
    rows = []
    for dist in metadata.distributions():
        meta = dist.metadata
        name = meta.get("Name") or "?"
        licence = meta.get("License-Expression") or ""
        if not licence or len(licence) > 80:  # some put the whole text in License
            classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                           if c.startswith("License ::")]
            licence = ("; ".join(classifiers) or _first_line(meta.get("License") or "")
                       or _licence_file_heading(dist) or "?")
        rows.append((name, dist.version, licence))
    return sorted(set(rows), key=lambda row: row[0].lower())


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:80]


def _licence_file_heading(dist: metadata.Distribution) -> str:
    """The first line of the licence file a wheel ships (``License-File``), which most start with the
    licence's name ("MIT License"): for a package whose metadata names none."""
    for name in dist.metadata.get_all("License-File") or []:
        for path in (f"licenses/{name}", name):
            text = dist.read_text(path)
            if text:
                return _first_line(text)
    return ""


def npm_licences(modules: Path) -> list[tuple[str, str, str]]:
    rows = []
    for package in sorted(modules.glob("**/package.json")):
        folder = package.parent  # a package's own folder: node_modules/NAME or node_modules/@SCOPE/NAME
        scoped = folder.parent.name.startswith("@")
        if (folder.parent.parent if scoped else folder.parent).name != "node_modules":
            continue
        try:
            data = json.loads(package.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if "name" in data and "version" in data:
            licence = data.get("license") or data.get("licenses") or "?"
            rows.append((str(data["name"]), str(data["version"]), str(licence)))
    return sorted(set(rows))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    lines = ["bondkit: MIT (see LICENSE).", "",
             "Debian packages: each package's terms are in /usr/share/doc/PACKAGE/copyright.", "",
             "Python packages (.venv): name, version, licence as the package states it."]
    lines += [f"  {name} {version}: {licence}" for name, version, licence in python_licences()]
    lines += ["", "npm packages (deploy/jupyterhub/node_modules): name, version, licence."]
    lines += [f"  {name} {version}: {licence}"
              for name, version, licence in npm_licences(HERE / "jupyterhub" / "node_modules")]
    Path(argv[0]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
