"""What the teacher chooses for the class hub, read from the environment with a default for each.

One place for every path and number, so that the hub's configuration, the spawner, the reset command
and the tests agree on where a student's lab and the hub's own files live.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]  # deploy/jupyterhub
REPO = HERE.parents[1]
#: The environment's programs: the single-user server, bondkit, the kernel's Python.
VENV_BIN = Path(sys.prefix) / "bin"
#: Where the students' lab folders are made: a folder only root may change (never /tmp, where anyone
#: may make it first), checked at start (see bondkit_class.rootfolder).
LABS_ROOT = "/var/lib/bondkit-class/labs"
#: The account configurable-http-proxy runs as (made by the start-up checks): not root.
PROXY_USER = "bondkit-proxy"


@dataclass(frozen=True)
class Settings:
    """The class hub's choices. Every field has an environment variable (see deploy/jupyterhub/README.md)."""

    ip: str
    port: int
    state_dir: Path
    roster: Path
    labs_root: Path
    cull_timeout: int
    cull_every: int
    api_token: str | None
    ssl_cert: Path | None = None
    ssl_key: Path | None = None
    #: The teacher knowingly serves plain HTTP beyond this machine (BONDKIT_HUB_INSECURE=1).
    insecure: bool = False

    @property
    def tls(self) -> bool:
        return bool(self.ssl_cert or self.ssl_key)

    @property
    def loopback(self) -> bool:
        """The students' way in is this machine's own (a TLS proxy in front carries it further)."""
        import ipaddress

        try:
            return ipaddress.ip_address(self.ip).is_loopback
        except ValueError:
            return self.ip == "localhost"

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def proxy_api_port(self) -> int:
        return self.port + 1

    @property
    def hub_port(self) -> int:
        return self.port + 2

    @property
    def activity_interval(self) -> int:
        """How often a student's server tells the hub it is in use: often enough for the culler to
        judge idleness to a quarter of its timeout."""
        return max(5, min(300, self.cull_timeout // 4))

    def lab_home(self, student: str) -> Path:
        """The student's own folder under the class's labs; removed when their server stops."""
        return self.labs_root / student

    def lab_dir(self, student: str) -> Path:
        """The student's ``BONDKIT_LAB_DIR``: one lab per student, never shared."""
        return self.lab_home(student) / "lab"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    state = Path(env.get("BONDKIT_HUB_DIR", "/var/lib/bondkit-hub"))
    return Settings(
        ip=env.get("BONDKIT_HUB_IP", "127.0.0.1"),
        port=int(env.get("BONDKIT_HUB_PORT", "8000")),
        state_dir=state,
        roster=Path(env.get("BONDKIT_CLASS_ROSTER", str(HERE / "roster.yaml"))),
        labs_root=Path(env.get("BONDKIT_CLASS_LABS", LABS_ROOT)),
        cull_timeout=int(env.get("BONDKIT_CULL_TIMEOUT", "3600")),
        cull_every=int(env.get("BONDKIT_CULL_EVERY", "300")),
        api_token=env.get("BONDKIT_HUB_API_TOKEN") or None,
        ssl_cert=Path(env["BONDKIT_HUB_SSL_CERT"]) if env.get("BONDKIT_HUB_SSL_CERT") else None,
        ssl_key=Path(env["BONDKIT_HUB_SSL_KEY"]) if env.get("BONDKIT_HUB_SSL_KEY") else None,
        insecure=env.get("BONDKIT_HUB_INSECURE", "") not in ("", "0"),
    )
