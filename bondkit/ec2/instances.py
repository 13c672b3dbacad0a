"""The tutorial's instances: launched (small types only on AWS), listed with its filter and query, waited on.

Why the checks before launching: the emulator would launch with a key pair that does not exist, AWS
would not; checking the key pair and image first gives the same clear error on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jmespath

from bondkit.ec2.errors import translated
from bondkit.ec2.images import TUTORIAL_IMAGE_ID, find_image
from bondkit.ec2.keys import TUTORIAL_KEY_NAME, validate_key_name
from bondkit.ec2.step import CliCommand, Query, Step
from bondkit.ec2.tags import kit_tags, kit_tags_cli
from bondkit.ec2.target import Target
from bondkit.errors import EC2Error
from bondkit.i18n import t

__all__ = [
    "LIVE_STATES",
    "TUTORIAL_FILTER",
    "TUTORIAL_INSTANCE_TYPE",
    "TUTORIAL_QUERY",
    "InstanceResult",
    "describe",
    "describe_instances",
    "filters_from_cli",
    "ids_query",
    "run_instances",
    "validate_ids",
    "wait_for",
    "wait_running",
]

TUTORIAL_INSTANCE_TYPE = "t2.micro"
TUTORIAL_FILTER = "Name=instance-type,Values=t2.micro"
TUTORIAL_QUERY = "Reservations[].Instances[].InstanceId"
LIVE_STATES = ("pending", "running")
SMALL_TYPES = frozenset(
    {"t2.nano", "t2.micro", "t3.nano", "t3.micro", "t3a.nano", "t3a.micro", "t4g.nano", "t4g.micro"}
)
MAX_COUNT = 2
_INSTANCE_ID = re.compile(r"^i-[0-9a-f]{8,17}$")


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


def validate_ids(instance_ids: Sequence[str]) -> list[str]:
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
    response = target.call("describe_instances", InstanceIds=validate_ids(instance_ids))
    return [_instance(raw) for res in response["Reservations"] for raw in res["Instances"]]


def ids_query(instance_ids: Sequence[str], what: str = "InstanceId") -> Query:
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
    validate_key_name(key_name)
    target.call("describe_key_pairs", KeyNames=[key_name])
    find_image(target, image_id)
    params: dict[str, Any] = {
        "ImageId": image_id,
        "MinCount": count,
        "MaxCount": count,
        "InstanceType": instance_type,
        "KeyName": key_name,
        "TagSpecifications": kit_tags("instance", run_tag),
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
    argv += ["--tag-specifications", kit_tags_cli("instance", run_tag)]
    ids = [i.instance_id for i in instances]
    return Step(
        "run_instances",
        instances,
        python=f"ec2.run_instances(ImageId={image_id!r}, MinCount={count}, MaxCount={count}, "
        f"InstanceType={instance_type!r}, KeyName={key_name!r}, "
        f"SecurityGroupIds={list(security_group_ids)!r}, TagSpecifications=[...])",
        cli=[CliCommand(argv)],
        check=ids_query(ids),
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


def wait_for(target: Target, waiter: str, instance_ids: list[str], timeout: float) -> None:
    """boto3's ``waiter`` on the instances, bounded by ``timeout``: AWS is polled every 5 s, the emulator
    (where states change at once) every second."""
    delay = 5 if target.real else 1
    config = {"Delay": delay, "MaxAttempts": max(int(timeout // delay), 1)}
    with translated(f"wait {waiter}", where=target.where, endpoint=target.endpoint_url):
        target.client().get_waiter(waiter).wait(InstanceIds=instance_ids, WaiterConfig=config)


def wait_running(target: Target, instance_ids: Sequence[str], *, timeout: float = 300.0) -> Step:
    """Wait until the instances run (the boto3 waiter; ``aws ec2 wait instance-running`` on the CLI)."""
    ids = validate_ids(instance_ids)
    wait_for(target, "instance_running", ids, timeout)
    instances = describe(target, ids)
    notes = [] if target.real else [t("ec2.note.running_at_once")]
    return Step(
        "wait_running",
        instances,
        python=f"ec2.get_waiter('instance_running').wait(InstanceIds={ids!r})",
        cli=[CliCommand(["aws", "ec2", "wait", "instance-running", "--instance-ids", *ids])],
        check=ids_query(ids, "State.Name"),
        notes=notes,
    )
