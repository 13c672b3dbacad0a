"""The notebooks and the message catalog: two languages, one code, no missing word.

These tests read files only; running the notebooks is nbval's job (``make notebooks``).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import string
import subprocess
from pathlib import Path

import nbformat
import pytest

from bondkit.i18n import LANGS, catalog
from tests.glossary import terms as _terms

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BONDKIT = ROOT / "bondkit"


def _load_build():
    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "scripts" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()
SOURCES = build.sources()
NAMES = [path.stem for path in SOURCES]


def _notebook(lang: str, name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / lang / f"{name}.ipynb", as_version=4)


# --------------------------------------------------------------------------- the notebooks


def test_the_six_notebooks_exist_in_both_languages():
    expected = ["00_start", "01_ec2_cli_and_boto3", "02_bond_configs", "03_failover_test", "04_fail_over_mac",
                "05_beyond"]
    assert NAMES == expected
    for lang in LANGS:
        assert sorted(p.stem for p in (NOTEBOOKS / lang).glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_code_cells_are_identical_in_english_and_korean(name):
    code = {lang: [c.source for c in _notebook(lang, name).cells if c.cell_type == "code"] for lang in LANGS}
    assert code["en"] == code["ko"]
    assert code["en"], "a notebook without code"


def test_committed_notebooks_match_their_sources():
    assert build.check(SOURCES) == []


@pytest.mark.parametrize("path", SOURCES, ids=NAMES)
def test_every_markdown_cell_has_its_twin(path):
    """Markdown comes in en/ko pairs, so a paragraph cannot be added in one language only."""
    cells = build.read_source(path).cells
    langs = [cell.metadata["lang"] for cell in cells if cell.cell_type == "markdown"]
    assert langs == ["en", "ko"] * (len(langs) // 2), f"{path.name}: markdown must alternate en, ko"


@pytest.mark.parametrize("path", SOURCES, ids=NAMES)
def test_notebook_starts_with_objectives_and_has_self_checks(path):
    cells = build.read_source(path).cells
    first = {cell.metadata["lang"]: cell.source for cell in cells[:2]}
    assert "## Objectives" in first["en"] and "## 학습 목표" in first["ko"]
    code = "\n".join(cell.source for cell in cells if cell.cell_type == "code")
    assert code.count("nb.ask(") >= 2, "every notebook asks at least two self-check questions"
    assert "nb.setup()" in cells[[c.cell_type for c in cells].index("code")].source


@pytest.mark.parametrize("path", SOURCES, ids=NAMES)
def test_ignored_outputs_are_few(path):
    code = [cell.source for cell in build.read_source(path).cells if cell.cell_type == "code"]
    ignored = [source for source in code if "NBVAL_IGNORE_OUTPUT" in source]
    assert len(ignored) <= max(2, len(code) // 4), f"{path.name}: {len(ignored)}/{len(code)} cells unchecked"


@pytest.mark.parametrize("path", SOURCES, ids=NAMES)
def test_questions_asked_exist_in_the_catalog(path):
    words = catalog()
    tree = ast.parse("\n".join(cell.source for cell in build.read_source(path).cells
                               if cell.cell_type == "code"))
    asked = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "ask"]
    for call in asked:
        qid = call.args[0].value
        assert f"quiz.{qid}.q" in words and f"quiz.{qid}.why" in words, qid
        if not any(keyword.arg == "choices" for keyword in call.keywords):
            assert f"quiz.{qid}.1" in words and f"quiz.{qid}.2" in words, qid


def _outputs(nb: nbformat.NotebookNode):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.outputs


def _output_text(output) -> str:
    text = output.get("text") or (output.get("data") or {}).get("text/plain") or ""
    return "".join(text) if isinstance(text, list) else text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_each_committed_notebook_is_one_build_and_its_provenance_lines_say_so(name, lang):
    """A notebook's lab outputs all come from one build: all live or all recorded, each ending with the
    line its metadata says it showed (nothing kept from an older build of the other kind)."""
    shown = set()
    for output in _outputs(_notebook(lang, name)):
        lines = ((output.get("metadata") or {}).get("bondkit") or {}).get("provenance")
        if not lines:
            continue
        assert f"({lines['shown']})" in _output_text(output)
        shown.add("live" if lines["shown"] == lines["live"] else "recorded")
    assert len(shown) <= 1, f"{lang}/{name}: live and recorded outputs mixed"
    if name == "03_failover_test":
        assert shown, "03 shows where its lab outputs came from"


@pytest.mark.parametrize("lang", LANGS)
def test_notebook_01_shows_one_instance_id_and_one_public_address(lang):
    """The walkthrough launches one instance: every cell must name the same id and address (A13)."""
    text = "\n".join(_output_text(o) for o in _outputs(_notebook(lang, "01_ec2_cli_and_boto3")))
    ids = set(re.findall(r"(?<![\w-])i-[0-9a-f]{17}(?![0-9a-f])", text))
    public = {address for address in re.findall(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])", text)
              if not address.startswith(("127.", "192.168.", "10.", "172.", "0.", "255."))}
    assert len(ids) == 1, ids
    assert len(public) == 1, public


def test_sanitize_file_does_not_mask_where_an_output_came_from():
    for regex, _replace in build.sanitize_patterns():
        for line in ("(live: run just now on lab host server)",
                     "(recorded: ../../data/recorded/lab/x.txt, saved from the same command on the lab)",
                     "(실시간: 방금 실습 환경의 호스트 server에서 실행)"):
            assert regex.sub(_replace, line) == line, regex.pattern


def test_sanitize_file_is_valid_for_nbval():
    patterns = build.sanitize_patterns()
    text = (NOTEBOOKS / "sanitize.cfg").read_text(encoding="utf-8")
    assert len(patterns) == text.count("\nregex: ") + text.startswith("regex: ")


# --------------------------------------------------------------------------- the catalog


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_catalog_key_has_english_and_korean_with_the_same_fields():
    for key, texts in catalog().items():
        assert set(texts) == set(LANGS), key
        assert all(isinstance(texts[lang], str) and texts[lang].strip() for lang in LANGS), key
        assert _fields(texts["en"]) == _fields(texts["ko"]), key


_KEY_CALL = re.compile(
    r"""(?:\bt|Error|_fail|\bNote\([^,()]*,)\(?\s*["']([a-z0-9_]+(?:\.[A-Za-z0-9_\-]+)+)["']""")


def _bondkit_sources() -> list[Path]:
    """bondkit's modules as committed (work in progress in a shared checkout is not yet the kit's)."""
    try:
        listed = subprocess.run(["git", "ls-files", "bondkit"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return sorted(BONDKIT.rglob("*.py"))
    return [ROOT / name for name in listed if name.endswith(".py")] or sorted(BONDKIT.rglob("*.py"))


def _keys_used_in_bondkit() -> dict[str, str]:
    used: dict[str, str] = {}
    for path in _bondkit_sources():
        for match in _KEY_CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(1), str(path.relative_to(ROOT)))
    return used


def test_every_message_key_used_in_bondkit_exists():
    words = catalog()
    used = _keys_used_in_bondkit()
    assert "lab.bad_switch" in used  # the scan sees LabError("...") calls
    missing = {key: where for key, where in used.items() if key not in words}
    assert not missing, f"keys used but not in bondkit/messages/*.yaml: {missing}"


# --------------------------------------------------------------------------- terminology


def _prose(text: str) -> str:
    """Markdown without code: what is in backticks or fenced blocks is not prose to translate."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"`[^`]*`", " ", text))  # a line break inside a term is a space


def _markdown_pairs() -> list[tuple[str, str, str]]:
    pairs = []
    for path in SOURCES:
        cells = [c for c in build.read_source(path).cells if c.cell_type == "markdown"]
        for en, ko in zip(cells[::2], cells[1::2], strict=True):
            pairs.append((path.name, _prose(en.source), _prose(ko.source)))
    return pairs


def test_terminology_table_is_readable():
    terms = _terms()
    english = {term["en"] for term in terms}
    assert {"bonding", "active-backup", "slave", "failover", "MAC address", "miimon"} <= english
    assert {"본딩", "액티브-백업", "슬레이브", "페일오버", "MAC 주소"} <= {t["ko"] for t in terms}


def test_korean_text_avoids_the_forms_the_glossary_rules_out():
    terms = _terms()
    korean = [(name, ko) for name, _, ko in _markdown_pairs()]
    korean += [(f"catalog:{key}", texts["ko"]) for key, texts in catalog().items()]
    found = [(where, word) for where, text in korean
             for term in terms for word in term["avoid"] if word in text]
    assert not found, f"use the glossary's terms instead of: {found}"


def test_korean_cells_use_the_glossary_term_where_english_uses_the_term():
    terms = [term for term in _terms() if term["paired"]]
    problems = []
    for name, en, ko in _markdown_pairs():
        for term in terms:
            if re.search(rf"\b{term['en']}", en, re.I) and term["ko"] not in ko:
                problems.append((name, term["en"], term["ko"], ko.strip().splitlines()[0][:60]))
    assert not problems, problems
