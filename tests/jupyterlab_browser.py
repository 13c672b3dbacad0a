"""JupyterLab in a real browser, as a student meets it: a server started on 127.0.0.1 for the test, and
Debian's Chromium driven by Playwright. Shared by the browser tests and ``bench/bench_browser.py``.

The server gets folders of its own (settings, workspaces, runtime, config, IPython) inside a temporary
root, runs copies of the notebooks (so that running and saving them changes nothing in the repository)
and the kit's own JupyterLab settings (``scripts/jupyterlab-settings``, as ``make lab`` uses them). It
is stopped through its own API and, if need be, by its pid: nothing else is touched. The browser uses
the system's Chromium with an empty profile and without any network of its own (no updates, no sync,
no QUIC); Playwright never downloads a browser here.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LAB_SETTINGS = ROOT / "scripts" / "jupyterlab-settings"
CHROMIUM = Path(os.environ.get("BONDKIT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-quic")
#: Where failure screenshots go (ignored by git).
ARTIFACTS = ROOT / ".test-artifacts"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here (None: they can)."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (scripts/setup.sh installs Debian's chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install -e '.[test]')"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterServer:
    """A JupyterLab server of the test's own on 127.0.0.1, serving copies of the notebooks."""

    def __init__(self, base: Path, *, env: dict[str, str] | None = None, timeout: float = 60) -> None:
        self.base = base
        self.root = base / "root"
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.extra_env = dict(env or {})
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self.log = base / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def copy_notebooks(self) -> None:
        for lang in ("en", "ko"):
            (self.root / lang).mkdir(parents=True, exist_ok=True)
            for path in sorted((NOTEBOOKS / lang).glob("*.ipynb")):
                shutil.copy2(path, self.root / lang / path.name)

    def command(self) -> list[str]:
        folders = {name: self.base / name for name in ("settings", "workspaces")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        args = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                f"--LabApp.app_settings_dir={LAB_SETTINGS}",
                f"--LabApp.user_settings_dir={folders['settings']}",
                f"--LabApp.workspaces_dir={folders['workspaces']}",
                "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.geteuid() == 0:
            args.append("--allow-root")
        return args

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_", "BONDKIT_"))}
        for name in ("runtime", "config", "data", "ipython"):
            (self.base / name).mkdir(parents=True, exist_ok=True)
        env.update({"JUPYTER_RUNTIME_DIR": str(self.base / "runtime"),
                    "JUPYTER_CONFIG_DIR": str(self.base / "config"),
                    "JUPYTER_DATA_DIR": str(self.base / "data"),
                    "IPYTHONDIR": str(self.base / "ipython"),
                    "JUPYTER_PLATFORM_DIRS": "1"})
        env.update(self.extra_env)
        return env

    def start(self) -> JupyterServer:
        self.copy_notebooks()
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(self.command(), env=self.environment(), cwd=self.root,
                                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({self.process.returncode}): {self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                if self.api("GET", "/api/status").get("started"):
                    return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {self.timeout:.0f} s: {self.log_tail()}")

    def api(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Ask the server to shut down (it stops its kernels), then end its pid if it lingers."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(OSError, urllib.error.URLError):
            self.api("POST", "/api/shutdown")
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()


@contextlib.contextmanager
def jupyter_server(env: dict[str, str] | None = None) -> Iterator[JupyterServer]:
    base = Path(tempfile.mkdtemp(prefix="bondkit-browser-"))
    server = JupyterServer(base, env=env)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A Playwright browser context on the system's Chromium with an empty profile."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="bondkit-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS),
                viewport={"width": width, "height": height}, locale="en-US")
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------- a notebook in the page

#: JavaScript run in the page: JupyterLab's application is ``window.jupyterapp`` (expose_app_in_browser).
_JS_OPEN = """async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  return panel.id;
}"""

_JS_PANEL = """(path) => {
  const app = window.jupyterapp;
  for (const widget of app.shell.widgets('main')) {
    if (widget.context && widget.context.path === path) return widget;
  }
  return null;
}"""

_JS_PANEL_ID = "(path) => ((PANEL)(path) || {}).id".replace("PANEL", _JS_PANEL)

_JS_KERNEL_IDLE = """(path) => {
  const panel = (PANEL)(path);
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}""".replace("PANEL", _JS_PANEL)

_JS_RUN_ALL = """async (path) => {
  const panel = (PANEL)(path);
  window.jupyterapp.shell.activateById(panel.id);
  await window.jupyterapp.commands.execute('notebook:run-all-cells');
  return true;
}""".replace("PANEL", _JS_PANEL)

_JS_STATE = """(path) => {
  const panel = (PANEL)(path);
  const cells = [];
  for (let i = 0; i < panel.content.model.cells.length; i++) {
    const cell = panel.content.model.cells.get(i);
    if (cell.type !== 'code') continue;
    cells.push({index: i, count: cell.executionCount, outputs: cell.outputs.toJSON(),
                running: (panel.content.widgets[i].promptNode || {}).textContent === '[*]:'});
  }
  return cells;
}""".replace("PANEL", _JS_PANEL)

_JS_SAVE_CLOSE = """async ({path, shutdown, save}) => {
  const panel = (PANEL)(path);
  if (save) await panel.context.save();
  if (shutdown) await panel.sessionContext.shutdown();
  panel.dispose();
  return true;
}""".replace("PANEL", _JS_PANEL)


class NotebookPage:
    """One notebook open in JupyterLab in the browser, found by its path under the server's root."""

    def __init__(self, page: Any, server: JupyterServer, path: str) -> None:
        self.page = page
        self.server = server
        self.path = path

    @classmethod
    def open(cls, page: Any, server: JupyterServer, path: str, timeout: float = 60) -> NotebookPage:
        if "jupyterapp" not in (page.evaluate("Object.keys(window)") or []):
            page.goto(f"{server.url}/lab?reset&token={server.token}")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=60_000)
            page.evaluate("() => window.jupyterapp.restored")
        page.evaluate(_JS_OPEN, path)
        notebook = cls(page, server, path)
        notebook.wait_idle(timeout)
        return notebook

    @property
    def panel(self) -> Any:
        """The notebook panel's DOM node (every locator of this notebook starts here)."""
        panel_id = self.page.evaluate(_JS_PANEL_ID, self.path)
        return self.page.locator(f"[id='{panel_id}']")

    def wait_idle(self, timeout: float = 60) -> None:
        self.page.wait_for_function(_JS_KERNEL_IDLE, arg=self.path, timeout=timeout * 1000)

    def run_all(self, timeout: float = 180) -> list[dict]:
        """Run every cell and wait until the kernel is idle with every code cell run (or stopped)."""
        self.page.evaluate(_JS_RUN_ALL, self.path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cells = self.cells()
            errors = [c for c in cells if any(o.get("output_type") == "error" for o in c["outputs"])]
            if errors or (all(c["count"] is not None and not c["running"] for c in cells)
                          and self.page.evaluate(_JS_KERNEL_IDLE, self.path)):
                return cells
            time.sleep(0.25)
        raise TimeoutError(f"{self.path}: cells still running after {timeout:.0f} s")

    def cells(self) -> list[dict]:
        return self.page.evaluate(_JS_STATE, self.path)

    def text(self) -> str:
        """All the notebook's text, rendered or not (cells out of view have no innerText)."""
        return self.panel.text_content() or ""

    def save_and_close(self, *, shutdown: bool = True, save: bool = True) -> None:
        """Save (unless ``save`` is False), stop the kernel (unless ``shutdown`` is False), close."""
        self.page.evaluate(_JS_SAVE_CLOSE, {"path": self.path, "shutdown": shutdown, "save": save})

    def wait_text(self, text: str, timeout: float = 20) -> None:
        """Wait until the notebook shows ``text`` (outputs are rendered a moment after it opens)."""
        self.page.wait_for_function(
            "([id, text]) => document.getElementById(id).textContent.includes(text)",
            arg=[self.page.evaluate(_JS_PANEL_ID, self.path), text], timeout=timeout * 1000)

    def wait_widgets(self, timeout: float = 20) -> None:
        """Wait until no output still says "Loading widget..." (saved widgets are being restored)."""
        self.page.wait_for_function(
            "(id) => !document.getElementById(id).textContent.includes('Loading widget')",
            arg=self.page.evaluate(_JS_PANEL_ID, self.path),
            timeout=timeout * 1000)

    def file(self) -> dict:
        return json.loads((self.server.root / self.path).read_text(encoding="utf-8"))


def error_outputs(cells: list[dict]) -> list[str]:
    """Error outputs and stderr text of run cells, one line each (empty: none)."""
    found = []
    for cell in cells:
        for output in cell["outputs"]:
            if output.get("output_type") == "error":
                found.append(f"cell {cell['index']}: {output.get('ename')}: {output.get('evalue')}")
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = "".join(output.get("text", ""))
                found.append(f"cell {cell['index']}: stderr: {text.strip()[:300]}")
    return found


def screenshot(page: Any, name: str) -> Path:
    """Save what the page shows now under ``.test-artifacts/`` (for a failing test)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name.replace('/', '_')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

