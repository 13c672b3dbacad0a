"""The ``bondkit`` command starts like Python: parsing its arguments imports no heavy library.

Each check runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import bondkit.cli

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "matplotlib", "boto3", "botocore", "paramiko", "moto")


def heavy_modules_after(code: str) -> list[str]:
    """The heavy top-level modules that a new interpreter has imported once it has run ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return sorted({name.split(".")[0] for name in loaded} & set(HEAVY))


def test_importing_the_cli_imports_no_heavy_library():
    assert heavy_modules_after("import bondkit.cli") == []


def test_help_and_lint_import_no_heavy_library():
    run = ("import contextlib, io\nfrom bondkit.cli import main\n"
           "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
           "    main({argv!r})")
    assert heavy_modules_after(run.format(argv=["--help"])) == []
    assert heavy_modules_after(run.format(argv=["lint", "data/seed/centos/server"])) == []
    parse = ["parse", "data/seed/ip-link/none-before.txt", "--json"]
    assert heavy_modules_after(run.format(argv=parse)) == []


def test_the_probe_sees_a_heavy_import():
    assert heavy_modules_after("import paramiko") == ["paramiko"]


#: Arguments that make each command's line complete.
ARGS = {"show": ["x"], "convert": ["x", "--to", "netplan"], "lint": ["x"], "parse": ["x"],
        "apply": ["h", "x"], "restore": ["h"], "lab": ["status"], "ec2": ["emulator", "status"],
        "failover": [], "demo": []}


def test_the_table_names_every_command_once():
    names = [name for commands in bondkit.cli.COMMANDS.values() for name in commands]
    assert sorted(names) == sorted(ARGS)


@pytest.mark.parametrize("module", list(bondkit.cli.COMMANDS))
def test_each_module_adds_the_commands_the_table_names(module):
    """``bondkit --help`` reads the same whichever command the line names, so the table is the truth."""
    listing = bondkit.cli.build_parser(None).format_help()
    for command in bondkit.cli.COMMANDS[module]:
        parser = bondkit.cli.build_parser(command)
        assert parser.format_help() == listing
        assert callable(parser.parse_args([command, *ARGS[command]]).func)


def test_an_unknown_command_is_refused_with_the_list_of_commands(capsys):
    with pytest.raises(SystemExit) as stop:
        bondkit.cli.main(["bogus"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err and "'lint'" in err and "'restore'" in err


def test_the_command_is_found_after_the_language_option(capsys):
    assert bondkit.cli.command_in(["--lang", "ko", "lint", "x"]) == "lint"
    assert bondkit.cli.command_in(["--lang=ko", "show", "x"]) == "show"
    assert bondkit.cli.command_in(["-h"]) is None
    assert bondkit.cli.main(["--lang", "ko", "lint", str(ROOT / "data" / "seed" / "centos")]) in (0, 1)
    out = capsys.readouterr().out
    assert any("\uac00" <= ch <= "\ud7a3" for ch in out), out


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    """``bondkit show ... | head``: the pipe closes under a long output; no traceback follows."""
    nics = "".join(f"    e{i}: {{}}\n" for i in range(600))
    bonds = "".join(f"    bond{i}: {{interfaces: [e{2 * i}, e{2 * i + 1}], "
                    "parameters: {mode: active-backup}}\n" for i in range(300))
    (tmp_path / "01-many.yaml").write_text(f"network:\n  version: 2\n  ethernets:\n{nics}  bonds:\n{bonds}")
    script = f"{sys.executable} -m bondkit show --json {tmp_path / '01-many.yaml'} | head -c 10"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert len(done.stdout) == 10, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 141
