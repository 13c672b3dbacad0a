"""The EC2 tutorial, one function per step, each with its `aws` CLI twin.

Every step returns a :class:`Step`: the result the student needs, the boto3 call as Python text, the
exact ``aws ...`` command line(s) that do the same, and a read-only *check* (a query run both by boto3
and by the `aws` CLI, see :mod:`bondkit.ec2_twin`) that shows the two tools see the same state.

Where the calls go is a :class:`Target`: the embedded endpoint (default; see :mod:`bondkit.emulator`)
or real AWS, only with ``Target.aws(..., confirm=...)``. Everything the kit creates carries a tag whose
key starts with ``bondkit``; :func:`cleanup` acts on those tags and nothing else.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jmespath
from botocore import xform_name

from bondkit.ec2_errors import check_region, translated
from bondkit.emulator import (
    DEFAULT_REGION,
    THROWAWAY,
    aws_files,
    is_loopback_url,
    running_url,
    write_aws_files,
)
from bondkit.errors import EC2Error
from bondkit.i18n import t

__all__ = [
    "DEFAULT_REGION",
    "TUTORIAL_IMAGE_ID",
    "TUTORIAL_KEY_NAME",
    "TUTORIAL_QUERY",
    "CliCommand",
    "Query",
    "Step",
    "Target",
    "cleanup",
    "configure",
    "create_key_pair",
    "delete_key_pair",
    "describe_instances",
    "ensure_security_group",
    "filters_from_cli",
    "find_image",
    "find_ubuntu_image",
    "open_target",
    "remaining",
    "run_instances",
    "ssh_to_instance",
    "terminate_instances",
    "wait_running",
]

TUTORIAL_IMAGE_ID = (
    "ami-082bdb3b2d54d5a19"  # "Ubuntu Server 16.04 LTS (HVM), SSD Volume Type" in the tutorial
)
TUTORIAL_KEY_NAME = "TestKeyPair"
TUTORIAL_INSTANCE_TYPE = "t2.micro"
TUTORIAL_FILTER = "Name=instance-type,Values=t2.micro"
TUTORIAL_QUERY = "Reservations[].Instances[].InstanceId"
CANONICAL_OWNER = "099720109477"

TAG_KEY = "bondkit"  # on everything the kit makes; cleanup acts on tag keys that start with it
LAB_GUEST_TAG = "bondkit:lab-guest"  # the lab guest standing for an instance (emulator mode)
LAB_KEYS_TAG = "bondkit:lab-authorized-keys"  # the file on that guest holding the instance's key
SECURITY_GROUP_NAME = "bondkit-ssh"
LIVE_STATES = ("pending", "running")
SMALL_TYPES = frozenset(
    {"t2.nano", "t2.micro", "t3.nano", "t3.micro", "t3a.nano", "t3a.micro", "t4g.nano", "t4g.micro"}
)
MAX_COUNT = 2
_INSTANCE_ID = re.compile(r"^i-[0-9a-f]{8,17}$")
_KEY_NAME = re.compile(r"^[\x20-\x7e]{1,255}$")


# -- where the calls go --------------------------------------------------------------------------------


@dataclass
class Target:
    """Where EC2 calls go: the embedded endpoint on 127.0.0.1 (default) or real AWS (explicit only).

    In emulator mode the credentials come from the environment or the kit-local credentials file that
    :func:`configure` writes, never from ~/.aws, and the endpoint must be a loopback URL: a call cannot
    end up at AWS by mistake.
    """

    endpoint_url: str | None
    region: str = DEFAULT_REGION
    real: bool = False
    aws_dir: Path | None = None  # the kit-local AWS config directory (None: kit_dir()/aws)
    profile: str = "default"
    confirmed: bool = field(default=False, repr=False)  # real AWS: the student said yes (see Target.aws)
    _client: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_region(self.region)
        if self.real and not self.confirmed:
            raise EC2Error("ec2.real_unconfirmed")
        if not self.real and not (self.endpoint_url and is_loopback_url(self.endpoint_url)):
            raise EC2Error("ec2.endpoint_not_local", endpoint=self.endpoint_url or "-")

    @classmethod
    def emulator(
        cls, url: str | None = None, *, region: str = DEFAULT_REGION, aws_dir: Path | None = None
    ) -> Target:
        """The embedded endpoint: ``url``, else a local ``AWS_ENDPOINT_URL``, else the background emulator."""
        check_region(region)
        env_url = os.environ.get("AWS_ENDPOINT_URL", "")
        url = url or (env_url if env_url and is_loopback_url(env_url) else None) or running_url()
        if not url:
            raise EC2Error("ec2.no_emulator")
        return cls(url, region, aws_dir=aws_dir)

    @classmethod
    def aws(
        cls,
        region: str = DEFAULT_REGION,
        *,
        confirm: Callable[[str], bool],
        profile: str = "default",
        aws_dir: Path | None = None,
    ) -> Target:
        """Real AWS, only after ``confirm`` (shown the cost note) says yes. Nothing is called before that."""
        check_region(region)
        if not confirm(t("ec2.real_confirm", region=region)):
            raise EC2Error("ec2.real_declined")
        return cls(None, region, real=True, aws_dir=aws_dir, profile=profile, confirmed=True)

    @property
    def where(self) -> str:
        return f"AWS {self.region}" if self.real else f"{self.endpoint_url} ({self.region})"

    def files(self) -> tuple[Path, Path]:
        return aws_files(self.aws_dir)

    def credentials(self) -> tuple[str, str]:
        """Emulator mode: the environment's keys, else the kit-local credentials file, else an EC2Error."""
        key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
        if key and secret:
            return key, secret
        import configparser

        parser = configparser.RawConfigParser()
        parser.read(self.files()[1], encoding="utf-8")
        if parser.has_option(self.profile, "aws_access_key_id") and parser.has_option(
            self.profile, "aws_secret_access_key"
        ):
            return parser.get(self.profile, "aws_access_key_id"), parser.get(
                self.profile, "aws_secret_access_key"
            )
        raise EC2Error("ec2.no_credentials", where=self.where, operation="-")

    def client(self) -> Any:
        """A boto3 EC2 client for this target (bounded retries and timeouts: a dead endpoint fails fast)."""
        if self._client is not None:
            return self._client
        import boto3
        from botocore.config import Config

        config = Config(
            region_name=self.region,
            user_agent_extra="bondkit",
            connect_timeout=10 if self.real else 2,
            read_timeout=60 if self.real else 30,
            retries={"mode": "standard", "max_attempts": 4 if self.real else 2},
        )
        if self.real:
            session = self._real_session()
            self._client = session.client("ec2", config=config)
        else:
            key, secret = self.credentials()
            session = boto3.session.Session(
                aws_access_key_id=key, aws_secret_access_key=secret, region_name=self.region
            )
            self._client = session.client("ec2", endpoint_url=self.endpoint_url, config=config)
        return self._client

    def _real_session(self) -> Any:
        import boto3
        import botocore.session

        core = botocore.session.Session(profile=None if self.profile == "default" else self.profile)
        config, credentials = self.files()
        if credentials.exists():  # the student ran configure with the kit: use those files, not ~/.aws
            core.set_config_variable("config_file", str(config))
            core.set_config_variable("credentials_file", str(credentials))
        return boto3.session.Session(botocore_session=core, region_name=self.region)

    def cli_env(self) -> dict[str, str]:
        """The environment of an `aws` CLI subprocess that talks to the same place as :meth:`client`."""
        env = (
            {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            if not self.real
            else dict(os.environ)
        )
        config, credentials = self.files()
        env.update({"AWS_DEFAULT_REGION": self.region, "AWS_DEFAULT_OUTPUT": "json", "AWS_PAGER": ""})
        if self.real:
            if credentials.exists():
                env.update({"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)})
            return env
        key, secret = self.credentials()
        env.update(
            {
                "AWS_ENDPOINT_URL": str(self.endpoint_url),
                "AWS_ACCESS_KEY_ID": key,
                "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_CONFIG_FILE": str(config),
                "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        return env

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """One EC2 API call by its boto3 name; failures become EC2Errors. ResponseMetadata is dropped."""
        with translated(operation, where=self.where, endpoint=self.endpoint_url):
            response = getattr(self.client(), operation)(**params)
        response.pop("ResponseMetadata", None)
        return response


def ask_in_terminal(text: str) -> bool:
    """The default confirmation: show the cost note, accept only an explicit yes."""
    print(text)
    try:
        return input(t("ec2.cli.confirm_prompt")).strip().lower() in ("yes", "y", "예", "네")
    except EOFError:
        return False


def open_target(
    real: bool = False,
    *,
    region: str = DEFAULT_REGION,
    url: str | None = None,
    confirm: Callable[[str], bool] | None = None,
) -> Target:
    """The embedded endpoint by default; real AWS only with ``real=True`` and a yes from ``confirm``."""
    if real:
        return Target.aws(region, confirm=confirm or ask_in_terminal)
    return Target.emulator(url, region=region)


# -- a step and its CLI twin ---------------------------------------------------------------------------


@dataclass
class CliCommand:
    """One `aws` command line; ``stdout_to`` is a shell redirection (``> TestKeyPair.pem``)."""

    argv: list[str]
    stdout_to: str | None = None
    stdin: str | None = None

    def line(self) -> str:
        text = shlex.join(self.argv)
        return f"{text} > {shlex.quote(self.stdout_to)}" if self.stdout_to else text


def _cli_value(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict) and "Name" in value[0]:  # Filters, in shorthand syntax
            return [f"Name={f['Name']},Values={','.join(map(str, f['Values']))}" for f in value]
        return [str(item) for item in value]
    return [str(value)]


@dataclass
class Query:
    """A read-only EC2 call plus a JMESPath query, runnable by boto3 and as the identical `aws` command."""

    operation: str  # CamelCase API name, e.g. DescribeInstances
    params: dict[str, Any]
    query: str | None = None

    def cli(self) -> CliCommand:
        argv = ["aws", "ec2", xform_name(self.operation, "-")]
        for name, value in self.params.items():
            flag = "--" + xform_name(name, "-")
            if isinstance(value, bool):
                argv.append(flag if value else "--no-" + flag[2:])
            else:
                argv += [flag, *_cli_value(value)]
        if self.query:
            argv += ["--query", self.query]
        return CliCommand(argv)

    def python(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        call = f"ec2.{xform_name(self.operation)}({args})"
        return f"jmespath.search({self.query!r}, {call})" if self.query else call

    def parse(self, stdout: str) -> Any:
        """The CLI's answer (JSON output) as plain values."""
        import json

        return json.loads(stdout) if stdout.strip() else None

    def run(self, target: Target) -> Any:
        """What boto3 gets, with the query applied the way the CLI applies ``--query`` (after paging)."""
        method = xform_name(self.operation)
        client = target.client()
        with translated(method, where=target.where, endpoint=target.endpoint_url):
            if client.can_paginate(method):
                response = client.get_paginator(method).paginate(**self.params).build_full_result()
            else:
                response = getattr(client, method)(**self.params)
        response.pop("ResponseMetadata", None)
        return as_json(jmespath.search(self.query, response) if self.query else response)


@dataclass
class ConfigCheck:
    """``aws configure get <name>`` against what botocore reads from the same config file."""

    name: str = "region"

    def cli(self) -> CliCommand:
        return CliCommand(["aws", "configure", "get", self.name])

    def python(self) -> str:
        return f"boto3.session.Session()._session.get_scoped_config()[{self.name!r}]"

    def parse(self, stdout: str) -> Any:
        return stdout.strip() or None

    def run(self, target: Target) -> Any:
        import botocore.session

        core = botocore.session.Session(profile=None if target.profile == "default" else target.profile)
        core.set_config_variable("config_file", str(target.files()[0]))
        return core.get_scoped_config().get(self.name)


Check = Query | ConfigCheck


def as_json(value: Any) -> Any:
    """Plain JSON values (timestamps as ISO 8601 text), so boto3 and CLI outputs compare as equal."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


@dataclass
class Step:
    """One tutorial step: what it gave, the boto3 call, its `aws` CLI twin, and a check both can run."""

    name: str  # catalog key suffix: ec2.step.<name>
    result: Any
    python: str
    cli: list[CliCommand]
    check: Check | None = None
    notes: list[str] = field(default_factory=list)

    def title(self, lang: str | None = None) -> str:
        return t(f"ec2.step.{self.name}", lang)

    def cli_lines(self) -> list[str]:
        return [command.line() for command in self.cli]


def _tags(resource_type: str, run_tag: str, extra: dict[str, str] | None = None) -> list[dict[str, Any]]:
    tags = [{"Key": TAG_KEY, "Value": run_tag}, *({"Key": k, "Value": v} for k, v in (extra or {}).items())]
    return [{"ResourceType": resource_type, "Tags": tags}]


def _tags_cli(resource_type: str, run_tag: str) -> str:
    return f"ResourceType={resource_type},Tags=[{{Key={TAG_KEY},Value={run_tag}}}]"


def _is_kit_tagged(resource: dict[str, Any]) -> bool:
    return any(tag.get("Key", "").startswith(TAG_KEY) for tag in resource.get("Tags") or [])


def filters_from_cli(filters: Iterable[str | dict[str, Any]]) -> list[dict[str, Any]]:
    """Accept filters as the CLI writes them (``Name=instance-type,Values=t2.micro``) or as boto3 dicts."""
    parsed: list[dict[str, Any]] = []
    for item in filters:
        if isinstance(item, dict):
            parsed.append({"Name": item["Name"], "Values": list(item["Values"])})
            continue
        match = re.fullmatch(r"\s*Name=([^,]+),Values=(.+)", item)
        if not match:
            raise EC2Error("ec2.bad_filter", filter=item)
        parsed.append({"Name": match.group(1), "Values": match.group(2).split(",")})
    return parsed


# -- the tutorial's steps ------------------------------------------------------------------------------


@dataclass
class Configured:
    config_file: Path
    credentials_file: Path | None
    region: str
    output: str


def configure(
    target: Target,
    *,
    access_key: str | None = None,
    secret_key: str | None = None,
    output: str = "json",
    to_home: bool = False,
) -> Step:
    """``aws configure``: write the profile (kit-local files unless ``to_home``; ~/.aws only if asked).

    In emulator mode the keys default to the throw-away ``testing``. On real AWS without keys, only the
    region and output are written and the credentials you already have are used.
    """
    directory = Path("~/.aws").expanduser() if to_home else target.aws_dir
    if not target.real:
        access_key, secret_key = access_key or THROWAWAY, secret_key or THROWAWAY
    config, credentials = write_aws_files(
        directory,
        access_key=access_key,
        secret_key=secret_key,
        region=target.region,
        output=output,
        profile=target.profile,
    )
    target._client = None  # new credentials: make the next call build a fresh client
    wrote_keys = bool(access_key and secret_key)
    # The answers typed at `aws configure`'s four prompts; real keys are never shown.
    shown = (access_key, secret_key) if not target.real else ("[YOUR KEY]", "[YOUR KEY]")
    answers = f"{shown[0]}\n{shown[1]}\n{target.region}\n{output}\n"
    notes = [t("ec2.note.configure_files", config=config, credentials=credentials)]
    return Step(
        "configure",
        Configured(config, credentials if wrote_keys else None, target.region, output),
        python=f"boto3.session.Session(region_name={target.region!r})  # reads AWS_CONFIG_FILE, "
        f"AWS_SHARED_CREDENTIALS_FILE",
        cli=[CliCommand(["aws", "configure"], stdin=answers)],
        check=ConfigCheck("region"),
        notes=notes,
    )


@dataclass
class KeyPairResult:
    name: str
    key_pair_id: str
    fingerprint: str  # as EC2 reports it
    ssh_fingerprint: str  # SHA256 of the public key in the .pem, as ssh-keygen -l prints it
    path: Path


def _validate_key_name(name: str) -> None:
    if not _KEY_NAME.match(name):
        raise EC2Error("ec2.bad_key_name", name=name)


def create_key_pair(
    target: Target,
    name: str = TUTORIAL_KEY_NAME,
    *,
    key_dir: str | Path = ".",
    key_type: str = "rsa",
    run_tag: str = "walkthrough",
) -> Step:
    """Create a key pair and save its private key to ``<key_dir>/<name>.pem``, mode 0400 from the start.

    The file is created (O_EXCL, mode 0400) before EC2 is asked, so an existing file is refused before
    anything exists in EC2, and the key is never readable by others, not even for an instant. If EC2
    refuses, the empty file is removed; if writing fails, the key pair is deleted again.
    """
    from bondkit.ssh import fingerprint, load_private_key

    _validate_key_name(name)
    directory = Path(key_dir).expanduser()
    if not directory.is_dir():
        raise EC2Error("ec2.key_dir_missing", path=str(directory))
    path = directory / f"{name}.pem"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o400)
    except FileExistsError:
        raise EC2Error("ec2.pem_exists", where=str(path), path=str(path)) from None
    except OSError as exc:
        raise EC2Error("ec2.pem_write", where=str(path), reason=exc.strerror or str(exc)) from None
    created = False
    try:
        os.fchmod(fd, 0o400)
        response = target.call(
            "create_key_pair", KeyName=name, KeyType=key_type, TagSpecifications=_tags("key-pair", run_tag)
        )
        created = True
        material = response["KeyMaterial"]
        os.write(fd, (material if material.endswith("\n") else material + "\n").encode("ascii"))
        os.close(fd)
        fd = -1
        ssh_fp = fingerprint(load_private_key(path))
    except BaseException:
        if fd >= 0:
            os.close(fd)
        path.unlink(missing_ok=True)
        if created:
            target.call("delete_key_pair", KeyName=name)
        raise
    argv = ["aws", "ec2", "create-key-pair", "--key-name", name]
    if key_type != "rsa":
        argv += ["--key-type", key_type]
    argv += [
        "--tag-specifications",
        _tags_cli("key-pair", run_tag),
        "--query",
        "KeyMaterial",
        "--output",
        "text",
    ]
    return Step(
        "create_key_pair",
        KeyPairResult(name, response.get("KeyPairId", ""), response["KeyFingerprint"], ssh_fp, path),
        python=f"ec2.create_key_pair(KeyName={name!r}, KeyType={key_type!r}, "
        f"TagSpecifications=[...])['KeyMaterial']  # saved to {path} (0400)",
        cli=[CliCommand(argv, stdout_to=path.name), CliCommand(["chmod", "400", path.name])],
        check=Query("DescribeKeyPairs", {"KeyNames": [name]}, "KeyPairs[0].KeyFingerprint"),
        notes=[t("ec2.note.pem_saved", path=path, fingerprint=ssh_fp)],
    )


def delete_key_pair(target: Target, name: str, *, pem: str | Path | None = None) -> Step:
    """Delete a key pair (EC2 does not complain about unknown names, so we look first) and its .pem."""
    target.call("describe_key_pairs", KeyNames=[name])  # InvalidKeyPair.NotFound -> a clear error
    target.call("delete_key_pair", KeyName=name)
    notes = []
    if pem is not None and Path(pem).exists():
        Path(pem).unlink()
        notes.append(t("ec2.note.pem_removed", path=pem))
    return Step(
        "delete_key_pair",
        name,
        python=f"ec2.delete_key_pair(KeyName={name!r})",
        cli=[CliCommand(["aws", "ec2", "delete-key-pair", "--key-name", name])],
        check=Query(
            "DescribeKeyPairs", {"Filters": [{"Name": "key-name", "Values": [name]}]}, "KeyPairs[].KeyName"
        ),
        notes=notes,
    )


def caller_cidr(target: Target, timeout: float = 5.0) -> str:
    """The caller's address as a /32: 127.0.0.1 on the emulator; on AWS, what checkip.amazonaws.com sees."""
    if not target.real:
        return "127.0.0.1/32"
    import urllib.request

    try:
        with urllib.request.urlopen("https://checkip.amazonaws.com", timeout=timeout) as response:
            address = response.read().decode("ascii").strip()
        return f"{ipaddress.IPv4Address(address)}/32"
    except (OSError, ValueError) as exc:
        raise EC2Error("ec2.no_caller_address", reason=str(exc)) from None


@dataclass
class SecurityGroupResult:
    group_id: str
    name: str
    cidr: str
    created: bool


def ensure_security_group(
    target: Target, name: str = SECURITY_GROUP_NAME, *, cidr: str | None = None, run_tag: str = "walkthrough"
) -> Step:
    """Create (or find the kit's own) security group that allows SSH only from one address (/32).

    An existing group of that name is used only if the kit made it (tagged); its inbound rules are made
    exactly "tcp 22 from <cidr>", so a rule left open to the world does not survive.
    """
    cidr = cidr or caller_cidr(target)
    try:
        network = ipaddress.IPv4Network(cidr)
    except ValueError:
        raise EC2Error("ec2.bad_cidr", cidr=cidr) from None
    if network.prefixlen != 32:
        raise EC2Error("ec2.cidr_not_single", cidr=cidr)
    cidr = str(network)
    found = target.call("describe_security_groups", Filters=[{"Name": "group-name", "Values": [name]}])[
        "SecurityGroups"
    ]
    if found and not _is_kit_tagged(found[0]):
        raise EC2Error("ec2.group_not_ours", where=found[0]["GroupId"], name=name)
    created = not found
    if created:
        group_id = target.call(
            "create_security_group",
            GroupName=name,
            Description=f"bondkit: SSH from {cidr} only",
            TagSpecifications=_tags("security-group", run_tag),
        )["GroupId"]
        permissions: list[dict[str, Any]] = []
    else:
        group_id, permissions = found[0]["GroupId"], found[0].get("IpPermissions", [])
    wanted = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": cidr}]}
    others = [p for p in permissions if not _is_exactly(p, cidr)]
    try:
        if others:
            target.call("revoke_security_group_ingress", GroupId=group_id, IpPermissions=others)
        if len(others) == len(permissions):  # the wanted rule is not there yet
            target.call("authorize_security_group_ingress", GroupId=group_id, IpPermissions=[wanted])
    except EC2Error:
        if created:
            target.call("delete_security_group", GroupId=group_id)
        raise
    cli = [
        CliCommand(
            [
                "aws",
                "ec2",
                "authorize-security-group-ingress",
                "--group-id",
                group_id,
                "--protocol",
                "tcp",
                "--port",
                "22",
                "--cidr",
                cidr,
            ]
        )
    ]
    if created:
        cli.insert(
            0,
            CliCommand(
                [
                    "aws",
                    "ec2",
                    "create-security-group",
                    "--group-name",
                    name,
                    "--description",
                    f"bondkit: SSH from {cidr} only",
                    "--tag-specifications",
                    _tags_cli("security-group", run_tag),
                ]
            ),
        )
    notes = [t("ec2.note.sg_emulator" if not target.real else "ec2.note.sg_real", cidr=cidr)]
    return Step(
        "security_group",
        SecurityGroupResult(group_id, name, cidr, created),
        python=f"ec2.create_security_group(GroupName={name!r}, ...); ec2.authorize_security_group_ingress("
        f"GroupId={group_id!r}, IpPermissions=[{wanted!r}])",
        cli=cli,
        check=Query(
            "DescribeSecurityGroups",
            {"GroupIds": [group_id]},
            "SecurityGroups[0].IpPermissions[].[IpProtocol, FromPort, ToPort, IpRanges[0].CidrIp]",
        ),
        notes=notes,
    )


def _is_exactly(permission: dict[str, Any], cidr: str) -> bool:
    ranges = [r.get("CidrIp") for r in permission.get("IpRanges", [])]
    return (
        permission.get("IpProtocol") == "tcp"
        and permission.get("FromPort") == 22
        and permission.get("ToPort") == 22
        and ranges == [cidr]
        and not permission.get("Ipv6Ranges")
        and not permission.get("UserIdGroupPairs")
        and not permission.get("PrefixListIds")
    )


@dataclass
class ImageResult:
    image_id: str
    name: str
    description: str
    owner_id: str
    created: str


_IMAGE_QUERY = "Images[].{ImageId: ImageId, Name: Name, Created: CreationDate}"


def _image(raw: dict[str, Any]) -> ImageResult:
    return ImageResult(
        raw["ImageId"],
        raw.get("Name", ""),
        raw.get("Description", ""),
        raw.get("OwnerId", ""),
        str(raw.get("CreationDate", "")),
    )


def find_image(target: Target, image_id: str = TUTORIAL_IMAGE_ID) -> Step:
    """Look the image up by id (the tutorial's by default); a missing one is refused with a way out."""
    if not re.fullmatch(r"ami-[0-9a-f]{8,17}", image_id):
        raise EC2Error(
            "ec2.image_not_found",
            where=target.where,
            operation="describe_images",
            code="InvalidAMIID.Malformed",
            detail=image_id,
        )
    images = target.call("describe_images", ImageIds=[image_id])["Images"]
    if not images:
        raise EC2Error(
            "ec2.image_not_found",
            where=target.where,
            operation="describe_images",
            code="InvalidAMIID.NotFound",
            detail=image_id,
        )
    query = Query("DescribeImages", {"ImageIds": [image_id]}, _IMAGE_QUERY)
    return Step("find_image", _image(images[0]), python=query.python(), cli=[query.cli()], check=query)


def find_ubuntu_image(target: Target, release: str = "24.04", arch: str = "amd64") -> Step:
    """The newest Canonical Ubuntu ``release`` image, by filter, instead of a stale hard-coded id.

    On AWS, Canonical also publishes the id as an SSM parameter; the emulator has no such parameter, so
    the kit uses the filter that works on both.
    """
    pattern = f"ubuntu/images/hvm-ssd*/ubuntu-*-{release}-{arch}-server-*"
    params = {
        "Owners": [CANONICAL_OWNER],
        "Filters": [
            {"Name": "name", "Values": [pattern]},
            {"Name": "state", "Values": ["available"]},
            {"Name": "architecture", "Values": ["arm64" if arch == "arm64" else "x86_64"]},
        ],
    }
    images = target.call("describe_images", **params)["Images"]
    if not images:
        raise EC2Error("ec2.no_ubuntu_image", where=target.where, release=release, arch=arch)
    newest = max(images, key=lambda image: str(image.get("CreationDate", "")))
    query = Query(
        "DescribeImages",
        params,
        "sort_by(Images, &CreationDate)[-1].{ImageId: ImageId, Name: Name, Created: CreationDate}",
    )
    return Step(
        "find_ubuntu_image",
        _image(newest),
        python=query.python(),
        cli=[query.cli()],
        check=query,
        notes=[t("ec2.note.ssm_ubuntu", release=release)],
    )


@dataclass
class InstanceResult:
    instance_id: str
    state: str
    instance_type: str
    image_id: str
    key_name: str
    public_ip: str | None
    private_ip: str | None
    tags: dict[str, str] = field(default_factory=dict)


def _instance(raw: dict[str, Any]) -> InstanceResult:
    return InstanceResult(
        raw["InstanceId"],
        raw.get("State", {}).get("Name", "?"),
        raw.get("InstanceType", ""),
        raw.get("ImageId", ""),
        raw.get("KeyName", ""),
        raw.get("PublicIpAddress"),
        raw.get("PrivateIpAddress"),
        {x["Key"]: x["Value"] for x in raw.get("Tags") or []},
    )


def _validate_ids(instance_ids: Sequence[str]) -> list[str]:
    ids = list(instance_ids)
    if not ids:
        raise EC2Error("ec2.no_instance_ids")
    for instance_id in ids:
        if not _INSTANCE_ID.match(instance_id):
            raise EC2Error(
                "ec2.instance_id_malformed",
                where=instance_id,
                operation="-",
                code="InvalidInstanceID.Malformed",
                detail=instance_id,
            )
    return ids


def describe(target: Target, instance_ids: Sequence[str]) -> list[InstanceResult]:
    """The instances by id (an unknown id is an EC2Error naming it)."""
    response = target.call("describe_instances", InstanceIds=_validate_ids(instance_ids))
    return [_instance(raw) for res in response["Reservations"] for raw in res["Instances"]]


def _ids_query(instance_ids: Sequence[str], what: str = "InstanceId") -> Query:
    return Query(
        "DescribeInstances", {"InstanceIds": list(instance_ids)}, f"Reservations[].Instances[].{what}"
    )


def run_instances(
    target: Target,
    *,
    image_id: str = TUTORIAL_IMAGE_ID,
    key_name: str = TUTORIAL_KEY_NAME,
    security_group_ids: Sequence[str] = (),
    instance_type: str = TUTORIAL_INSTANCE_TYPE,
    count: int = 1,
    run_tag: str = "walkthrough",
) -> Step:
    """Launch ``count`` small instances (tagged), checking the key pair and image first.

    The emulator would launch with a key pair that does not exist; AWS would not. Checking first gives
    the same clear error on both. On AWS a DryRun call goes first: it proves the permissions without
    launching anything.
    """
    if not 1 <= count <= MAX_COUNT:
        raise EC2Error("ec2.bad_count", count=count, max=MAX_COUNT)
    if target.real and instance_type not in SMALL_TYPES:
        raise EC2Error(
            "ec2.type_too_large", instance_type=instance_type, allowed=", ".join(sorted(SMALL_TYPES))
        )
    _validate_key_name(key_name)
    target.call("describe_key_pairs", KeyNames=[key_name])
    find_image(target, image_id)
    params: dict[str, Any] = {
        "ImageId": image_id,
        "MinCount": count,
        "MaxCount": count,
        "InstanceType": instance_type,
        "KeyName": key_name,
        "TagSpecifications": _tags("instance", run_tag),
    }
    if security_group_ids:
        params["SecurityGroupIds"] = list(security_group_ids)
    notes: list[str] = []
    if target.real:
        _dry_run(target, params)
        notes.append(t("ec2.note.cost", instance_type=instance_type))
    response = target.call("run_instances", **params)
    instances = [_instance(raw) for raw in response["Instances"]]
    for instance in instances:
        if not target.real and instance.public_ip:
            notes.append(t("ec2.note.made_up_ip", instance_id=instance.instance_id, ip=instance.public_ip))
    argv = [
        "aws",
        "ec2",
        "run-instances",
        "--image-id",
        image_id,
        "--count",
        str(count),
        "--instance-type",
        instance_type,
        "--key-name",
        key_name,
    ]
    if security_group_ids:
        argv += ["--security-group-ids", *security_group_ids]
    argv += ["--tag-specifications", _tags_cli("instance", run_tag)]
    ids = [i.instance_id for i in instances]
    return Step(
        "run_instances",
        instances,
        python=f"ec2.run_instances(ImageId={image_id!r}, MinCount={count}, MaxCount={count}, "
        f"InstanceType={instance_type!r}, KeyName={key_name!r}, "
        f"SecurityGroupIds={list(security_group_ids)!r}, TagSpecifications=[...])",
        cli=[CliCommand(argv)],
        check=_ids_query(ids),
        notes=notes,
    )


def _dry_run(target: Target, params: dict[str, Any]) -> None:
    """RunInstances with DryRun=True: 'DryRunOperation' means it would succeed; anything else is told."""
    from botocore.exceptions import ClientError

    try:
        target.client().run_instances(DryRun=True, **params)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "DryRunOperation":
            return
        with translated("run_instances (DryRun)", where=target.where):
            raise
    except Exception:
        with translated("run_instances (DryRun)", where=target.where):
            raise


def describe_instances(
    target: Target,
    *,
    filters: Iterable[str | dict[str, Any]] = (TUTORIAL_FILTER,),
    query: str | None = TUTORIAL_QUERY,
    live_only: bool = True,
) -> Step:
    """``aws ec2 describe-instances --filters ... --query ...`` with the same JMESPath engine as the CLI.

    ``live_only`` adds an instance-state-name filter: EC2 (and the emulator) keep listing terminated
    instances for a while, and the tutorial means the ones that exist.
    """
    parsed = filters_from_cli(filters)
    if live_only and not any(f["Name"] == "instance-state-name" for f in parsed):
        parsed.append({"Name": "instance-state-name", "Values": list(LIVE_STATES)})
    if query:
        try:
            jmespath.compile(query)
        except jmespath.exceptions.JMESPathError as exc:
            raise EC2Error("ec2.bad_query", query=query, reason=str(exc)) from None
    search = Query("DescribeInstances", {"Filters": parsed}, query)
    result = search.run(target)
    return Step(
        "describe_instances",
        result,
        python=search.python(),
        cli=[search.cli()],
        check=search,
        notes=[t("ec2.note.live_only")] if live_only else [],
    )


def wait_running(target: Target, instance_ids: Sequence[str], *, timeout: float = 300.0) -> Step:
    """Wait until the instances run (the boto3 waiter; ``aws ec2 wait instance-running`` on the CLI)."""
    ids = _validate_ids(instance_ids)
    delay = 5 if target.real else 1
    with translated("wait instance_running", where=target.where, endpoint=target.endpoint_url):
        target.client().get_waiter("instance_running").wait(
            InstanceIds=ids, WaiterConfig={"Delay": delay, "MaxAttempts": max(int(timeout // delay), 1)}
        )
    instances = describe(target, ids)
    notes = [] if target.real else [t("ec2.note.running_at_once")]
    return Step(
        "wait_running",
        instances,
        python=f"ec2.get_waiter('instance_running').wait(InstanceIds={ids!r})",
        cli=[CliCommand(["aws", "ec2", "wait", "instance-running", "--instance-ids", *ids])],
        check=_ids_query(ids, "State.Name"),
        notes=notes,
    )


def terminate_instances(
    target: Target, instance_ids: Sequence[str], *, wait: bool = True, lab: Any = None
) -> Step:
    """Terminate instances (known ids only) and, in emulator mode, take their key off the lab guest."""
    ids = _validate_ids(instance_ids)
    instances = describe(target, ids)  # unknown ids fail here, before anything changes
    from bondkit.ec2_ssh import release_guests

    notes = release_guests(target, instances, lab=lab)
    response = target.call("terminate_instances", InstanceIds=ids)
    changes = [
        {
            "InstanceId": c["InstanceId"],
            "PreviousState": c["PreviousState"]["Name"],
            "CurrentState": c["CurrentState"]["Name"],
        }
        for c in response["TerminatingInstances"]
    ]
    if wait:
        delay = 5 if target.real else 1
        with translated("wait instance_terminated", where=target.where, endpoint=target.endpoint_url):
            target.client().get_waiter("instance_terminated").wait(
                InstanceIds=ids, WaiterConfig={"Delay": delay, "MaxAttempts": 120 if target.real else 30}
            )
    return Step(
        "terminate_instances",
        changes,
        python=f"ec2.terminate_instances(InstanceIds={ids!r})",
        cli=[CliCommand(["aws", "ec2", "terminate-instances", "--instance-ids", *ids])],
        check=_ids_query(ids, "State.Name"),
        notes=notes,
    )


def ssh_to_instance(target: Target, instance_id: str, key_file: str | Path, **options: Any) -> Step:
    """The tutorial's ``chmod 400`` and ``ssh -i``; see :func:`bondkit.ec2_ssh.ssh_to_instance`."""
    from bondkit.ec2_ssh import ssh_to_instance as run

    return run(target, instance_id, key_file, **options)


# -- what the kit made, and cleaning it up -------------------------------------------------------------


@dataclass
class KitResources:
    """Everything in the target that carries a ``bondkit*`` tag key (instances: only live ones)."""

    instances: list[str]
    security_groups: list[str]
    key_pairs: list[str]

    def empty(self) -> bool:
        return not (self.instances or self.security_groups or self.key_pairs)


def remaining(target: Target) -> KitResources:
    """What the kit made and is still there (terminated instances do not count)."""
    reservations = Query(
        "DescribeInstances",
        {
            "Filters": [
                {
                    "Name": "instance-state-name",
                    "Values": [*LIVE_STATES, "stopping", "stopped", "shutting-down"],
                }
            ]
        },
        "Reservations[].Instances[]",
    ).run(target)
    instances = [i["InstanceId"] for i in reservations if _is_kit_tagged(i)]
    groups = [
        g["GroupId"] for g in target.call("describe_security_groups")["SecurityGroups"] if _is_kit_tagged(g)
    ]
    keys = [k["KeyName"] for k in target.call("describe_key_pairs")["KeyPairs"] if _is_kit_tagged(k)]
    return KitResources(instances, groups, keys)


def cleanup(target: Target, *, lab: Any = None, pem_files: Iterable[str | Path] = ()) -> Step:
    """Remove every instance, security group and key pair tagged ``bondkit*``, in dependency order.

    Only resources with such a tag are touched. ``pem_files`` are local key files the kit wrote for
    those key pairs; they go too.
    """
    found = remaining(target)
    cli: list[CliCommand] = []
    if found.instances:
        terminate_instances(target, found.instances, lab=lab)
        cli.append(CliCommand(["aws", "ec2", "terminate-instances", "--instance-ids", *found.instances]))
    for group_id in found.security_groups:
        _delete_group(target, group_id)
        cli.append(CliCommand(["aws", "ec2", "delete-security-group", "--group-id", group_id]))
    for name in found.key_pairs:
        target.call("delete_key_pair", KeyName=name)
        cli.append(CliCommand(["aws", "ec2", "delete-key-pair", "--key-name", name]))
    removed_files = []
    for pem in pem_files:
        if Path(pem).exists():
            Path(pem).unlink()
            removed_files.append(str(pem))
    notes = [
        t(
            "ec2.note.cleanup",
            instances=len(found.instances),
            groups=len(found.security_groups),
            keys=len(found.key_pairs),
            files=len(removed_files),
        )
    ]
    return Step(
        "cleanup",
        found,
        python="bondkit.ec2.cleanup(target)  # tag keys starting with 'bondkit'",
        cli=cli,
        check=None,
        notes=notes,
    )


def _delete_group(target: Target, group_id: str) -> None:
    """Delete a group; on AWS it can stay in use for a while after its instances terminate."""
    import time

    deadline = time.monotonic() + (120 if target.real else 0)
    while True:
        try:
            target.call("delete_security_group", GroupId=group_id)
            return
        except EC2Error as exc:
            if exc.key != "ec2.dependency" or time.monotonic() >= deadline:
                raise
            time.sleep(5)
