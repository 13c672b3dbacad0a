"""The tutorial's security group, made safe: SSH from one address (/32) only, and only the kit's own group.

Why not the tutorial's open rule: a group left open to the world on real AWS is the mistake students
copy; the kit writes exactly "tcp 22 from <your address>/32" and removes any other rule it finds.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from bondkit.ec2.step import CliCommand, Query, Step
from bondkit.ec2.tags import is_kit_tagged, kit_tags, kit_tags_cli
from bondkit.ec2.target import Target
from bondkit.errors import EC2Error
from bondkit.i18n import t

__all__ = ["SECURITY_GROUP_NAME", "SecurityGroupResult", "caller_cidr", "ensure_security_group"]

SECURITY_GROUP_NAME = "bondkit-ssh"


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
    description = f"bondkit: SSH from {cidr} only"
    found = target.call("describe_security_groups", Filters=[{"Name": "group-name", "Values": [name]}])[
        "SecurityGroups"
    ]
    if found and not is_kit_tagged(found[0]):
        raise EC2Error("ec2.group_not_ours", where=found[0]["GroupId"], name=name)
    created = not found
    if created:
        group_id = target.call(
            "create_security_group",
            GroupName=name,
            Description=description,
            TagSpecifications=kit_tags("security-group", run_tag),
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
                    description,
                    "--tag-specifications",
                    kit_tags_cli("security-group", run_tag),
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
