"""Where no guest can boot, nothing breaks: the kit says why in one line and the recorded runs stand in.

Every engine is made to fail at boot by a stand-in for QEMU that crashes the way User-Mode Linux did on
CPUs with AMX (tests/fixtures/engines/crashing-qemu): the real test boot runs it, sees the panic, and
every door of the kit (``bondkit demo``, ``bondkit failover``, a notebook, nbval) then works from the
recordings. ``BONDKIT_REQUIRE_LAB=1`` turns the same situation into a failure, as CI needs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CRASHING = ROOT / "tests" / "fixtures" / "engines" / "crashing-qemu"
NOTEBOOK = ROOT / "notebooks" / "en" / "03_failover_test.ipynb"
PANIC = "Kernel panic - not syncing: Attempted to kill init!"


@pytest.fixture
def no_boot_env(tmp_path):
    """A machine where the guest always dies at boot, with a probe cache and lab folder of its own."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("BONDKIT_REQUIRE_LAB", "BONDKIT_NB_LAB", "BONDKIT_LANG")}
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    env.update(BONDKIT_QEMU=str(CRASHING), XDG_CACHE_HOME=str(cache), BONDKIT_LAB_DIR=str(tmp_path / "lab"))
    return env


def _bondkit(env, *args, lang="en"):
    return subprocess.run([sys.executable, "-m", "bondkit", *args], capture_output=True, text=True,
                          timeout=300, env={**env, "BONDKIT_LANG": lang})


def _reason_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "did not boot" in line or "부팅되지 않았습니다" in line]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_demo_and_failover_use_recordings_and_say_why_once(no_boot_env, tmp_path, lang):
    for command in (["demo"], ["failover", "--mode", "active"]):
        out = tmp_path / f"out-{command[0]}-{lang}"
        done = _bondkit(no_boot_env, *command, "--out", str(out), lang=lang)
        assert done.returncode == 0, done.stderr
        lines = _reason_lines(done.stderr)
        assert len(lines) == 1, done.stderr  # one line, not the guest's console
        consoles = list(Path(no_boot_env["XDG_CACHE_HOME"]).glob("bondkit/probes/*/console.log"))
        assert PANIC in lines[0] and any(str(console) in lines[0] for console in consoles)  # its file
        assert (out / "summary.csv").is_file() and list(out.glob("*/figure.png"))
        assert "ptrace set fp regs" not in done.stderr  # the console stays in its file
    assert any("ptrace set fp regs failed" in console.read_text() for console in consoles)


def test_a_notebook_runs_on_recordings_and_tells_why(no_boot_env):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    required = os.environ.pop("BONDKIT_REQUIRE_LAB", None)  # CI sets it; this machine has no lab here
    os.environ.update(no_boot_env)  # the kernel is started with this process's environment
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        for key in ("BONDKIT_QEMU", "XDG_CACHE_HOME", "BONDKIT_LAB_DIR"):
            os.environ.pop(key, None)
        if required is not None:
            os.environ["BONDKIT_REQUIRE_LAB"] = required
    texts = [output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
             for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert not [o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert any(PANIC in text and "recorded" in text for text in texts)


def _nbval(env):
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               "--nbval", str(NOTEBOOK), "--nbval-sanitize-with", str(ROOT / "notebooks/sanitize.cfg")]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)


def test_nbval_passes_on_recordings_and_fails_when_the_lab_is_required(no_boot_env):
    done = _nbval(no_boot_env)
    assert done.returncode == 0, done.stdout[-3000:]
    strict = _nbval({**no_boot_env, "BONDKIT_REQUIRE_LAB": "1"})
    assert strict.returncode != 0
    assert "BONDKIT_REQUIRE_LAB" in strict.stdout


def test_the_cli_fails_when_the_lab_is_required(no_boot_env, tmp_path):
    done = _bondkit({**no_boot_env, "BONDKIT_REQUIRE_LAB": "1"}, "demo", "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "BONDKIT_REQUIRE_LAB" in done.stderr and PANIC in done.stderr
    assert "Traceback" not in done.stderr
    check = _bondkit(no_boot_env, "lab", "check")
    assert check.returncode == 1 and PANIC in check.stdout
