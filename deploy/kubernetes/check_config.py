"""Check config.yaml against the Zero to JupyterHub chart it is meant for, as Helm would.

    python deploy/kubernetes/check_config.py PATH/TO/zero-to-jupyterhub-k8s/jupyterhub

PATH is the chart's folder (in a clone of the chart's repository, or an unpacked chart): its
``values.yaml`` (the defaults) and ``values.schema.yaml`` or ``values.schema.json``. Like ``helm
install``, it merges config.yaml over the defaults (a null removes a default) and validates the result
against the schema. It also compiles the Python in ``hub.extraConfig``, and holds config.yaml to what a
school must have (:func:`policy`): a real login (never the chart's "dummy", which takes any password),
HTTPS, pods with no privilege and a default seccomp profile, a disk limit, an image pinned by digest,
and no SET-ME left. What it cannot check: that a cluster accepts the pods (image, storage class, the
nodes' kernels), which only a cluster tells.
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


#: Logins that let anyone in: the chart's default and JupyterHub's test authenticators.
OPEN_LOGINS = {"", "dummy", "null", "shared-password", "jupyterhub.auth.DummyAuthenticator",
               "nullauthenticator.NullAuthenticator"}


def _get(values: dict, dotted: str) -> object:
    node: object = values
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _placeholders(node: object, where: str = "") -> list[str]:
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in _placeholders(value, f"{where}.{key}".lstrip("."))]
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in _placeholders(value, f"{where}[{i}]")]
    return [where] if isinstance(node, str) and "SET-ME" in node else []


def policy(ours: dict) -> list[str]:
    """What config.yaml must hold for a school, whatever the chart: each miss as a message."""
    problems = []
    login = str(_get(ours, "hub.config.JupyterHub.authenticator_class") or "")
    if login in OPEN_LOGINS:
        problems.append(t("class.k8s_open_login", value=login or "-"))
    wanted = {
        "proxy.https.enabled": True,
        "singleuser.allowPrivilegeEscalation": False,
        "singleuser.extraPodConfig.securityContext.runAsNonRoot": True,
        "singleuser.extraPodConfig.securityContext.seccompProfile.type": "RuntimeDefault",
        "singleuser.extraContainerConfig.securityContext.runAsNonRoot": True,
        "singleuser.extraContainerConfig.securityContext.allowPrivilegeEscalation": False,
        "singleuser.extraContainerConfig.securityContext.seccompProfile.type": "RuntimeDefault",
    }
    for key, value in wanted.items():
        if _get(ours, key) != value:
            problems.append(t("class.k8s_must", setting=key, value=json.dumps(value)))
    if "ALL" not in (_get(ours, "singleuser.extraContainerConfig.securityContext.capabilities.drop") or []):
        problems.append(t("class.k8s_must", setting="singleuser.extraContainerConfig.securityContext."
                                               "capabilities.drop", value='["ALL"]'))
    if not _get(ours, "singleuser.extraResource.limits.ephemeral-storage"):
        problems.append(t("class.k8s_must", setting="singleuser.extraResource.limits.ephemeral-storage",
                          value="3G"))
    if "@sha256:" not in str(_get(ours, "singleuser.image.tag") or ""):
        problems.append(t("class.k8s_unpinned", tag=_get(ours, "singleuser.image.tag") or "-"))
    problems += [t("class.k8s_set_me", setting=key) for key in _placeholders(ours)]
    return problems


def check(chart: Path, config: Path) -> list[str]:
    """Every problem found; empty when config.yaml passes."""
    ours = yaml.safe_load(config.read_text(encoding="utf-8"))
    problems_of_ours = policy(ours)
    values = merged(yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8")), ours)
    validator = jsonschema.Draft7Validator(load_schema(chart))
    problems = [f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
                for error in sorted(validator.iter_errors(values), key=lambda e: list(e.absolute_path))]
    for name, code in (ours.get("hub", {}).get("extraConfig") or {}).items():
        try:
            compile(code, f"hub.extraConfig.{name}", "exec")
        except SyntaxError as exc:
            problems.append(f"hub.extraConfig.{name}:{exc.lineno}: {exc.msg}")
    return problems + problems_of_ours


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
