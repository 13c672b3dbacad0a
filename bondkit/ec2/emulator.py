"""The embedded EC2 endpoint: moto in server mode on 127.0.0.1, for the real `aws` CLI and boto3, offline.

Why a server and not moto's in-process mock: the tutorial is about the `aws` command, which runs in its
own process and must reach an HTTP endpoint; boto3 in the notebook then sees the same state. Two ways
to run it:

- ``with Emulator() as emu:`` — a thread in this process (notebooks, tests); gone when the block ends.
- ``start_background()`` / ``stop_background()`` — a process of its own (``python -m bondkit.ec2 serve``)
  that outlives the command that started it (``bondkit ec2 emulator start|stop|status|env``). Its pid,
  URL and command line are kept in a state file in the per-user kit directory; it is stopped by that
  pid only, after checking that the pid is still ours.

It always binds 127.0.0.1 on a free port, and every environment it hands out carries throw-away
credentials, so a call that misses the endpoint fails instead of reaching AWS.

It answers its own student only (:class:`Guard`): the port is visible to every user of the machine and
to every web page the student's browser opens, and the emulator holds the private keys the tutorial
makes (in emulator mode, root on the student's lab guests). Each emulator makes an access key of its
own at start-up and serves only requests signed with it (SigV4, as the `aws` CLI and boto3 sign); its
``/moto-api`` wants a token made at the same time; a request whose Host is not ``127.0.0.1:PORT`` (DNS
rebinding) or that comes from a web page (an ``Origin`` header, a CORS preflight) is refused, and no
CORS header goes out. The key, secret and token live in this process, or in the background emulator's
state file, which only the user can read.
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import json
import logging
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from bondkit.errors import EC2Error

if TYPE_CHECKING:  # werkzeug (with moto) is imported only when a server starts (see Emulator.start)
    from werkzeug.serving import BaseWSGIServer

__all__ = [
    "DEFAULT_REGION",
    "Emulator",
    "EmulatorState",
    "aws_files",
    "emulator_env",
    "endpoint_env",
    "env_lines",
    "is_loopback_url",
    "kit_dir",
    "start_background",
    "status",
    "stop_background",
    "write_aws_files",
]

DEFAULT_REGION = "ap-northeast-2"  # the tutorial's region (Seoul)
THROWAWAY = "testing"  # what the kit writes when it knows of no emulator; it can sign no real AWS request
KEY_PREFIX = "BKEMU"  # an emulator's own access key: never a real AWS one (those begin AKIA or ASIA)
TOKEN_HEADER = "X-Bondkit-Token"  # what /moto-api/* wants, besides the emulator's Host
LOOPBACK = "127.0.0.1"
_STATE = "emulator.json"
#: What the background emulator runs as (``python -m bondkit.ec2``, whose ``__main__`` calls :func:`main`):
#: a module of its own, since running this one with ``-m`` would load it twice (the package imports it).
SERVE_MODULE = "bondkit.ec2"
_LOG = "emulator.log"  # the background emulator's output, beside its state file

# Images that moto does not ship: the tutorial's Ubuntu 16.04 AMI id and a current Ubuntu LTS, both
# published under Canonical's owner id so the tutorial's id and the kit's image filter both work offline.
TUTORIAL_IMAGE_ID = "ami-082bdb3b2d54d5a19"  # "Ubuntu Server 16.04 LTS (HVM), SSD Volume Type"
CANONICAL_OWNER = "099720109477"
EXTRA_IMAGES: list[dict[str, object]] = [
    {
        "ami_id": TUTORIAL_IMAGE_ID,
        "name": "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-20191002",
        "description": "Ubuntu Server 16.04 LTS (HVM), SSD Volume Type (the tutorial's image; a stand-in in "
        "bondkit's emulator)",
        "owner_id": CANONICAL_OWNER,
        "creation_date": "2019-10-02T18:00:00.000Z",
    },
    {
        "ami_id": "ami-0bd4c0a1b2c3d4e5f",
        "name": "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250305",
        "description": "Canonical, Ubuntu, 24.04, amd64 noble image (a made-up stand-in in bondkit's "
        "emulator)",
        "owner_id": CANONICAL_OWNER,
        "creation_date": "2025-03-05T12:00:00.000Z",
    },
]
_IMAGE_DEFAULTS = {
    "state": "available",
    "public": True,
    "image_location": "bondkit/emulator",
    "sriov": "simple",
    "root_device_type": "ebs",
    "root_device_name": "/dev/sda1",
    "image_type": "machine",
    "platform": None,
    "architecture": "x86_64",
    "virtualization_type": "hvm",
    "hypervisor": "xen",
}


def kit_dir() -> Path:
    """The per-user directory of the kit's runtime files (state file, log, kit-local AWS config).

    ``BONDKIT_HOME`` wins (tests point it at a temporary directory); else ``$XDG_RUNTIME_DIR/bondkit``
    when that is the user's own and private (cleared at logout); else ``~/.cache/bondkit``. It holds
    the background emulator's key and token, so it is used only when it is the user's own real folder
    that nobody else may write to (:func:`bondkit.lab.places.check_private`).
    """
    from bondkit.lab import places

    if os.environ.get("BONDKIT_HOME"):
        base = Path(os.environ["BONDKIT_HOME"]).expanduser()
    else:
        base = places.runtime_folder()
    return places.private_folder(base)


def aws_files(directory: Path | None = None) -> tuple[Path, Path]:
    """The kit-local AWS config and credentials files (what ``AWS_CONFIG_FILE`` etc. point to)."""
    directory = directory or kit_dir() / "aws"
    return directory / "config", directory / "credentials"


def write_aws_files(
    directory: Path | None = None,
    *,
    access_key: str | None = THROWAWAY,
    secret_key: str | None = THROWAWAY,
    region: str = DEFAULT_REGION,
    output: str = "json",
    profile: str = "default",
) -> tuple[Path, Path]:
    """Write a profile the way ``aws configure`` does (config: region, output; credentials: the keys).

    Other profiles in the files are kept. The credentials file is created 0600, like the CLI's. Without
    keys (``None``) the credentials file is left as it is.
    """
    import configparser

    config, credentials = aws_files(directory)
    config.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    section = "default" if profile == "default" else f"profile {profile}"
    files = [(config, section, {"region": region, "output": output})]
    if access_key and secret_key:
        files.append(
            (credentials, profile, {"aws_access_key_id": access_key, "aws_secret_access_key": secret_key})
        )
    for path, name, values in files:
        parser = configparser.RawConfigParser()
        parser.read(path, encoding="utf-8")
        if not parser.has_section(name):
            parser.add_section(name)
        for key, value in values.items():
            parser.set(name, key, value)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            parser.write(handle)
    return config, credentials


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on 127.0.0.0/8, ::1 or localhost: the only places the emulator may be."""
    host = urlparse(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def endpoint_env(
    url: str, *, region: str, aws_dir: Path | None = None, key: str = THROWAWAY, secret: str = THROWAWAY
) -> dict[str, str]:
    """The variables that send the `aws` CLI and boto3 to the endpoint ``url`` with these keys and the
    kit-local config files, and never to the instance metadata service (which would find real keys)."""
    config, credentials = aws_files(aws_dir)
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def emulator_env(url: str, *, region: str = DEFAULT_REGION, aws_dir: Path | None = None) -> dict[str, str]:
    """The environment that sends the `aws` CLI and boto3 to the emulator, with its own credentials
    (written to the kit-local files too, so a shell that evaluates it can run ``aws configure get``;
    keys there that are not an emulator's are kept)."""
    key, secret = credentials_for(url) or (THROWAWAY, THROWAWAY)
    config, credentials = aws_files(aws_dir)
    if not config.exists() or _emulator_keys_in(credentials):
        write_aws_files(config.parent, access_key=key, secret_key=secret, region=region)
    return endpoint_env(url, region=region, aws_dir=aws_dir, key=key, secret=secret)


def _emulator_keys_in(credentials: Path, profile: str = "default") -> bool:
    """True when ``credentials`` has no keys for ``profile`` or an emulator's (which may be replaced)."""
    import configparser

    parser = configparser.RawConfigParser()
    parser.read(credentials, encoding="utf-8")
    if not parser.has_option(profile, "aws_access_key_id"):
        return True
    key = parser.get(profile, "aws_access_key_id")
    return key == THROWAWAY or key.startswith(KEY_PREFIX)


@dataclass(frozen=True)
class Secrets:
    """What one emulator serves: its access key (what every request must be signed with), the secret
    that goes with it, and the token of its ``/moto-api``. Made at start-up, never written but to a
    file of the user's alone."""

    access_key: str
    secret_key: str
    token: str

    @classmethod
    def new(cls) -> Secrets:
        return cls(KEY_PREFIX + secrets.token_hex(10).upper(), secrets.token_urlsafe(30),
                   secrets.token_urlsafe(32))


#: The emulators of this process, by URL: what a Target or the `aws` environment of one must carry.
_KNOWN: dict[str, Secrets] = {}


def secrets_for(url: str) -> Secrets | None:
    """The secrets of the emulator at ``url``: one of this process's, or the background one."""
    url = url.rstrip("/")
    if url in _KNOWN:
        return _KNOWN[url]
    state = status()
    if state is not None and state.url == url and state.access_key:
        return Secrets(state.access_key, state.secret_key, state.token)
    return None


def credentials_for(url: str) -> tuple[str, str] | None:
    """(access key, secret) that the emulator at ``url`` accepts, or None when it is not the kit's."""
    known = secrets_for(url)
    return (known.access_key, known.secret_key) if known else None


_SIGV4 = re.compile(r"AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)/")


class Guard:
    """WSGI in front of moto: the emulator's own student only (see the module's text)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], secret: Secrets) -> None:
        self.app = app
        self.secret = secret
        self.port = 0  # known once the server is bound

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        problem = self.refusal(environ)
        if problem:
            status, code, text = problem
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                    f"<Message>{text}</Message></Error></Errors><RequestID>bondkit-guard</RequestID>"
                    "</Response>").encode()
            start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
            return [body]

        def without_cors(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept, exc_info) if exc_info else start_response(status, kept)

        return self.app(environ, without_cors)

    def refusal(self, environ: dict[str, Any]) -> tuple[str, str, str] | None:
        """(HTTP status, EC2 error code, why) for a request the emulator does not serve; None to serve."""
        if environ.get("HTTP_HOST", "") != f"{LOOPBACK}:{self.port}":
            return "403 Forbidden", "AuthFailure", "this emulator answers on its own address only"
        if environ.get("HTTP_ORIGIN") or environ.get("REQUEST_METHOD") == "OPTIONS":
            return "403 Forbidden", "AuthFailure", "this emulator does not answer web pages"
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            given = environ.get("HTTP_" + TOKEN_HEADER.upper().replace("-", "_"), "")
            if not hmac.compare_digest(given.encode(), self.secret.token.encode()):
                return "403 Forbidden", "AuthFailure", "the emulator's data API wants its token"
            return None
        match = _SIGV4.match(environ.get("HTTP_AUTHORIZATION", ""))
        if match:
            key = match.group(1)
        else:  # a presigned URL carries its credential in the query
            key = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential", [""])[0].split("/")[0]
        if not hmac.compare_digest(key.encode(), self.secret.access_key.encode()):
            return ("401 Unauthorized", "AuthFailure",
                    "AWS was not able to validate the provided access credentials (this emulator serves "
                    "the keys of `bondkit ec2 emulator env` only)")
        return None


def env_lines(env: dict[str, str]) -> str:
    """``export NAME=value`` lines for ``eval "$(bondkit ec2 emulator env)"``."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


def _add_extra_images() -> None:
    """Teach moto the tutorial's image ids (moto reads its AMI list each time a region's backend is made).

    This appends to moto's module-level list, so it also survives ``/moto-api/reset``. If moto changes
    that list, the kit still runs: only the stand-in images are missing.
    """
    try:
        from moto.ec2.models import amis
    except ImportError:  # pragma: no cover - moto is a dependency
        return
    known = {image.get("ami_id") for image in amis.AMIS}
    for image in EXTRA_IMAGES:
        if image["ami_id"] not in known:
            amis.AMIS.append({**_IMAGE_DEFAULTS, **image})


RESET_TIMEOUT = 120.0  # seconds: a reset on a loaded machine after every region was used


def _http(url: str, method: str = "GET", timeout: float = 2.0, token: str = "") -> int:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None,
                                     headers={TOKEN_HEADER: token} if token else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    with opener.open(request, timeout=timeout) as response:
        return int(response.status)


def reachable(url: str, timeout: float = 2.0, token: str | None = None) -> bool:
    """True when the kit's emulator answers at ``url`` with its token (no AWS call is made).

    Asked for moto's configuration, a few bytes: its ``data.json`` dumps every resource of every
    region, megabytes that take seconds once a walkthrough has run, and the answer came too late.
    """
    if not is_loopback_url(url):
        return False
    if token is None:
        known = secrets_for(url)
        token = known.token if known else ""
    try:
        return _http(url.rstrip("/") + "/moto-api/config", timeout=timeout, token=token) in (200, 201)
    except (OSError, urllib.error.URLError, ValueError):
        return False


class Emulator:
    """moto's server in a thread of this process, on 127.0.0.1 and a free port, answering only requests
    signed with its own key (:class:`Guard`); a context manager."""

    def __init__(self, port: int = 0, *, region: str = DEFAULT_REGION) -> None:
        self._port = port
        self.region = region
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.secrets = Secrets.new()

    @property
    def access_key(self) -> str:
        return self.secrets.access_key

    @property
    def secret_key(self) -> str:
        return self.secrets.secret_key

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        from moto.moto_server import werkzeug_app as moto_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in notebooks
        _add_extra_images()
        guard = Guard(moto_app.DomainDispatcherApplication(moto_app.create_backend_app), self.secrets)
        try:
            server = make_server(LOOPBACK, self._port, guard, threaded=True,
                                 request_handler=moto_app.MotoRequestHandler)
        except OSError as exc:
            raise EC2Error("ec2.emulator_bind", port=self._port, reason=str(exc)) from None
        guard.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, name="bondkit-ec2-emulator", daemon=True)
        self._thread.start()
        self._server, self.url = server, f"http://{LOOPBACK}:{guard.port}"
        _KNOWN[self.url] = self.secrets
        return self

    def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.shutdown()
            server.server_close()
            if self._thread is not None:
                self._thread.join()
            _KNOWN.pop(self.url, None)

    def reset(self) -> None:
        """Forget every resource (moto's reset API): a fresh, empty EC2 for the next lesson or test.

        moto rebuilds every region's backend that was used before dropping it: 0.17 s for three regions
        and 2 s for all of them on an idle machine, several times that on a busy one, so this waits
        much longer than a probe does.
        """
        _http(self.url + "/moto-api/reset", method="POST", token=self.secrets.token, timeout=RESET_TIMEOUT)

    def env(self, aws_dir: Path | None = None) -> dict[str, str]:
        return emulator_env(self.url, region=self.region, aws_dir=aws_dir)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


# -- the background emulator (a process of its own) ----------------------------------------------------


@dataclass
class EmulatorState:
    """What the state file says about the background emulator."""

    pid: int
    url: str
    started: float
    log: str
    state_file: str
    access_key: str = ""
    secret_key: str = ""
    token: str = ""


def _state_path() -> Path:
    return kit_dir() / _STATE


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie child of ours counts as gone, and is reaped)."""
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _is_ours(pid: int, state_file: str) -> bool:
    """The pid still runs our serve command for this state file (guards against a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return _alive(pid)  # no /proc: trust the state file
    return SERVE_MODULE.encode() in cmdline and state_file.encode() in cmdline


def status() -> EmulatorState | None:
    """The running background emulator, or None (a stale state file is removed)."""
    path = _state_path()
    try:
        state = EmulatorState(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if _alive(state.pid) and _is_ours(state.pid, state.state_file):
        return state
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def start_background(timeout: float = 30.0) -> tuple[EmulatorState, bool]:
    """Start the background emulator unless one runs; returns (state, started_now)."""
    running = status()
    if running is not None:
        return running, False
    path = _state_path()
    log = path.parent / _LOG
    with log.open("ab") as log_handle:
        process = subprocess.Popen(
            [sys.executable, "-m", SERVE_MODULE, "serve", "--state-file", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=log_handle,
            stderr=log_handle,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EC2Error("ec2.emulator_failed", log=str(log))
        state = status()
        if state is not None and state.pid == process.pid:
            return state, True
        time.sleep(0.05)
    _terminate(process.pid)
    raise EC2Error("ec2.emulator_failed", log=str(log))


def _terminate(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM the pid we started, then SIGKILL it if it does not go within ``timeout``."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.05)


def stop_background() -> EmulatorState | None:
    """Stop the background emulator by its recorded pid; returns what was stopped (None: none ran)."""
    state = status()
    if state is None:
        return None
    _terminate(state.pid)
    with contextlib.suppress(OSError):
        Path(state.state_file).unlink()
    return state


def running_url() -> str | None:
    """The URL of the background emulator when it runs and answers, else None."""
    state = status()
    return state.url if state is not None and reachable(state.url) else None


def _serve(state_file: Path) -> int:
    """Body of the background process: serve until SIGTERM, then remove our state file."""
    emulator = Emulator().start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    state = EmulatorState(
        os.getpid(), emulator.url, time.time(), str(state_file.parent / _LOG), str(state_file),
        emulator.access_key, emulator.secret_key, emulator.secrets.token,
    )
    tmp = state_file.with_suffix(".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    # The user's alone: it holds the emulator's key and token.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(state)))
    tmp.replace(state_file)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        emulator.stop()
        with contextlib.suppress(OSError, ValueError):
            if json.loads(state_file.read_text()).get("pid") == os.getpid():
                state_file.unlink()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m bondkit.ec2 serve --state-file FILE``: the background emulator's own process."""
    parser = argparse.ArgumentParser(prog=f"python -m {SERVE_MODULE}")
    parser.add_argument("action", choices=("serve",))
    parser.add_argument("--state-file", required=True, type=Path)
    args = parser.parse_args(argv)
    return _serve(args.state_file)
