"""The teacher's guide is complete and true to the notebooks: both languages, every notebook with its
minutes, every self-check the notebooks ask with its right answer (read from the catalog, as the widget
shows it), a 90-minute plan, the before-class checklist and the class hub; Korean in the glossary's
terms; every link inside notebooks/teachers/ points to a file that exists.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tests.glossary import avoided_forms
from tests.test_self_checks import QUESTIONS

ROOT = Path(__file__).resolve().parent.parent
TEACHERS = ROOT / "notebooks" / "teachers"
_spec = importlib.util.spec_from_file_location("teachers_answers", ROOT / "scripts" / "teachers_answers.py")
answers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(answers)
HEADINGS = {"en": ("## Before class: a checklist", "## A 90-minute class", "## On the class JupyterHub"),
            "ko": ("## 수업 전 점검표", "## 90분 수업안", "## 수업용 JupyterHub에서")}


def guide(lang: str) -> str:
    return (TEACHERS / f"guide.{lang}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_guide_has_its_sections_and_minutes_for_every_notebook(lang):
    text = guide(lang)
    for heading in HEADINGS[lang]:
        assert heading in text
    unit = "minutes" if lang == "en" else "분"
    for number in ("00", "01", "02", "03", "04", "05"):
        section = re.search(rf"^### {number} · .*$", text, re.M)
        assert section and unit in section.group(0), f"{lang}: notebook {number} has no time"
    assert "deploy/jupyterhub/" in text and "For a class" in text
    assert "BONDKIT_NB_LAB=off" in text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_guide_gives_the_answer_to_every_self_check_as_the_catalog_words_it(lang):
    """Each notebook's answers are what scripts/teachers_answers.py writes from the catalog now: the
    question, the right choice with its letter, and why (run the script after changing a question)."""
    text = guide(lang)
    assert answers.rewritten(text, lang, answers.answers_from_data()) == text, \
        "the catalog's questions changed: run .venv/bin/python scripts/teachers_answers.py"
    for qid, _count, _answer in QUESTIONS:
        assert re.search(rf"^- `{qid}`: .*\n  \*\*[a-h]\) .+\*\*\. ", text, re.M), f"{lang}: {qid}"


def test_answers_read_from_data_are_the_ones_the_notebooks_show():
    assert answers.answers_from_data() == {"03_active_after": "enp0s9", "04_follow_bond": "08:00:27:e8:26:58",
                                           "04_follow_enp0s8": "08:00:27:27:a9:2d"}


@pytest.mark.parametrize("name", ["guide.ko.md", "solutions.ko.md"])
def test_korean_teachers_files_use_the_glossarys_terms(name):
    assert avoided_forms((TEACHERS / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", sorted(TEACHERS.glob("*.md")), ids=lambda p: p.name)
def test_links_between_the_teachers_files_point_to_files_that_exist(path):
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
        assert (path.parent / target).exists(), f"{path.name}: {target}"


CLASS_PACKAGE = {
    "en": ("### The five-minute primer", "### Plan B: the lab cannot run for the room", "### The exit ticket",
           "Students' own laptops", "The projector", "checkpoint (if behind, skip)"),
    "ko": ("### 5분 기초 개념", "### 대안: 교실 전체가 실습 환경을 띄울 수 없을 때", "### 마무리 확인",
           "학생이 가져온 노트북", "프로젝터", "점검 시점(늦으면 건너뛸 것)"),
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_guide_is_a_class_package(lang):
    """A primer slot, a checkpoint in every slot of the plan, a room-wide plan B with what it costs, the
    BYOD route with the container image, projector advice and an exit ticket of transfer questions."""
    from bondkit.notebook.quiz import TRANSFER

    text = guide(lang)
    for heading in CLASS_PACKAGE[lang]:
        assert heading in text, heading
    plan = text.split(HEADINGS[lang][1], 1)[1].split("\n\n", 2)[1]
    rows = [line for line in plan.splitlines() if re.match(r"^\| \d", line)]
    assert len(rows) >= 7
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 4 and cells[3], row  # every slot has its checkpoint
    minutes = [int(re.match(r"(\d+)", row.strip("| ")).group(1)) for row in rows]
    assert minutes == sorted(minutes) and rows[-1].startswith("| 85–90")
    assert "docker build -t bondkit ." in text and "BONDKIT_NB_LAB=off" in text
    ticket = text.split(CLASS_PACKAGE[lang][2], 1)[1].split("\n## ", 1)[0]
    asked = re.findall(r"`(\d\d_[a-z0-9_]+)`", ticket)
    assert asked and all(qid in TRANSFER for qid in asked), asked


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_guide_does_not_teach_the_wrong_miimon_default(lang):
    text = " ".join(guide(lang).split())
    assert "current kernels default to 100" not in text and "요즘 커널은" not in text
    assert "MII Polling Interval (ms): 0" in text
