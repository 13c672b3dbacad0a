"""The project's own promises: one dependency list in two files, a README that starts with the commands."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = set()
    for item in env["dependencies"]:
        if isinstance(item, dict):
            listed |= {_name(r) for r in item["pip"] if not r.startswith("-e")}
        elif not item.startswith(("python", "pip")):
            listed.add(_name(item))
    assert listed == wanted


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "make demo" in head and "make test" in head
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_container_starts_jupyterlab_with_the_projects_settings():
    """A notebook saved in the container reopens with its widgets: the image's JupyterLab reads the same
    settings folder as `make lab` (widget state saved with the notebook)."""
    settings = ROOT / "scripts" / "jupyterlab-settings"
    assert '"saveState": true' in (settings / "overrides.json").read_text()
    command = (ROOT / "Dockerfile").read_text().split("\nCMD ", 1)[1]
    assert "--LabApp.app_settings_dir=/opt/bondkit/scripts/jupyterlab-settings" in command
    makefile = (ROOT / "Makefile").read_text()
    assert "--LabApp.app_settings_dir=$(CURDIR)/scripts/jupyterlab-settings" in makefile
    assert "WORKDIR /opt/bondkit" in (ROOT / "Dockerfile").read_text()


def test_the_licence_is_the_one_pyproject_names_and_the_image_lists_what_it_ships(tmp_path):
    import subprocess
    import sys

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "deploy/licences.py LICENSES-THIRD-PARTY.txt" in dockerfile
    listing = tmp_path / "licences.txt"
    subprocess.run([sys.executable, str(ROOT / "deploy" / "licences.py"), str(listing)], check=True,
                   timeout=120)
    text = listing.read_text()
    assert "bondkit: MIT" in text and "/usr/share/doc/PACKAGE/copyright" in text
    for package in ("moto", "paramiko", "boto3"):
        assert f"\n  {package} " in text, package
    assert ": ?" not in text  # every package's licence found


def test_no_secret_or_class_file_goes_into_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in ("*.pem", "**/*.pem", "**/roster.yaml", "**/.student-env", ".cache", "**/.aws"):
        assert pattern in ignored, pattern
    assert "RUN PIP_CONSTRAINT=/opt/bondkit/deploy/constraints.txt bash scripts/setup.sh" in (
        ROOT / "Dockerfile").read_text()
    pins = (ROOT / "deploy" / "constraints.txt").read_text().splitlines()
    names = {line.split("==")[0].lower() for line in pins if "==" in line}
    assert {"moto", "paramiko", "jupyterhub", "boto3"} <= names
    assert all("==" in line for line in pins if line and not line.startswith("#"))
