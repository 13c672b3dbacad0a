"""The class hub (deploy/jupyterhub) for real: JupyterHub, configurable-http-proxy and the idle culler on
127.0.0.1, two throwaway student accounts (one learning in English, one in Korean), their servers
spawned through the REST API and cells run in their kernels.

The hub tests need root (the hub starts each server as its student; the test creates the accounts and
removes them). The students' labs are tested in test_class_hub_labs.py, a file of its own so that it
runs beside this one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bondkit.i18n import t
from tests.hubclient import (
    RESET,
    ROOT,
    ClassHub,
    Student,
    alive,
    check_all_gone,
    check_hub_gone,
    class_of_two_students,
    first_notebook,
    hub_pids,
    hub_test,
    start_hub,
)

pytestmark = pytest.mark.class_hub

#: What a student's kernel reports: who runs it, its language, its notebooks, its lab folder.
WHO_CELL = """
import json, os
from pathlib import Path
from bondkit import notebook as nb
print(json.dumps({"uid": os.getuid(), "pid": os.getpid(), "lang": nb.setup(), "cwd": os.getcwd(),
                  "env_lang": os.environ["BONDKIT_LANG"], "lab_dir": os.environ["BONDKIT_LAB_DIR"],
                  "notebooks": sorted(p.name for p in Path().glob("*.ipynb")),
                  "locale": json.loads((Path.home() / ".jupyter/lab/user-settings/@jupyterlab/"
                                        "translation-extension/plugin.jupyterlab-settings").read_text())}))
"""

@pytest.fixture
def class_of_two():
    with class_of_two_students() as made:
        yield made


def who_is(hub: ClassHub, student: Student, keep_alive: tuple[str, ...] = ()) -> dict:
    out = hub.run_cell(student.name, first_notebook(student), WHO_CELL, keep_alive=keep_alive)
    return json.loads(out.strip().splitlines()[-1])


def check_own_server(hub: ClassHub, student: Student, seen: dict) -> None:
    home = Path(os.path.expanduser(f"~{student.name}"))
    assert seen["uid"] == student.uid, "the server must run as the student's own account"
    assert seen["lang"] == seen["env_lang"] == student.lang
    assert seen["cwd"] == str(home / "bondkit" / student.lang)
    top = hub.api("GET", f"/user/{student.name}/api/contents/").json()["content"]
    assert student.lang in {item["name"] for item in top}, "the server opens on the student's notebooks"
    want = sorted(p.name for p in (ROOT / "notebooks" / student.lang).glob("*.ipynb"))
    assert want and seen["notebooks"] == want, "the student's copy of the notebooks in their language"
    locale = {"en": "en", "ko": "ko_KR"}[student.lang]
    assert seen["locale"] == {"locale": locale}
    # JupyterLab itself, as the student's browser gets it: the page, its language setting, the pack.
    server = f"/user/{student.name}/lab"
    page = hub.api("GET", server)
    assert page.status_code == 200 and "jupyter-config-data" in page.text, page.text[:500]
    setting = hub.api("GET", f"{server}/api/settings/@jupyterlab/translation-extension:plugin").json()
    assert setting["settings"]["locale"] == locale
    assert "ko_KR" in hub.api("GET", f"{server}/api/translations/").json()["data"]
    assert seen["lab_dir"] == str(hub.labs_root / student.name / "lab")
    for notebook in (home / "bondkit" / student.lang).glob("*.ipynb"):
        assert notebook.stat().st_uid == student.uid, f"{notebook} must be the student's own"


@hub_test
def test_each_student_logs_in_and_gets_a_server_of_their_own_and_idle_ones_are_culled(class_of_two):
    students, base = class_of_two
    english, korean = students
    hub = start_hub(students, base, cull_timeout=30, cull_every=5)
    names = tuple(s.name for s in students)
    try:
        assert hub.log_in(english.name, english.password).status_code == 302, hub.log_tail()
        assert hub.log_in(korean.name, "not " + korean.password).status_code == 403
        for student in students:
            hub.spawn(student.name, keep_alive=names)
        seen = {s.name: who_is(hub, s, keep_alive=names) for s in students}
        for student in students:
            check_own_server(hub, student, seen[student.name])
        assert seen[english.name]["lab_dir"] != seen[korean.name]["lab_dir"]
        pids = hub_pids(hub)

        hub.stop_server(english.name)  # the teacher, from the admin page or the API
        check_all_gone(hub, english)
        assert alive(seen[korean.name]["pid"]), "stopping one student's server leaves the other's"
        hub.wait_server_gone(korean.name, hub.cull_timeout + 4 * hub.cull_every + 30)  # idle: culled
        assert f"Culling server {korean.name}" in hub.log_text(), "the idle culler stopped it"
        check_all_gone(hub, korean)
        check_hub_gone(hub, pids)
    finally:
        hub.stop()


# -- the roster and the reset command, without a hub ---------------------------------------------------


def test_a_roster_gives_each_student_a_language_group_and_makes_teachers_admins(tmp_path):
    from bondkit_class.roster import load_roster

    roster = tmp_path / "roster.yaml"
    roster.write_text("teachers: [kim]\nstudents:\n  en: [alice, bob]\n  ko: [minji]\n", encoding="utf-8")
    loaded = load_roster(roster)
    assert loaded.everyone == {"kim", "alice", "bob", "minji"}
    assert loaded.groups() == {"en": {"users": ["alice", "bob"]}, "ko": {"users": ["minji"]}}
    example = load_roster(ROOT / "deploy" / "jupyterhub" / "roster.example.yaml")
    assert set(example.students.values()) == {"en", "ko"}


@pytest.mark.parametrize(("text", "key", "line"), [
    ("students:\n  fr: [alice]\n", "class.roster_lang", None),
    ("students:\n  en: [alice]\n  ko: [alice]\n", "class.roster_twice", None),
    ("students:\n  en: [Alice Smith]\n", "class.roster_name", None),
    ("students: [alice]\n", "class.roster_shape", None),
    ("students:\n  en: [alice\n  ko: minji]\n", "class.roster_yaml", 3),
])
def test_a_wrong_roster_is_a_config_error_that_says_where(tmp_path, text, key, line):
    from bondkit_class.roster import load_roster

    from bondkit.errors import ConfigError

    roster = tmp_path / "roster.yaml"
    roster.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_roster(roster)
    assert caught.value.key == key
    assert caught.value.source == str(roster) and caught.value.line == line
    korean, english = caught.value.message("ko"), caught.value.message("en")
    assert str(roster) in korean and korean != english


def test_reset_names_no_one_outside_the_roster_and_asks_whom(tmp_path):
    roster = tmp_path / "roster.yaml"
    roster.write_text("students:\n  en: [alice]\n", encoding="utf-8")
    env = {**os.environ, "BONDKIT_CLASS_ROSTER": str(roster), "BONDKIT_LANG": "en"}
    unknown = subprocess.run([str(RESET), "mallory"], env=env, capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and "mallory" in unknown.stderr and str(roster) in unknown.stderr
    nobody = subprocess.run([str(RESET)], env=env, capture_output=True, text=True, timeout=60)
    assert nobody.returncode == 2 and "--all" in nobody.stderr


def test_a_students_copy_keeps_their_edits_and_gains_new_notebooks(tmp_path):
    from bondkit_class.workspace import LAB_LOCALE, WORKSPACE

    home = tmp_path / "home"
    home.mkdir()
    command = [sys.executable, "-m", "bondkit_class.workspace", str(home), "ko"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "deploy" / "jupyterhub")}
    subprocess.run(command, env=env, check=True, timeout=60)
    copy = home / WORKSPACE / "ko"
    kit = sorted(p.name for p in (ROOT / "notebooks" / "ko").glob("*.ipynb"))
    assert sorted(p.name for p in copy.glob("*.ipynb")) == kit
    assert json.loads((home / LAB_LOCALE).read_text()) == {"locale": "ko_KR"}
    edited, removed = copy / kit[0], copy / kit[-1]
    edited.write_text("my own edits", encoding="utf-8")
    removed.unlink()
    (home / LAB_LOCALE).write_text('{"locale": "en"}', encoding="utf-8")  # the student's own choice
    subprocess.run(command, env=env, check=True, timeout=60)
    assert edited.read_text(encoding="utf-8") == "my own edits"
    assert removed.exists(), "a notebook missing from the copy comes back"
    assert json.loads((home / LAB_LOCALE).read_text()) == {"locale": "en"}


# -- the class fails closed ------------------------------------------------------------------------------


def test_the_labs_root_is_roots_alone_and_checked(tmp_path):
    """Never /tmp; a root another user owns or may write to, or a link, is refused, and so is a planted
    link in a student's place (root then changes nothing where it points)."""
    from bondkit_class.rootfolder import UnsafeFolder, check_root_folder, root_folder, student_folder
    from bondkit_class.settings import load_settings

    assert load_settings({}).labs_root == Path("/var/lib/bondkit-class/labs")
    if os.geteuid() != 0:
        with pytest.raises(UnsafeFolder):  # a folder of an ordinary user's is never trusted as the root
            check_root_folder(tmp_path)
        return
    labs = root_folder(tmp_path / "class" / "labs")
    assert oct(os.stat(labs).st_mode & 0o777) == "0o755"
    victim = tmp_path / "victim"
    victim.mkdir(mode=0o700)
    (victim / "keep").write_text("mine")
    os.chown(victim, 1, 1)
    (labs / "mallory").symlink_to(victim)
    with pytest.raises(UnsafeFolder) as caught:
        student_folder(labs, "mallory", 4242, 4242)
    assert caught.value.key == "class.folder_unsafe"
    assert os.stat(victim).st_uid == 1 and (victim / "keep").read_text() == "mine"
    home = student_folder(labs, "alice", 4242, 4242)
    assert (os.stat(home).st_uid, oct(os.stat(home).st_mode & 0o777)) == (4242, "0o700")
    spoilers = ((lambda: os.chmod(labs, 0o777), "writable"), (lambda: os.chown(labs, 4242, 4242), "owner"))
    for spoil, why in spoilers:
        spoil()
        with pytest.raises(UnsafeFolder) as caught:
            root_folder(labs)
        assert t("class.folder_why." + why) in str(caught.value)
        os.chown(labs, 0, 0)
        os.chmod(labs, 0o755)
    moved = tmp_path / "elsewhere"
    (tmp_path / "class").rename(moved)
    (tmp_path / "class").symlink_to(moved)
    with pytest.raises(UnsafeFolder):
        root_folder(tmp_path / "class" / "labs")


def test_a_hub_beyond_loopback_needs_tls(tmp_path, monkeypatch):
    from bondkit_class import preflight
    from bondkit_class.settings import load_settings

    monkeypatch.setattr(preflight, "_proxy_reads", lambda path: True)
    assert preflight.network_problems(load_settings({})) == []
    problems = preflight.network_problems(load_settings({"BONDKIT_HUB_IP": "192.0.2.10"}))
    assert problems == [t("class.insecure_address", ip="192.0.2.10")]
    assert preflight.network_problems(load_settings({"BONDKIT_HUB_IP": "192.0.2.10",
                                                     "BONDKIT_HUB_INSECURE": "1"})) == []
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    cert.write_text("cert")
    tls = {"BONDKIT_HUB_IP": "0.0.0.0", "BONDKIT_HUB_SSL_CERT": str(cert), "BONDKIT_HUB_SSL_KEY": str(key)}
    assert preflight.network_problems(load_settings(tls)) == [
        t("class.tls_files", problem=f"BONDKIT_HUB_SSL_KEY={key}")]
    key.write_text("key")
    settings = load_settings(tls)
    assert preflight.network_problems(settings) == [] and settings.scheme == "https"


def test_the_hub_config_serves_https_and_starts_the_proxy_as_its_own_account(tmp_path, monkeypatch):
    from traitlets.config import Config

    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    for path in (cert, key):
        path.write_text("x")
    roster = tmp_path / "roster.yaml"
    roster.write_text("students:\n  en: [alice]\n", encoding="utf-8")
    for name, value in {"BONDKIT_HUB_SSL_CERT": str(cert), "BONDKIT_HUB_SSL_KEY": str(key),
                        "BONDKIT_CLASS_ROSTER": str(roster)}.items():
        monkeypatch.setenv(name, value)
    config = Config()
    source = (ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py").read_text()
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: config,  # noqa: S102
                                                           "__file__": str(ROOT / "deploy/jupyterhub/x")})
    assert config.JupyterHub.ssl_cert == str(cert) and config.JupyterHub.ssl_key == str(key)
    command = config.ConfigurableHTTPProxy.command
    assert command[-1].endswith("configurable-http-proxy")
    if os.geteuid() == 0:
        assert command[:2] == ["setpriv", "--reuid=bondkit-proxy"] and "--no-new-privs" in command


def test_the_kubernetes_config_fails_closed():
    """As shipped, only the school's own values are missing; an open login, a pod with privileges or no
    seccomp profile, no disk limit or an unpinned image each fail the check."""
    import copy

    import yaml

    sys.path.insert(0, str(ROOT / "deploy" / "kubernetes"))
    import check_config

    shipped = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "config.yaml").read_text(encoding="utf-8"))
    problems = check_config.policy(shipped)
    assert problems and all("SET-ME" in problem for problem in problems), problems
    assert any("client_secret" in problem for problem in problems)
    filled = yaml.safe_load(yaml.safe_dump(shipped).replace("SET-ME-teacher", "kim").replace(
        "SET-ME", "a1b2c3"))
    assert check_config.policy(filled) == []
    for spoil, said in (
        (lambda v: v["hub"]["config"]["JupyterHub"].update(authenticator_class="dummy"), "dummy"),
        (lambda v: v["hub"]["config"]["JupyterHub"].pop("authenticator_class"), "'-'"),
        (lambda v: v["singleuser"]["extraPodConfig"]["securityContext"].pop("seccompProfile"), "seccomp"),
        (lambda v: v["singleuser"]["extraContainerConfig"]["securityContext"].update(
            allowPrivilegeEscalation=True), "allowPrivilegeEscalation"),
        (lambda v: v["singleuser"]["extraContainerConfig"]["securityContext"]["capabilities"].update(drop=[]),
         "capabilities"),
        (lambda v: v["singleuser"].pop("extraResource"), "ephemeral-storage"),
        (lambda v: v["proxy"]["https"].update(enabled=False), "https"),
        (lambda v: v["singleuser"]["image"].update(tag="latest"), "latest"),
    ):
        values = copy.deepcopy(filled)
        spoil(values)
        found = check_config.policy(values)
        assert len(found) == 1 and said in found[0], (said, found)


@hub_test
def test_the_proxy_facing_the_network_does_not_run_as_root(tmp_path):
    """The hub is root (PAM, servers started as students); configurable-http-proxy runs as bondkit-proxy,
    with no new privileges. The labs root the start-up made is root's, 0755."""
    import pwd

    os.chmod(tmp_path, 0o755)
    hub = ClassHub(tmp_path / "class", []).start()
    try:
        proxies = []
        for entry in Path("/proc").iterdir():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                status = (entry / "status").read_text()
            except OSError:
                continue
            if "configurable-http-proxy" in command and f"--port {hub.port}" in command:
                proxies.append((int(status.split("\nUid:")[1].split()[0]), "NoNewPrivs:\t1" in status))
        assert proxies == [(pwd.getpwnam("bondkit-proxy").pw_uid, True)], proxies
        labs = os.stat(hub.labs_root)
        assert (labs.st_uid, oct(labs.st_mode & 0o777)) == (0, "0o755")
    finally:
        hub.stop()
