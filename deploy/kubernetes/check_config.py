"""Check config.yaml against the Zero to JupyterHub chart it is meant for, as Helm would.

    python deploy/kubernetes/check_config.py PATH/TO/zero-to-jupyterhub-k8s/jupyterhub

PATH is the chart's folder (in a clone of the chart's repository, or an unpacked chart): its
``values.yaml`` (the defaults) and ``values.schema.yaml`` or ``values.schema.json``. Like ``helm
install``, it merges config.yaml over the defaults (a null removes a default) and validates the result
against the schema. It also compiles the Python in ``hub.extraConfig``. What it cannot check: that a
cluster accepts the pods (image, storage class, the nodes' kernels), which only a cluster tells.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import yaml

from bondkit.i18n import t

HERE = Path(__file__).resolve().parent


def merged(defaults: dict, override: dict) -> dict:
    """Helm's merge of user values over a chart's: maps merge, anything else replaces, null deletes."""
    result = dict(defaults)
    for key, value in override.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def load_schema(chart: Path) -> dict:
    if (chart / "values.schema.json").exists():
        return json.loads((chart / "values.schema.json").read_text(encoding="utf-8"))
    return yaml.safe_load((chart / "values.schema.yaml").read_text(encoding="utf-8"))


def check(chart: Path, config: Path) -> list[str]:
    """Every problem found; empty when config.yaml passes."""
    ours = yaml.safe_load(config.read_text(encoding="utf-8"))
    values = merged(yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8")), ours)
    validator = jsonschema.Draft7Validator(load_schema(chart))
    problems = [f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
                for error in sorted(validator.iter_errors(values), key=lambda e: list(e.absolute_path))]
    for name, code in (ours.get("hub", {}).get("extraConfig") or {}).items():
        try:
            compile(code, f"hub.extraConfig.{name}", "exec")
        except SyntaxError as exc:
            problems.append(f"hub.extraConfig.{name}:{exc.lineno}: {exc.msg}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(t("class.k8s_usage"), file=sys.stderr)
        return 2
    problems = check(Path(argv[0]), HERE / "config.yaml")
    for problem in problems:
        print(problem)
    print(t("class.k8s_result", count=len(problems), chart=argv[0]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
