"""The class hub as a test drives it: started as a teacher starts it, students as throwaway accounts,
servers through the REST API, cells through a kernel's websocket, processes read from /proc.

Everything listens on 127.0.0.1; every wait is bounded in time.
"""

from __future__ import annotations

import ast
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
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
START = ROOT / "deploy" / "jupyterhub" / "start"
RESET = ROOT / "deploy" / "jupyterhub" / "reset-labs"
sys.path.insert(0, str(START.parent))  # the hub's own modules (bondkit_class)


def free_port_run(count: int = 3) -> int:
    """A first port of ``count`` consecutive free ports on 127.0.0.1 (hub, proxy API, hub API)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no run of free ports on 127.0.0.1")


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# -- accounts ------------------------------------------------------------------------------------------


@dataclass
class Student:
    name: str
    lang: str
    password: str
    uid: int = 0
    granted: list[Path] = field(default_factory=list)  # folders the account was let through (ACL)


def create_student(lang: str) -> Student:
    """A throwaway system account with a password (for PAM), removed by :func:`remove_student`."""
    name = "bk" + secrets.token_hex(4)
    student = Student(name, lang, secrets.token_urlsafe(12))
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True,
                   capture_output=True)
    subprocess.run(["chpasswd"], input=f"{name}:{student.password}\n", text=True, check=True,
                   capture_output=True)
    student.uid = int(subprocess.run(["id", "-u", name], check=True, capture_output=True,
                                     text=True).stdout)
    let_through(student)
    return student


def let_through(student: Student) -> None:
    """Let the account pass through the folders above the checkout that others may not enter (a clone
    under /root), as a class server's students can reach the kit; undone by :func:`remove_student`."""
    for folder in ROOT.resolve().parents:
        if not os.stat(folder).st_mode & 0o001:
            subprocess.run(["setfacl", "-m", f"u:{student.name}:x", str(folder)], check=True,
                           capture_output=True)
            student.granted.append(folder)


def let_proxy_through() -> None:
    """The hub's proxy runs as its own account (made by the hub's start-up if missing), which must reach
    the kit's configurable-http-proxy: let it pass the folders above a checkout others may not enter, as
    a teacher who keeps the kit there would (a kept system account, like the suite's student account)."""
    from bondkit_class.preflight import ensure_proxy_account
    from bondkit_class.settings import PROXY_USER

    ensure_proxy_account()
    for folder in ROOT.resolve().parents:
        if not os.stat(folder).st_mode & 0o001:
            subprocess.run(["setfacl", "-m", f"u:{PROXY_USER}:x", str(folder)], check=True,
                           capture_output=True)


def lab_missing_for(student: Student) -> list[tuple[str, str]]:
    """What the lab lacks when a student starts it (``missing_pieces`` run with the student's uid)."""
    from bondkit_class.studentenv import ensure_student_env, student_bin

    ensure_student_env()
    done = subprocess.run([str(student_bin() / "python"), "-c",
                           "from bondkit.lab import missing_pieces; print(repr(missing_pieces()))"],
                          user=student.uid, group=student.uid, extra_groups=[], cwd="/",
                          env={"PATH": f"{student_bin()}:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8",
                               "HOME": os.path.expanduser(f"~{student.name}")},
                          capture_output=True, text=True, timeout=120, check=True)
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def remove_student(student: Student) -> None:
    for folder in student.granted:
        subprocess.run(["setfacl", "-x", f"u:{student.name}", str(folder)], capture_output=True)
    subprocess.run(["userdel", "--remove", student.name], capture_output=True)


def processes_of(uid: int) -> list[int]:
    """Pids whose real uid is ``uid`` (zombies excluded: they are gone, only not yet reaped)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
            pids.append(int(entry.name))
    return pids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                kids.append(int(entry.name))
    return kids


# -- the hub -------------------------------------------------------------------------------------------


@dataclass
class ClassHub:
    """A hub started with ``deploy/jupyterhub/start`` in folders of the test's own."""

    base: Path
    students: list[Student]
    cull_timeout: int = 3600
    cull_every: int = 300
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def labs_root(self) -> Path:
        return self.base / "labs"

    @property
    def state_dir(self) -> Path:
        return self.base / "hub"

    @property
    def log(self) -> Path:
        return self.base / "hub.log"

    def env(self) -> dict[str, str]:
        roster = self.base / "roster.yaml"
        by_lang: dict[str, list[str]] = {}
        for student in self.students:
            by_lang.setdefault(student.lang, []).append(student.name)
        roster.write_text(json.dumps({"teachers": [], "students": by_lang}), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BONDKIT_", "JUPYTER"))}
        env.update(BONDKIT_HUB_IP="127.0.0.1", BONDKIT_HUB_PORT=str(self.port),
                   BONDKIT_HUB_DIR=str(self.state_dir), BONDKIT_CLASS_ROSTER=str(roster),
                   BONDKIT_CLASS_LABS=str(self.labs_root), BONDKIT_CULL_TIMEOUT=str(self.cull_timeout),
                   BONDKIT_CULL_EVERY=str(self.cull_every), BONDKIT_HUB_API_TOKEN=self.token)
        return env

    def start(self) -> ClassHub:
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)  # the students reach their lab folders under it
        let_proxy_through()
        self.port = free_port_run()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([str(START)], env=self.env(), stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self._answers, 90, f"the hub on {self.url} (log: {self.log})")
        return self

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the hub exited with {self.process.returncode}:\n{self.log_tail()}")
        try:
            return requests.get(f"{self.url}/hub/api/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_text()[-chars:]

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM to the hub (by its pid): it stops every student's server, its proxy and services."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    # -- REST --------------------------------------------------------------------------------------

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def server(self, name: str) -> dict | None:
        model = self.api("GET", f"/hub/api/users/{name}").json()
        return model.get("servers", {}).get("")

    def spawn(self, name: str, timeout: float = 240, keep_alive: tuple[str, ...] = ()) -> None:
        """Start ``name``'s server; the running servers in ``keep_alive`` are touched meanwhile."""
        answer = self.api("POST", f"/hub/api/users/{name}/server")
        assert answer.status_code in (201, 202), f"{answer.text}\n{self.log_tail()}"

        def ready() -> bool:
            for other in keep_alive:
                if other != name and (self.server(other) or {}).get("ready"):
                    self.touch(other)
            return bool((self.server(name) or {}).get("ready"))

        wait_until(ready, timeout, f"{name}'s server", interval=2)

    def stop_server(self, name: str, timeout: float = 60) -> None:
        answer = self.api("DELETE", f"/hub/api/users/{name}/server")
        assert answer.status_code in (202, 204), answer.text
        self.wait_server_gone(name, timeout)

    def wait_server_gone(self, name: str, timeout: float) -> None:
        wait_until(lambda: self.server(name) is None, timeout, f"{name}'s server to stop")

    def log_in(self, name: str, password: str) -> requests.Response:
        """The login form, as a browser posts it (with the form's XSRF token)."""
        browser = requests.Session()
        browser.get(f"{self.url}/hub/login", timeout=30)
        return browser.post(f"{self.url}/hub/login", timeout=60, allow_redirects=False,
                            data={"username": name, "password": password,
                                  "_xsrf": browser.cookies.get("_xsrf", "")})

    def touch(self, name: str) -> None:
        """A request to a student's server, which counts as activity (so the culler leaves it)."""
        self.api("GET", f"/user/{name}/api/kernels")

    # -- kernels -----------------------------------------------------------------------------------

    def run_cell(self, name: str, notebook: str, code: str, timeout: float = 240,
                 keep_alive: tuple[str, ...] = ()) -> str:
        """Run ``code`` in the kernel of ``notebook`` (a path on ``name``'s server), opened as JupyterLab
        opens it; returns what it printed. Raises with the traceback when the cell fails. Servers in
        ``keep_alive`` are touched while the cell runs."""
        answer = self.api("POST", f"/user/{name}/api/sessions",
                          json={"path": notebook, "type": "notebook", "kernel": {"name": "python3"}})
        assert answer.status_code == 201, answer.text
        kernel = answer.json()["kernel"]["id"]
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/user/{name}/api/kernels/{kernel}/channels",
            header=[f"Authorization: token {self.token}"], timeout=30)
        try:
            return self._execute(ws, code, timeout, (name, *keep_alive))
        finally:
            ws.close()

    def _execute(self, ws, code: str, timeout: float, keep_alive: tuple[str, ...]) -> str:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        out, error, replied, idle = [], None, False, False
        deadline = time.monotonic() + timeout
        touched = time.monotonic()
        ws.settimeout(2)
        while not (replied and idle):
            if time.monotonic() > deadline:
                raise AssertionError(f"the cell did not finish in {timeout:.0f} s; printed: {''.join(out)}")
            if time.monotonic() - touched > 3:
                for other in keep_alive:
                    self.touch(other)
                touched = time.monotonic()
            try:
                message = json.loads(ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                error = "\n".join(content["traceback"])
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        if error:
            raise AssertionError(f"the cell failed:\n{error}")
        return "".join(out)


def hub_test(test):
    """A test with a real hub: it starts each server as its student, and makes the students' accounts."""
    needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the class hub starts servers as students: "
                                                             "needs root")
    return pytest.mark.timeout(900)(needs_root(test))


def start_hub(students: list[Student], base: Path, **cull: int) -> ClassHub:
    return ClassHub(base / "class", students, **cull).start()


def first_notebook(student: Student) -> str:
    return f"{student.lang}/00_start.ipynb"


def check_all_gone(hub: ClassHub, student: Student) -> None:
    """No process of the student's left (server, kernel, lab), and no lab folder."""
    wait_until(lambda: not processes_of(student.uid), 30, f"{student.name}'s processes to end")
    assert not (hub.labs_root / student.name).exists(), f"{student.name}'s lab folder must be removed"


def check_hub_gone(hub: ClassHub, pids: list[int]) -> None:
    hub.stop()
    assert hub.process.returncode is not None
    wait_until(lambda: not any(alive(pid) for pid in pids), 30, "the proxy and the culler to end")


def hub_pids(hub: ClassHub) -> list[int]:
    """The hub, its proxy (by its pid file) and its services (its children)."""
    proxy = int((hub.state_dir / "proxy.pid").read_text())
    return [hub.process.pid, proxy, *children_of(hub.process.pid)]


@contextlib.contextmanager
def class_of_two_students() -> Iterator[tuple[list[Student], Path]]:
    """Two students, en and ko, removed afterwards with whatever is left of them. The hub's folders are
    in a temporary folder the students may pass through (their lab folders are inside)."""
    students = [create_student("en"), create_student("ko")]
    base = Path(tempfile.mkdtemp(prefix="bondkit-class-"))
    try:
        os.chmod(base, 0o711)
        yield students, base
    finally:
        for student in students:
            remove_student(student)
        shutil.rmtree(base, ignore_errors=True)
