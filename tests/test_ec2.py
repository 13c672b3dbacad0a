"""The EC2 walkthrough on the embedded endpoint: boto3 steps, their `aws` CLI twins, cleanup, bad input.

Never reaches AWS: every test runs against a moto server on 127.0.0.1 with throw-away credentials in
the environment, and a guard refuses any socket connection from this process to a non-loopback address.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from bondkit import ec2
from bondkit.ec2 import Target, emulator
from bondkit.ec2 import ssh as ec2_ssh
from bondkit.ec2.emulator import Emulator
from bondkit.ec2.twin import compare, run_cli, run_line
from bondkit.ec2.walkthrough import walkthrough
from bondkit.errors import EC2Error
from bondkit.i18n import catalog, t
from bondkit.ssh import fingerprint, load_private_key
from tests.sshd_fixture import SSHServer, free_port, running_sshd, sshd_available

TUTORIAL = {  # the tutorial's commands, verbatim
    "create_key": "aws ec2 create-key-pair --key-name TestKeyPair --query 'KeyMaterial' --output text "
                  "> TestKeyPair.pem",
    "run": "aws ec2 run-instances --image-id ami-082bdb3b2d54d5a19 --count 1 --instance-type t2.micro "
           "--key-name TestKeyPair --security-group-ids {sg}",
    "list": 'aws ec2 describe-instances --filters "Name=instance-type,Values=t2.micro" '
            '--query "Reservations[].Instances[].InstanceId"',
    "chmod": "chmod 400 TestKeyPair.pem",
    "terminate": "aws ec2 terminate-instances --instance-ids {instance}",
}


CURRENT_LAB = ec2_ssh.current_lab  # the real look-up, before a fixture replaces it


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection from this process to a non-loopback address fails the test."""
    original = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            assert host.startswith("127.") or host in ("::1", "localhost"), f"tried to reach {address}"
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(scope="module")
def emu():
    with Emulator() as running:
        yield running


@pytest.fixture
def target(emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Target:
    emu.reset()
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BONDKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", emu.access_key)  # the emulator serves its own key only
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", emu.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-2")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(ec2_ssh, "current_lab", lambda: None)  # never the machine's real lab
    monkeypatch.chdir(tmp_path)
    return Target.emulator(emu.url)


class FakeLab:
    """The lab contract (host, endpoint, known_hosts) served by the test sshd standing in for a guest."""

    def __init__(self, server: SSHServer) -> None:
        self.server = server
        self.known_hosts = server.known_hosts

    def host(self, name: str):
        return self.server.host(name=f"lab:{name}")

    def endpoint(self, name: str) -> tuple[str, int]:
        return "127.0.0.1", self.server.port


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory):
    reason = sshd_available()
    if reason:
        pytest.skip(reason)
    with running_sshd(tmp_path_factory.mktemp("guest")) as server:
        yield server


def _ready(target: Target) -> tuple[str, str]:
    """A key pair (TestKeyPair.pem in cwd) and the kit's security group; returns (pem, group id)."""
    key = ec2.create_key_pair(target).result
    group = ec2.ensure_security_group(target).result
    return str(key.path), group.group_id


# -- the tutorial, verbatim, with the real aws CLI --------------------------------------------------------


def test_tutorial_commands_verbatim_agree_with_boto3(target: Target, tmp_path: Path) -> None:
    answers = "testing\ntesting\nap-northeast-2\njson\n"  # typed at the four prompts of `aws configure`
    configured = run_cli(target, ec2.CliCommand(["aws", "configure"], stdin=answers))
    assert configured.status == 0
    config = target.files()[0].read_text()
    assert "region = ap-northeast-2" in config and "output = json" in config
    assert ec2.ConfigCheck("region").run(target) == "ap-northeast-2"

    assert run_line(target, TUTORIAL["create_key"], cwd=tmp_path).status == 0
    assert run_line(target, TUTORIAL["chmod"], cwd=tmp_path).status == 0
    pem = tmp_path / "TestKeyPair.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o400
    pair = target.call("describe_key_pairs", KeyNames=["TestKeyPair"], IncludePublicKey=True)["KeyPairs"][0]
    from_pem = load_private_key(pem)
    assert pair["PublicKey"].split()[1] == from_pem.get_base64()  # the .pem the CLI wrote is EC2's key
    cli_fp = json.loads(run_line(target, "aws ec2 describe-key-pairs --key-names TestKeyPair "
                                         "--query 'KeyPairs[0].KeyFingerprint'").stdout)
    assert cli_fp == pair["KeyFingerprint"]

    group_id = ec2.ensure_security_group(target).result.group_id
    launched = run_line(target, TUTORIAL["run"].format(sg=group_id), cwd=tmp_path)
    assert launched.status == 0, launched.stderr
    instance_id = json.loads(launched.stdout)["Instances"][0]["InstanceId"]

    listed = run_line(target, TUTORIAL["list"])
    assert json.loads(listed.stdout) == [instance_id]
    assert ec2.describe_instances(target, live_only=False).result == [instance_id]
    assert ec2.describe_instances(target).result == [instance_id]
    (described,) = ec2.describe(target, [instance_id])
    assert (described.key_name, described.instance_type, described.image_id) == (
        "TestKeyPair", "t2.micro", "ami-082bdb3b2d54d5a19")

    assert run_line(target, TUTORIAL["terminate"].format(instance=instance_id)).status == 0
    assert ec2.describe(target, [instance_id])[0].state == "terminated"
    assert ec2.describe_instances(target).result == []  # live ones only
    assert json.loads(run_line(target, TUTORIAL["list"]).stdout) == [instance_id]  # as the tutorial shows it


def test_step_checks_agree_and_awscli_stays_out_of_process(target: Target, tmp_path: Path) -> None:
    before = set(sys.modules)
    result = walkthrough(target, key_dir=tmp_path, ssh=False, compare=True)
    assert result.all_agree
    checked = [r for r in result.reports if r.agreement is not None]
    assert len(checked) >= 7
    for report in checked:
        assert report.agreement.same, (report.step.name, report.agreement)
    assert not any(name.startswith("awscli") for name in set(sys.modules) - before)
    assert "awscli" not in sys.modules


# -- the walkthrough and cleanup --------------------------------------------------------------------------


def test_walkthrough_leaves_nothing(target: Target, tmp_path: Path) -> None:
    result = walkthrough(target, key_dir=tmp_path, ssh=True, compare=False)
    names = [r.step.name for r in result.reports]
    assert names == ["configure", "create_key_pair", "security_group", "find_image", "run_instances",
                     "describe_instances", "wait_running", "ssh", "terminate_instances", "cleanup"]
    assert result.step("ssh").result.skipped  # no lab: explained and skipped, not an error
    assert t("ec2.note.no_lab") in result.step("ssh").notes
    assert result.remaining is not None and result.remaining.empty()
    assert not (tmp_path / "TestKeyPair.pem").exists()
    assert ec2.remaining(target).empty()
    assert target.call("describe_key_pairs")["KeyPairs"] == []


def test_lab_switch_off_skips_ssh_and_says_how_to_turn_it_on(target: Target, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Under ``BONDKIT_NB_LAB=off`` no running lab is looked for, and the note names the switch, not
    ``bondkit lab up`` (which would not help)."""
    from bondkit.lab import Lab

    monkeypatch.setenv("BONDKIT_NB_LAB", "off")
    monkeypatch.setattr(ec2_ssh, "current_lab", CURRENT_LAB)
    monkeypatch.setattr(Lab, "current", classmethod(lambda cls: pytest.fail("looked for a lab")))
    result = walkthrough(target, key_dir=tmp_path, ssh=True, compare=False)
    notes = result.step("ssh").notes
    assert result.step("ssh").result.skipped
    assert t("ec2.note.lab_switched_off", switch="BONDKIT_NB_LAB=off", name="BONDKIT_NB_LAB") in notes
    assert t("ec2.note.no_lab") not in notes and "bondkit lab up" not in " ".join(notes)


def test_keep_then_cleanup(target: Target, tmp_path: Path) -> None:
    result = walkthrough(target, key_dir=tmp_path, keep=True, ssh=False, compare=False)
    left = result.remaining
    assert left is not None and len(left.instances) == 1 and left.key_pairs == ["TestKeyPair"]
    assert len(left.security_groups) == 1
    pem = tmp_path / "TestKeyPair.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o400
    step = ec2.cleanup(target, pem_files=[pem])
    assert step.cli_lines() == [
        f"aws ec2 terminate-instances --instance-ids {left.instances[0]}",
        f"aws ec2 delete-security-group --group-id {left.security_groups[0]}",
        "aws ec2 delete-key-pair --key-name TestKeyPair",
    ]
    assert not pem.exists()
    assert ec2.remaining(target).empty()


def _foreign_key(path: Path) -> Path:
    """A private key of another key pair under a kit name (the real-AWS tutorial's file, say)."""
    import subprocess

    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "not the kit's", "-f", str(path)],
                   check=True, timeout=30)
    Path(f"{path}.pub").unlink()
    path.chmod(0o400)
    return path


def test_cleanup_removes_only_the_key_files_of_the_key_pairs_it_deletes(target: Target,
                                                                        tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    first = ec2.create_key_pair(target, key_dir=keys).result.path
    second = ec2.create_key_pair(target, "Second").result.path  # in the current folder
    stranger = _foreign_key(keys / "Second.pem")  # same name, another key: not the kit's to remove
    unrelated = _foreign_key(tmp_path / "Mine.pem")
    step = ec2.cleanup(target, key_dirs=[keys, "."])
    assert not first.exists() and not second.exists()
    assert stranger.exists() and unrelated.exists()
    assert t("ec2.note.pem_removed", path=first) in step.notes
    assert t("ec2.note.pem_removed", path=Path("Second.pem")) in step.notes
    assert t("ec2.note.pem_kept", path=stranger) in step.notes
    assert not any("Mine.pem" in note for note in step.notes)  # no key pair of that name was deleted
    assert step.notes[-1] == t("ec2.note.cleanup", instances=0, groups=0, keys=2, files=2)
    assert target.call("describe_key_pairs")["KeyPairs"] == []


def test_cleanup_says_in_korean_which_key_files_it_removed(target: Target, tmp_path: Path) -> None:
    from bondkit.i18n import set_lang

    pem = ec2.create_key_pair(target).result.path
    unreadable = tmp_path / "keys"
    unreadable.mkdir()
    (unreadable / "TestKeyPair.pem").write_text("not a key\n")
    (unreadable / "TestKeyPair.pem").chmod(0o400)
    set_lang("ko")
    step = ec2.cleanup(target, key_dirs=[".", unreadable])
    assert not pem.exists() and (unreadable / "TestKeyPair.pem").exists()
    assert f"키 파일을 삭제했습니다: {pem.name}" in step.notes
    kept = [note for note in step.notes if note.startswith("키 파일을 그대로 두었습니다: ")]
    assert len(kept) == 1 and str(unreadable / "TestKeyPair.pem") in kept[0]
    assert "키 파일 1개를 삭제했습니다" in step.notes[-1]


def test_cleanup_command_after_walkthrough_keep(target: Target, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """As a student types it, on the real moto server in its own process: walkthrough --keep leaves the
    .pem files; ec2 cleanup removes them from the key folder and the current folder and says which."""
    monkeypatch.setenv("BONDKIT_HOME", str(tmp_path / "home"))
    keys = tmp_path / "keys"
    keys.mkdir()
    try:
        assert _cli("ec2", "emulator", "start") == 0
        assert _cli("ec2", "walkthrough", "--keep", "--key-dir", str(keys), "--no-ssh", "--no-compare") == 0
        assert _cli("ec2", "walkthrough", "--keep", "--key-name", "Second", "--no-ssh", "--no-compare") == 0
        assert (keys / "TestKeyPair.pem").exists() and Path("Second.pem").exists()
        stranger = _foreign_key(tmp_path / "TestKeyPair.pem")  # the current folder's, not the kit's
        capsys.readouterr()
        assert _cli("ec2", "cleanup", "--key-dir", str(keys)) == 0
        out = capsys.readouterr().out.splitlines()
    finally:
        assert _cli("ec2", "emulator", "stop") == 0
    assert not (keys / "TestKeyPair.pem").exists(), "\n".join(out)
    assert not Path("Second.pem").exists() and stranger.exists()
    assert t("ec2.note.pem_removed", path=keys / "TestKeyPair.pem") in out
    assert t("ec2.note.pem_removed", path=Path("Second.pem")) in out
    assert t("ec2.note.pem_kept", path=Path("TestKeyPair.pem")) in out
    assert "aws ec2 delete-key-pair --key-name Second" in "\n".join(out)
    assert t("ec2.cli.nothing_left") in out


def test_cleanup_touches_only_kit_tagged_resources(target: Target) -> None:
    client = target.client()
    client.create_key_pair(KeyName="mine")
    group = client.create_security_group(GroupName="mine", Description="not the kit's")["GroupId"]
    own = client.run_instances(ImageId="ami-082bdb3b2d54d5a19", MinCount=1, MaxCount=1,
                               InstanceType="t2.micro")["Instances"][0]["InstanceId"]
    _ready(target)
    kit = ec2.run_instances(target, security_group_ids=[]).result[0].instance_id
    ec2.cleanup(target)
    assert ec2.describe(target, [own])[0].state == "running"
    assert ec2.describe(target, [kit])[0].state == "terminated"
    assert [k["KeyName"] for k in target.call("describe_key_pairs")["KeyPairs"]] == ["mine"]
    assert group in [g["GroupId"] for g in target.call("describe_security_groups")["SecurityGroups"]]


def test_failure_midway_cleans_up(target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ec2, "wait_running", interrupted)
    with pytest.raises(KeyboardInterrupt):
        walkthrough(target, key_dir=tmp_path, ssh=False, compare=False)
    assert ec2.remaining(target).empty()
    assert not (tmp_path / "TestKeyPair.pem").exists()


# -- the key pair and its .pem ----------------------------------------------------------------------------


def test_pem_is_0400_from_creation(target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[str, int, int]] = []
    real_open = os.open

    def spy(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        if str(path).endswith(".pem"):
            opened.append((str(path), flags, mode))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(os, "open", spy)
    old_umask = os.umask(0)  # even with a permissive umask
    try:
        step = ec2.create_key_pair(target, "Umask0", key_dir=tmp_path)
    finally:
        os.umask(old_umask)
    (path, flags, mode) = opened[0]
    assert flags & os.O_CREAT and flags & os.O_EXCL and mode == 0o400
    pem = step.result.path
    assert stat.S_IMODE(pem.stat().st_mode) == 0o400
    assert pem.read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert step.result.ssh_fingerprint == fingerprint(load_private_key(pem))
    line = step.cli[0].line()
    assert line.startswith("(umask 077; aws ec2 create-key-pair --key-name Umask0")
    assert line.endswith("--query KeyMaterial --output text > Umask0.pem)")
    # The line as shown, typed into a shell whose umask lets everyone read: the key is the user's alone.
    target.call("delete_key_pair", KeyName="Umask0")
    shell = tmp_path / "shell"
    shell.mkdir()
    env = {**target.cli_env(), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    import subprocess

    done = subprocess.run(["bash", "-c", f"umask 000; {line}"], cwd=shell, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    typed = shell / "Umask0.pem"
    assert stat.S_IMODE(typed.stat().st_mode) == 0o600 and "PRIVATE KEY" in typed.read_text()


def test_existing_pem_is_refused_before_any_call(target: Target, tmp_path: Path) -> None:
    pem = tmp_path / "TestKeyPair.pem"
    pem.write_text("precious")
    with pytest.raises(EC2Error) as caught:
        ec2.create_key_pair(target, key_dir=tmp_path)
    assert caught.value.key == "ec2.pem_exists" and str(pem) in str(caught.value)
    assert pem.read_text() == "precious"
    assert target.call("describe_key_pairs")["KeyPairs"] == []


def test_duplicate_key_name(target: Target, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    ec2.create_key_pair(target, key_dir=tmp_path / "a")
    with pytest.raises(EC2Error) as caught:
        ec2.create_key_pair(target, key_dir=tmp_path / "b")
    assert caught.value.key == "ec2.key_pair_duplicate"
    assert "이미" in caught.value.message("ko")
    assert not (tmp_path / "b" / "TestKeyPair.pem").exists()


def test_key_dir_and_name_checked(target: Target, tmp_path: Path) -> None:
    with pytest.raises(EC2Error) as caught:
        ec2.create_key_pair(target, key_dir=tmp_path / "absent")
    assert caught.value.key == "ec2.key_dir_missing"
    with pytest.raises(EC2Error) as caught:
        ec2.create_key_pair(target, "키", key_dir=tmp_path)
    assert caught.value.key == "ec2.bad_key_name"


# -- bad input ----------------------------------------------------------------------------------------------


def test_unknown_region_refused_before_any_call(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.endpoint

    monkeypatch.setattr(botocore.endpoint.Endpoint, "make_request",
                        lambda *a, **k: pytest.fail("a request was made"))
    with pytest.raises(EC2Error) as caught:
        Target.emulator(emu.url, region="ap-northeast-9")
    text = str(caught.value)
    assert caught.value.key == "ec2.unknown_region" and "ap-northeast-9" in text and "ap-northeast-2" in text
    assert "us-east-1" in text


def test_no_credentials(emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BONDKIT_HOME", str(tmp_path))
    target = Target.emulator(emu.url)
    with pytest.raises(EC2Error) as caught:
        target.call("describe_instances")
    assert caught.value.key == "ec2.no_credentials" and "aws configure" in str(caught.value)
    ec2.configure(target)  # the tutorial's first step fixes it
    assert target.call("describe_instances")["Reservations"] == []


def test_unknown_key_pair_and_instance_ids(target: Target) -> None:
    with pytest.raises(EC2Error) as caught:
        ec2.run_instances(target, key_name="NoSuchKey")
    assert caught.value.key == "ec2.key_pair_not_found" and "NoSuchKey" in str(caught.value)
    assert ec2.remaining(target).empty()
    with pytest.raises(EC2Error) as caught:
        ec2.terminate_instances(target, ["i-0123456789abcdef0"])
    assert caught.value.key == "ec2.instance_not_found" and "i-0123456789abcdef0" in str(caught.value)
    with pytest.raises(EC2Error) as caught:
        ec2.terminate_instances(target, ["TestKeyPair"])
    assert caught.value.key == "ec2.instance_id_malformed"
    with pytest.raises(EC2Error) as caught:
        ec2.find_image(target, "ami-0000000000000dead")
    assert caught.value.key == "ec2.image_not_found" and "find_ubuntu_image" in str(caught.value)
    assert caught.value.params["code"] == "InvalidAMIID.NotFound"
    with pytest.raises(EC2Error) as caught:
        ec2.find_image(target, "ubuntu-16.04")  # not an AMI id at all: refused before any call
    assert caught.value.key == "ec2.image_not_found"
    assert caught.value.params["code"] == "InvalidAMIID.Malformed"
    with pytest.raises(EC2Error) as caught:
        ec2.run_instances(target, count=5)
    assert caught.value.key == "ec2.bad_count"


def test_endpoint_down_and_not_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    down = Target.emulator(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(EC2Error) as caught:
        down.call("describe_instances")
    assert caught.value.key == "ec2.endpoint_down" and "bondkit ec2 emulator start" in str(caught.value)
    with pytest.raises(EC2Error) as caught:
        Target("https://ec2.ap-northeast-2.amazonaws.com")
    assert caught.value.key == "ec2.endpoint_not_local"
    monkeypatch.setenv("BONDKIT_HOME", str(tmp_path))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with pytest.raises(EC2Error) as caught:
        Target.emulator()
    assert caught.value.key == "ec2.no_emulator"


def test_real_aws_needs_confirmation() -> None:
    asked: list[str] = []
    with pytest.raises(EC2Error) as caught:
        Target.aws("ap-northeast-2", confirm=lambda text: asked.append(text) or False)
    assert caught.value.key == "ec2.real_declined"
    assert "DryRun" in asked[0] and "t2.micro" in asked[0]
    with pytest.raises(EC2Error) as caught:
        Target.aws("mars-1", confirm=lambda text: pytest.fail("asked before the region was checked"))
    assert caught.value.key == "ec2.unknown_region"


def test_real_mode_dry_run_first_and_small_types_only(target: Target) -> None:
    """Real-mode logic on a client bound to the emulator: DryRun goes first, large types are refused."""
    calls: list[tuple[str, bool]] = []
    _ready(target)
    with pytest.raises(EC2Error) as caught:
        Target(None, real=True)  # not without a confirmation
    assert caught.value.key == "ec2.real_unconfirmed"
    real = Target.aws(confirm=lambda text: True)
    real._client = target.client()  # bound to the emulator before any call: nothing reaches AWS

    def seen(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, bool(params["body"].get("DryRun"))))

    real._client.meta.events.register("before-call.ec2.*", seen)
    with pytest.raises(EC2Error) as caught:
        ec2.run_instances(real, instance_type="m5.24xlarge")
    assert caught.value.key == "ec2.type_too_large" and calls == []
    step = ec2.run_instances(real)
    launches = [c for c in calls if c[0] == "RunInstances"]
    assert launches == [("RunInstances", True), ("RunInstances", False)]
    assert any("t2.micro" in note for note in step.notes)


def test_security_group_rules(target: Target) -> None:
    client = target.client()
    client.create_security_group(GroupName="taken", Description="someone else's")
    with pytest.raises(EC2Error) as caught:
        ec2.ensure_security_group(target, "taken")
    assert caught.value.key == "ec2.group_not_ours"
    with pytest.raises(EC2Error) as caught:
        ec2.ensure_security_group(target, cidr="0.0.0.0/0")
    assert caught.value.key == "ec2.cidr_not_single"
    first = ec2.ensure_security_group(target).result
    client.authorize_security_group_ingress(GroupId=first.group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    again = ec2.ensure_security_group(target)
    assert again.result.group_id == first.group_id and not again.result.created
    assert compare(target, again).boto3_value == [["tcp", 22, 22, "127.0.0.1/32"]]


def test_describe_filters_and_queries(target: Target) -> None:
    assert ec2.filters_from_cli(["Name=instance-type,Values=t2.micro,t3.micro"]) == [
        {"Name": "instance-type", "Values": ["t2.micro", "t3.micro"]}]
    with pytest.raises(EC2Error) as caught:
        ec2.filters_from_cli(["instance-type=t2.micro"])
    assert caught.value.key == "ec2.bad_filter"
    with pytest.raises(EC2Error) as caught:
        ec2.describe_instances(target, query="Reservations[")
    assert caught.value.key == "ec2.bad_query"
    _ready(target)
    ids = [i.instance_id for i in ec2.run_instances(target, count=2).result]
    step = ec2.describe_instances(target, query="Reservations[].Instances[].[InstanceId, State.Name]")
    assert sorted(row[0] for row in step.result) == sorted(ids)
    agreement = compare(target, step)
    assert agreement is not None and agreement.same


def test_find_current_ubuntu_image(target: Target) -> None:
    step = ec2.find_ubuntu_image(target)
    assert "noble-24.04" in step.result.name and step.result.owner_id == ec2.CANONICAL_OWNER
    agreement = compare(target, step)
    assert agreement is not None and agreement.same and agreement.cli_value["ImageId"] == step.result.image_id
    assert ec2.find_image(target).result.image_id == ec2.TUTORIAL_IMAGE_ID


# -- SSH to the instance (a real sshd stands for the lab guest) ------------------------------------------


def test_ssh_through_lab_guest_and_key_removed_on_terminate(target: Target, sshd: SSHServer) -> None:
    lab = FakeLab(sshd)
    pem, group = _ready(target)
    (instance,) = ec2.run_instances(target, security_group_ids=[group]).result
    step = ec2.ssh_to_instance(target, instance.instance_id, pem, lab=lab,
                               authorized_keys=str(sshd.authorized_keys))
    assert step.result.stdout.startswith("Linux") and not step.result.skipped
    assert instance.public_ip and instance.public_ip in step.notes[0]  # shown, said not contacted
    installed = sshd.authorized_keys.read_text()
    assert f"bondkit-instance:{instance.instance_id}" in installed and "bondkit-test-admin" in installed
    terminated = ec2.terminate_instances(target, [instance.instance_id], lab=lab)
    after = sshd.authorized_keys.read_text()
    assert "bondkit-instance:" not in after and "bondkit-test-admin" in after
    assert any(instance.instance_id in note for note in terminated.notes)


def test_ssh_refuses_the_wrong_pem(target: Target, sshd: SSHServer, tmp_path: Path) -> None:
    _ready(target)
    (instance,) = ec2.run_instances(target).result
    (tmp_path / "other").mkdir()
    other = ec2.create_key_pair(target, "Other", key_dir=tmp_path / "other").result.path
    with pytest.raises(EC2Error) as caught:
        ec2.ssh_to_instance(target, instance.instance_id, other, lab=FakeLab(sshd),
                            authorized_keys=str(sshd.authorized_keys))
    assert caught.value.key == "ec2.ssh_wrong_key"
    assert "bondkit-instance:" not in sshd.authorized_keys.read_text()


def test_host_keys_from_console_output() -> None:
    console = ("cloud-init...\n-----BEGIN SSH HOST KEY KEYS-----\necdsa-sha2-nistp256 AAAAE2 root@ip\n"
               "ssh-ed25519 AAAAC3 root@ip\n-----END SSH HOST KEY KEYS-----\n")
    assert ec2_ssh.known_hosts_from_console(console, "203.0.113.9") == (
        "203.0.113.9 ecdsa-sha2-nistp256 AAAAE2\n203.0.113.9 ssh-ed25519 AAAAC3\n")
    assert ec2_ssh.known_hosts_from_console("no keys yet", "203.0.113.9") == ""


# -- the emulator and the command line -----------------------------------------------------------------------


def test_emulator_binds_loopback(emu: Emulator, tmp_path: Path) -> None:
    assert emu.url.startswith("http://127.0.0.1:") and emulator.reachable(emu.url)
    env = emu.env(aws_dir=tmp_path / "aws")
    assert env["AWS_ACCESS_KEY_ID"] == emu.access_key and env["AWS_DEFAULT_REGION"] == "ap-northeast-2"
    assert Path(env["AWS_CONFIG_FILE"]).exists() and Path(env["AWS_SHARED_CREDENTIALS_FILE"]).exists()


def test_cli_env_sends_the_cli_to_the_emulator_only(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someones-real-account")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-looking-token")
    env = target.cli_env()
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env
    assert env["AWS_ENDPOINT_URL"] == target.endpoint_url and env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_DEFAULT_REGION"], env["AWS_PAGER"]) == (
        os.environ["AWS_ACCESS_KEY_ID"], "ap-northeast-2", "")
    assert env["AWS_ACCESS_KEY_ID"].startswith(emulator.KEY_PREFIX)
    assert env["AWS_CONFIG_FILE"] == str(target.files()[0])


def _cli(*argv: str) -> int:
    from bondkit.cli import ec2_cmds

    parser = argparse.ArgumentParser()
    ec2_cmds.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.func(args) or 0)


def test_background_emulator_lifecycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BONDKIT_HOME", str(tmp_path / "home"))
    try:
        assert _cli("ec2", "emulator", "start") == 0
        state = emulator.status()
        assert state is not None and state.url.startswith("http://127.0.0.1:")
        assert Path(state.log).is_file()  # the state names the log the process really writes
        assert "Warning" not in Path(state.log).read_text()  # started cleanly, its module loaded once
        assert _cli("ec2", "emulator", "start") == 0  # a second start finds the running one
        assert _cli("ec2", "emulator", "status") == 0
        capsys.readouterr()
        assert _cli("ec2", "emulator", "env") == 0
        exports = capsys.readouterr().out
        assert f"export AWS_ENDPOINT_URL={state.url}" in exports
        assert f"export AWS_ACCESS_KEY_ID={state.access_key}" in exports
        assert f"export AWS_SECRET_ACCESS_KEY={shlex.quote(state.secret_key)}" in exports
        # The tutorial's command, verbatim, in a shell that evaluated the export lines.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
        import subprocess

        done = subprocess.run(["bash", "-c", exports + TUTORIAL["list"]], env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0 and json.loads(done.stdout) == [], done.stderr
    finally:
        assert _cli("ec2", "emulator", "stop") == 0
    assert emulator.status() is None and not emulator._alive(state.pid)
    assert _cli("ec2", "emulator", "status") == 1
    with pytest.raises(EC2Error) as caught:
        _cli("ec2", "emulator", "env")
    assert caught.value.key == "ec2.no_emulator"


def test_walkthrough_command(target: Target, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli("ec2", "walkthrough", "--key-dir", str(tmp_path), "--no-ssh", "--no-compare") == 0
    out = capsys.readouterr().out
    assert "$ aws ec2 run-instances --image-id ami-082bdb3b2d54d5a19 --count 1" in out
    assert "ec2.run_instances(" in out and t("ec2.cli.nothing_left") in out
    with pytest.raises(EC2Error) as caught:
        _cli("ec2", "walkthrough", "--region", "seoul")
    assert caught.value.key == "ec2.unknown_region"


def test_messages_complete_in_both_languages() -> None:
    import string

    for key, texts in catalog().items():
        if not key.startswith(("ec2.", "ssh.")):
            continue
        assert set(texts) >= {"en", "ko"} and texts["en"].strip() and texts["ko"].strip(), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("en", "ko")]
        assert fields[0] == fields[1], key


def test_current_lab_tolerates_a_missing_lab_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bondkit.lab", None)  # import bondkit.lab -> ImportError
    assert ec2_ssh.current_lab() is None


@pytest.mark.lab
def test_walkthrough_logs_in_to_a_real_lab_guest(target: Target, tmp_path: Path, lab: Any) -> None:
    """End to end: the .pem from the emulator logs in to the lab's QEMU guest standing for the instance."""
    result = walkthrough(target, key_dir=tmp_path, ssh=True, compare=False, lab=lab)
    ssh = result.step("ssh").result
    assert not ssh.skipped and ssh.stdout.splitlines()[-1] == "server"
    assert ssh.reached and "127.0.0.1" in ssh.reached and ssh.public_ip not in ssh.reached
    keys = lab.host("server").run("cat /root/.ssh/authorized_keys 2>/dev/null; true").stdout
    assert "bondkit-instance:" not in keys  # terminate took the key off again
    assert result.remaining is not None and result.remaining.empty()


# -- the emulator answers its own student only -----------------------------------------------------------


def _raw(emu: Emulator, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request to the emulator as anyone could send it (any Host, any header, no signature)."""
    import http.client

    port = int(emu.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(b"" if method == "POST" else None)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_the_emulator_serves_no_one_but_its_student(target: Target, emu: Emulator) -> None:
    """The data API, a foreign Host (DNS rebinding), a web page (CORS) and another user's keys are all
    refused, while the student's own calls go through; no answer carries a CORS header."""
    import boto3
    import botocore.exceptions

    ec2.create_key_pair(target)  # a private key now sits in the emulator
    own = f"127.0.0.1:{emu.url.rsplit(':', 1)[1]}"
    status, _, body = _raw(emu, "GET", "/moto-api/data.json", {"Host": own})
    assert status == 403 and b"PRIVATE KEY" not in body
    assert _raw(emu, "POST", "/moto-api/reset", {"Host": own})[0] == 403
    token = {emulator.TOKEN_HEADER: emu.secrets.token}
    status, _, body = _raw(emu, "GET", "/moto-api/data.json", {"Host": own, **token})
    assert status == 200 and b"PRIVATE KEY" in body  # the token opens it: the kit's own reset works
    for host in ("evil.example", f"evil.example:{own.split(':')[1]}", "localhost:1", ""):
        status, _, body = _raw(emu, "GET", "/moto-api/data.json", {"Host": host, **token})
        assert status == 403 and b"PRIVATE KEY" not in body, host
    for method in ("OPTIONS", "GET", "POST"):
        status, headers, _ = _raw(emu, method, "/?Action=DescribeKeyPairs&Version=2016-11-15",
                                  {"Host": own, "Origin": "http://evil.example",
                                   "Access-Control-Request-Method": "GET"})
        assert status == 403 and not any(k.startswith("access-control-") for k in headers), method
    status, headers, _ = _raw(emu, "GET", "/?Action=DescribeKeyPairs&Version=2016-11-15", {"Host": own})
    assert status == 401 and not any(k.startswith("access-control-") for k in headers)
    stranger = boto3.session.Session(aws_access_key_id="BKEMU0000000000000000000",
                                      aws_secret_access_key="guess", region_name="ap-northeast-2")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        stranger.client("ec2", endpoint_url=emu.url).describe_key_pairs()
    assert refused.value.response["Error"]["Code"] == "AuthFailure"
    assert [k["KeyName"] for k in target.client().describe_key_pairs()["KeyPairs"]] == ["TestKeyPair"]


def test_each_emulator_makes_keys_of_its_own(emu: Emulator) -> None:
    with Emulator() as other:
        assert other.access_key != emu.access_key and other.secrets.token != emu.secrets.token
        assert other.access_key.startswith(emulator.KEY_PREFIX) and len(other.access_key) == 25
        assert emulator.credentials_for(other.url) == (other.access_key, other.secret_key)
    assert emulator.credentials_for(other.url) is None
