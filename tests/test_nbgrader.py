"""The graded version of the exercises works with the real nbgrader: ``generate_assignment`` strips the
solutions from ``notebooks/teachers/nbgrader/bond_configs.py``, ``autograde`` gives the key's answers
full marks and the released, unanswered notebook none.

The course lives in a scratch folder, as a teacher's would: source/, release/, submitted/, autograded/
and the gradebook, under one nbgrader_config.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "teachers" / "nbgrader" / "bond_configs.py"
NBGRADER = Path(sys.executable).parent / "nbgrader"
pytestmark = pytest.mark.skipif(not NBGRADER.exists(),
                                reason="nbgrader is not installed (pip install -e .[test])")
ASSIGNMENT = "bond_configs"


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs alembic and jupyter by name: the venv's own come first
    env = {**os.environ, "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(NBGRADER), *args], cwd=course, capture_output=True, text=True, timeout=600,
                          env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _score(course: Path, student: str) -> tuple[float, float]:
    """The student's score and the maximum, read through nbgrader's own gradebook API."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return float(submission.score), float(submission.max_score)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    import jupytext

    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n")
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    jupytext.write(jupytext.read(SOURCE, fmt="py:percent"), source / f"{ASSIGNMENT}.ipynb")
    _nbgrader(course, "db", "assignment", "add", ASSIGNMENT)
    _nbgrader(course, "db", "student", "add", "keyed")
    _nbgrader(course, "db", "student", "add", "blank")
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course


def test_the_released_notebook_has_no_solutions(course):
    released = (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in released and "arp_validate=all" not in released
    assert released.count("raise NotImplementedError()") == 3


def test_the_keys_answers_get_full_marks_and_a_blank_notebook_none(course):
    for student, notebook in (("keyed", course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
                              ("blank", course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, folder / f"{ASSIGNMENT}.ipynb")
        _nbgrader(course, "autograde", ASSIGNMENT, "--student", student, "--force")
    assert _score(course, "keyed") == (5.0, 5.0)
    assert _score(course, "blank") == (0.0, 5.0)
