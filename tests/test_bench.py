"""Every bench script still starts and reaches its end, in quick mode, so a broken bench cannot land.

The figures are not checked (tests assert behaviour, not time): only that each script exits 0 and prints
its figures, or, for one that needs the lab, says why it skipped when the lab cannot start here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHES = sorted((ROOT / "bench").glob("bench_*.py"))
QUICK_HEADER = "[quick mode: figures are not held to their targets]"


def needs_the_lab(script: Path) -> bool:
    return "bondkit.lab" in script.read_text(encoding="utf-8")


def reports_through_common(script: Path) -> bool:
    return "from common import" in script.read_text(encoding="utf-8")


def test_the_benches_are_found():
    assert {"bench_cli.py", "bench_ec2.py", "bench_lab.py", "bench_failover.py"} <= {p.name for p in BENCHES}
    bench = ROOT / "bench"
    assert needs_the_lab(bench / "bench_lab.py") and not needs_the_lab(bench / "bench_cli.py")


@pytest.mark.parametrize("script", [pytest.param(path, id=path.name,
                                                 marks=[pytest.mark.lab] if needs_the_lab(path) else [])
                                    for path in BENCHES])
def test_bench_runs_in_quick_mode(script: Path):
    done = subprocess.run([sys.executable, str(script), "--quick"], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) >= 2, done.stdout
    if not reports_through_common(script):
        return
    assert lines[0].endswith(QUICK_HEADER), done.stdout
    skipped = [line for line in lines if line.startswith("  skipped: ")]
    if skipped:
        assert needs_the_lab(script) and skipped[0].strip() != "skipped:", done.stdout


def test_quick_mode_also_comes_from_the_environment():
    environment = {**os.environ, "BONDKIT_BENCH_QUICK": "1"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_cli.py")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=environment)
    assert done.returncode == 0, done.stderr
    assert "median of 1 run(s)" in done.stdout and QUICK_HEADER in done.stdout.splitlines()[0]
