#!/usr/bin/env python3
"""Write the self-check answers into the teacher's guide (``notebooks/teachers/guide.{en,ko}.md``).

Why generated: the questions, their choices and their explanations live in the message catalog
(``bondkit/messages/notebook.yaml``) and change there; the guide must say exactly what the widget says.
Each notebook's list sits between ``<!-- answers NN -->`` and ``<!-- end answers -->`` and is rewritten
from the notebooks' ``nb.ask(...)`` calls: the question, the right choice with its letter, and why.
Answers a notebook reads from recorded data are read from the same files here.

    .venv/bin/python scripts/teachers_answers.py          # rewrite the guides
    .venv/bin/python scripts/teachers_answers.py --check  # exit 1 if a guide is out of date
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDES = {lang: ROOT / "notebooks" / "teachers" / f"guide.{lang}.md" for lang in ("en", "ko")}
LETTERS = "abcdefghij"
_BLOCK = re.compile(r"(<!-- answers (\d\d) -->\n)(.*?)(<!-- end answers -->)", re.S)


def _build():
    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "scripts" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answers_from_data() -> dict[str, str]:
    """The answers notebooks 03 and 04 read from recorded outputs, read the same way."""
    from bondkit import notebook as nb

    recorded, seed = nb.data_path("recorded", "lab"), nb.data_path("seed", "ip-link")
    after = nb.sh(nb.LabSession(), "server", "cat /proc/net/bonding/bond0",
                  recorded=recorded / "active-after.proc-bonding.txt")
    follow = nb.mac_table({"follow": seed / "follow-after.txt"})
    return {"03_active_after": after.parsed()["active_slave"],
            "04_follow_bond": follow.loc["bond0", "follow"],
            "04_follow_enp0s8": follow.loc["enp0s8", "follow"]}


def asked(source: Path) -> list[tuple[str, list[str] | None, object]]:
    """(id, value choices or None for catalog choices, the answer's literal or None) of each nb.ask."""
    cells = _build().read_source(source).cells
    code = "\n".join(cell.source for cell in cells if cell.cell_type == "code")
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "ask":
            keywords = {k.arg: k.value for k in node.keywords}
            choices = ([str(ast.literal_eval(e)) for e in keywords["choices"].elts]
                       if "choices" in keywords else None)
            try:
                answer = ast.literal_eval(keywords["answer"])
            except ValueError:
                answer = None
            found.append((node.args[0].value, choices, answer))
    return sorted(found, key=lambda item: code.index(f'"{item[0]}"'))


def answer_lines(number: str, lang: str, data: dict[str, str]) -> list[str]:
    from bondkit.i18n import catalog

    words = catalog()
    source = next((ROOT / "notebooks" / "src").glob(f"{number}_*.py"))
    lines = []
    for qid, choices, answer in asked(source):
        if choices is None:
            count = 0
            while f"quiz.{qid}.{count + 1}" in words:
                count += 1
            labels, place = [words[f"quiz.{qid}.{n}"][lang] for n in range(1, count + 1)], int(answer) - 1
        else:
            labels = choices
            place = labels.index(str(answer) if answer is not None else data[qid])
        lines.append(f"- `{qid}`: {words[f'quiz.{qid}.q'][lang]}  \n"
                     f"  **{LETTERS[place]}) {labels[place]}**. {words[f'quiz.{qid}.why'][lang]}")
    return lines


def rewritten(text: str, lang: str, data: dict[str, str]) -> str:
    return _BLOCK.sub(lambda m: m.group(1) + "\n".join(answer_lines(m.group(2), lang, data)) + "\n"
                      + m.group(4), text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the guides are up to date")
    args = parser.parse_args()
    data = answers_from_data()
    stale = []
    for lang, path in GUIDES.items():
        text = path.read_text(encoding="utf-8")
        new = rewritten(text, lang, data)
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in stale:
        print(f"{path.relative_to(ROOT)}: {'out of date' if args.check else 'rewritten'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
