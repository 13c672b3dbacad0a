"""The browser site (``make site``): the lab's JavaScript in Node, and the whole site in Chromium.

Those tests (marker ``site``) need the built site; the ones without the marker check what
``bondkit.lab.browser`` says outside a browser, where it cannot run.

The site is served from ``build/site`` by ``python -m http.server`` on 127.0.0.1 and opened in Debian's
Chromium without any network of its own; every request the page makes is recorded, and one that
leaves the site fails the test. The notebook's cells run in JupyterLite's Pyodide kernel, whose web
worker runs the two v86 guests: the bond fails over on carrier loss and the ping survives.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.jupyterlab_browser import ARTIFACTS, browser_missing, chromium

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("BONDKIT_SITE", ROOT / "build" / "site"))
LAB = SITE / "bondlab"



def _not_built() -> str | None:
    for path in (LAB / "state.bin.zst", SITE / "lab" / "index.html", SITE / "pyodide" / "pyodide-lock.json"):
        if not path.is_file():
            return f"{path} is missing: the site is not built (make site)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """``python -m http.server`` on 127.0.0.1 for the test's duration (stopped by its own pid)."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "-d", str(folder),
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("http.server did not start listening within 20 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.site
@pytest.mark.skipif(shutil.which("node") is None, reason="node is missing (scripts/setup.sh installs npm)")
def test_lab_in_node_fails_over_on_carrier_loss() -> None:
    """Two guests restored from the site's state image, bonded; the active NIC loses its carrier."""
    reason = _not_built()
    if reason:
        pytest.skip(reason)
    result = subprocess.run(["node", "--test", str(ROOT / "site" / "test")], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "BONDKIT_SITE_LAB": str(LAB)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "# pass 1" in result.stdout and "# skipped 0" in result.stdout, result.stdout[-2000:]


# JupyterLite exposes its application as window.jupyterapp (exposeAppInBrowser in site/lite).
JS_KERNEL_IDLE = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  return Boolean(panel && panel.sessionContext && panel.sessionContext.session &&
                 panel.sessionContext.session.kernel &&
                 panel.sessionContext.session.kernel.status === 'idle');
}"""
# Every code cell has run and the kernel is idle again, or a cell ended in an error (no use waiting).
JS_ALL_RUN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  let last = null;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    last = cell;
    if (cell.outputs.toJSON().some((o) => o.output_type === 'error')) return true;
  }
  return Boolean(last && last.executionCount !== null &&
                 panel.sessionContext.session.kernel.status === 'idle');
}"""
_JS_RUN_ALL = "() => window.jupyterapp.commands.execute('notebook:run-all-cells')"
_JS_OUTPUTS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  const result = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    result.push({count: cell.executionCount, outputs: cell.outputs.toJSON()});
  }
  return result;
}"""


def _text(outputs: list[dict]) -> str:
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream":
            parts.append("".join(output["text"]) if isinstance(output["text"], list) else output["text"])
        elif output.get("output_type") == "error":
            parts.append(f"ERROR {output.get('ename')}: {output.get('evalue')}")
        elif "data" in output:
            parts.append(str(output["data"].get("text/plain", "")))
    return "".join(parts)


@pytest.mark.site
@pytest.mark.timeout(600)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_notebook_lab_fails_over_in_the_browser(lang: str) -> None:
    reason = _not_built() or browser_missing()
    if reason:
        pytest.skip(reason)
    requests: list[str] = []
    with served(SITE) as url, chromium() as context:
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.goto(f"{url}/lab/index.html?path={lang}/browser_lab.ipynb")
        try:
            page.wait_for_function(JS_KERNEL_IDLE, timeout=180_000, polling=500)
            page.evaluate(_JS_RUN_ALL)
            page.wait_for_function(JS_ALL_RUN, timeout=300_000, polling=500)
            cells = page.evaluate(_JS_OUTPUTS)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"site-{lang}.png"))
            raise
    texts = [_text(cell["outputs"]) for cell in cells]
    joined = "\n".join(texts)
    assert "ERROR" not in joined, joined[-3000:]
    start, bond, ping_before, failover, ping_after, restored, stories = texts
    # the kernel found the notebook's language from its folder (one code cell for both languages)
    assert start.startswith("client, server: ") and ("첫 바이트를 받고" in start) is (lang == "ko"), start
    assert "Currently Active Slave: enp0s8" in bond, bond
    assert " 0% packet loss" in ping_before, ping_before
    assert "Currently Active Slave: enp0s9" in failover, failover
    assert "MII Status: down" in failover, failover
    assert " 0% packet loss" in ping_after, ping_after
    assert restored.count("MII Status: up") == 2, restored
    _same_stories_as_the_native_lab(stories)
    outside = [address for address in requests if not address.startswith((url, "blob:", "data:"))]
    assert not outside, outside
    assert any("/bondlab/state.bin.zst" in address for address in requests), json.dumps(requests[-20:])


def _same_stories_as_the_native_lab(printed: str) -> None:
    """Each fail_over_mac mode's lines (bondkit.lab.browser.MacStory) tell what the native lab's recorded
    run of the same failover (carrier loss of the server's enp0s8, learning switch, miimon 100) tells:
    the same active slaves and the same address on bond0 and on each slave, before and after."""
    from bondkit.failover import Run

    stories: dict[str, dict] = {}
    mode = ""
    for line in printed.splitlines():
        head = re.match(r"(none|active|follow): active (\S+) -> (\S+), ping (\d)/3$", line.strip())
        row = re.match(r"\s+(bond0|enp0s8|enp0s9)\s+(\S+) -> (\S+)$", line)
        if head:
            mode = head.group(1)
            stories[mode] = {"active": head.group(2, 3), "ping": int(head.group(4))}
        elif row and mode:
            stories[mode][row.group(1)] = row.group(2, 3)
    assert sorted(stories) == ["active", "follow", "none"], printed
    for mode, told in stories.items():
        recorded = Run.load(ROOT / "data" / "runs" / f"{mode}_carrier-loss_learning_mii100").metrics
        assert told["active"] == (recorded.active_before, recorded.active_after), (mode, printed)
        for name in ("bond0", "enp0s8", "enp0s9"):
            assert told[name] == (recorded.macs_before[name], recorded.macs_after[name]), (mode, name)
        assert told["ping"] == 3, (mode, printed)


# ---- bondkit.lab.browser outside a browser: what it says, in both languages ---------------------------

def test_outside_a_browser_the_browser_lab_says_where_it_runs() -> None:
    from bondkit.errors import LabError
    from bondkit.lab.browser import start

    with pytest.raises(LabError) as caught:
        start()
    assert caught.value.exit_code == 2
    assert "JupyterLite" in caught.value.message("en") and "bondkit.lab.Lab" in caught.value.message("en")
    assert "브라우저 탭" in caught.value.message("ko")


def test_without_jspi_a_plain_call_says_to_await(recwarn: pytest.WarningsRecorder) -> None:
    from bondkit.errors import LabError
    from bondkit.lab.browser import bridge

    async def never() -> None:
        raise AssertionError("not to be run")

    with pytest.raises(LabError) as caught:
        bridge.wait(never(), "server")
    assert "await lab['server'].arun(...)" in caught.value.message("en")
    korean = caught.value.message("ko")
    assert "JSPI" in korean and "await lab['server'].arun(...)" in korean
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


def test_commands_and_faults_are_checked_before_they_reach_the_guests() -> None:
    import asyncio
    from types import SimpleNamespace

    from bondkit.errors import LabError
    from bondkit.lab.browser import BrowserLab, CommandResult

    lab = BrowserLab(SimpleNamespace(hosts=["client", "server"]))
    with pytest.raises(LabError, match="client, server"):
        lab.host("router")
    with pytest.raises(LabError, match="carrier-loss"):
        asyncio.run(lab.afault("server", "enp0s8", "unplug"))
    with pytest.raises(LabError, match="vbox-hostonly"):
        lab.set_switch("hub")
    failed = CommandResult("ping: sendto: Network unreachable\n", "", 1, "ping -c 1 192.168.99.101", "client")
    with pytest.raises(LabError) as caught:
        failed.check()
    assert "client" in caught.value.message("ko") and "Network unreachable" in caught.value.message("en")
    assert CommandResult("ok\n", "", 0, "true", "server").check().ok


def test_a_mac_story_reads_the_driver_and_refuses_an_unknown_mode() -> None:
    from bondkit.errors import LabError
    from bondkit.lab.browser import MacStory, bond_commands
    from bondkit.lab.browser.stories import _parse, _received

    line = bond_commands("192.168.99.102", "follow")
    assert line.index("fail_over_mac") < line.index("+enp0s8")  # set while the bond has no slave
    with pytest.raises(LabError) as caught:
        bond_commands("192.168.99.102", "swap")
    assert "follow" in caught.value.message("en") and "고르세요" in caught.value.message("ko")
    assert _received("3 packets transmitted, 2 packets received, 33% packet loss\n") == 2
    assert _received("ping: sendto: Network unreachable\n") == 0
    active, macs = _parse("active enp0s9\nbond0 08:00:27:ad:1b:ac\nenp0s8 08:00:27:99:81:8a\n"
                          "enp0s9 08:00:27:ad:1b:ac\n")
    assert active == "enp0s9" and macs["enp0s8"] == "08:00:27:99:81:8a"
    before, after = {"bond0": "a", "enp0s8": "a", "enp0s9": "b"}, {"bond0": "a", "enp0s8": "b", "enp0s9": "a"}
    story = MacStory("follow", "enp0s8", "enp0s9", before, after, 3)
    assert story.mac_changes == 2
    assert str(story) == ("follow: active enp0s8 -> enp0s9, ping 3/3\n  bond0  a -> a\n  enp0s8 a -> b\n"
                          "  enp0s9 b -> a")
