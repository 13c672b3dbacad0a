"""JupyterHub for a class on one Linux server: `deploy/jupyterhub/start` runs it (as root).

Students log in with their system account (PAM); each gets a server running as themselves, the
notebooks in their language and a lab of their own. Idle servers are culled and their labs torn down.
Every choice is an environment variable (deploy/jupyterhub/README.md lists them).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bondkit_class.roster import load_roster  # noqa: E402
from bondkit_class.settings import HERE, PROXY_USER, REPO, load_settings  # noqa: E402

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file
settings = load_settings()
roster = load_roster(settings.roster)

# -- where it listens: the students' way in, the proxy's API and the hub itself ----------------------
c.JupyterHub.ip = settings.ip
c.JupyterHub.port = settings.port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
# The proxy faces the network, so it runs as an account of its own, not as root: the hub (root, as PAM
# and starting servers as students need) starts it through setpriv and ends it by its pid.
proxy = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
if os.geteuid() == 0:
    low_port = (["--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service"]
                if settings.port < 1024 else [])
    proxy = ["setpriv", f"--reuid={PROXY_USER}", f"--regid={PROXY_USER}", "--clear-groups", "--no-new-privs",
             *low_port, "--", *proxy]
c.ConfigurableHTTPProxy.command = proxy
c.ConfigurableHTTPProxy.pid_file = str(settings.state_dir / "proxy.pid")
c.JupyterHub.hub_ip = "127.0.0.1"
if settings.tls:  # the students' way in over HTTPS (the start-up checks refuse plain HTTP beyond loopback)
    c.JupyterHub.ssl_cert = str(settings.ssl_cert)
    c.JupyterHub.ssl_key = str(settings.ssl_key)
c.JupyterHub.hub_port = settings.hub_port

# -- the hub's own files ------------------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{settings.state_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(settings.state_dir / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(settings.state_dir / "jupyterhub.pid")

# -- who comes in: the roster's accounts, teachers as admins, students in their language's group ------
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = roster.everyone
c.Authenticator.admin_users = set(roster.teachers)
c.JupyterHub.load_groups = roster.groups()

# -- what each student gets -----------------------------------------------------------------------------
c.JupyterHub.spawner_class = "bondkit_class.spawner.ClassSpawner"
c.Spawner.ip = "127.0.0.1"
# The kit's JupyterLab settings, as `make lab` has them (widget state saved, no news fetched).
c.Spawner.args = [f"--LabApp.app_settings_dir={REPO / 'scripts' / 'jupyterlab-settings'}"]
c.Spawner.start_timeout = 180  # a class logging in at once on a small server
c.Spawner.http_timeout = 180
c.JupyterHub.last_activity_interval = settings.activity_interval

# -- idle servers culled (their labs go with them), and a token for the teacher's tools ---------------
services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={settings.cull_timeout}",
                f"--cull-every={settings.cull_every}"],
}]
roles = [{"name": "idle-culler", "services": ["idle-culler"],
          "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]
if settings.api_token:
    services.append({"name": "teacher", "api_token": settings.api_token})
    roles.append({"name": "teacher", "services": ["teacher"],
                  "scopes": ["admin:users", "admin:servers", "access:servers", "admin:groups"]})
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
