"""Speed of the EC2 walkthrough on the embedded endpoint: prints its figures against their targets.

- the whole walkthrough without the SSH step (target: 10 s or less), cold (first run in a fresh
  emulator, when moto builds its region) and warm, with and without the `aws` CLI checks;
- the same tutorial steps as boto3 calls versus as `aws` CLI processes, and their ratio.

Everything runs against a moto server on 127.0.0.1 with throw-away credentials; nothing reaches AWS.
Quick mode (``--quick``): one round of each.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import Report, rounds

from bondkit import ec2
from bondkit.ec2.emulator import Emulator
from bondkit.ec2.twin import run_cli
from bondkit.ec2.walkthrough import walkthrough

ROUNDS = rounds(3, 1)


def timed_walkthrough(target: ec2.Target, directory: Path, compare: bool) -> float:
    start = time.perf_counter()
    result = walkthrough(target, key_dir=directory, ssh=False, compare=compare)
    elapsed = time.perf_counter() - start
    assert result.remaining is not None and result.remaining.empty(), "walkthrough left resources"
    return elapsed


def boto3_steps(target: ec2.Target, directory: Path) -> float:
    """The tutorial's API calls, each once, through boto3 (one client, as a notebook would)."""
    client = target.client()
    start = time.perf_counter()
    material = client.create_key_pair(KeyName="BenchKey")["KeyMaterial"]
    (directory / "BenchKey.pem").write_text(material)
    group = client.create_security_group(GroupName="bench", Description="bench")["GroupId"]
    client.authorize_security_group_ingress(
        GroupId=group, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="127.0.0.1/32"
    )
    client.describe_images(ImageIds=[ec2.TUTORIAL_IMAGE_ID])
    instance = client.run_instances(
        ImageId=ec2.TUTORIAL_IMAGE_ID,
        MinCount=1,
        MaxCount=1,
        InstanceType="t2.micro",
        KeyName="BenchKey",
        SecurityGroupIds=[group],
    )["Instances"][0]["InstanceId"]
    client.describe_instances(Filters=[{"Name": "instance-type", "Values": ["t2.micro"]}])
    client.get_waiter("instance_running").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1})
    client.terminate_instances(InstanceIds=[instance])
    client.delete_security_group(GroupId=group)
    client.delete_key_pair(KeyName="BenchKey")
    return time.perf_counter() - start


def cli_steps(target: ec2.Target, directory: Path) -> tuple[float, int]:
    """The same calls, each as an `aws` process (what the student types)."""
    start = time.perf_counter()
    count = 0

    def aws(*argv: str) -> str:
        nonlocal count
        count += 1
        return run_cli(target, ["aws", *argv], cwd=directory).stdout

    material = aws("ec2", "create-key-pair", "--key-name", "BenchKey", "--query", "KeyMaterial",
                   "--output", "text")  # fmt: skip
    (directory / "BenchKey.pem").write_text(material)
    created = aws("ec2", "create-security-group", "--group-name", "bench", "--description", "bench")
    group = json.loads(created)["GroupId"]
    aws("ec2", "authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp", "--port", "22",
        "--cidr", "127.0.0.1/32")  # fmt: skip
    aws("ec2", "describe-images", "--image-ids", ec2.TUTORIAL_IMAGE_ID)
    instance = json.loads(
        aws("ec2", "run-instances", "--image-id", ec2.TUTORIAL_IMAGE_ID, "--count", "1", "--instance-type",
            "t2.micro", "--key-name", "BenchKey", "--security-group-ids", group)  # fmt: skip
    )["Instances"][0]["InstanceId"]
    aws("ec2", "describe-instances", "--filters", "Name=instance-type,Values=t2.micro", "--query",
        "Reservations[].Instances[].InstanceId")  # fmt: skip
    aws("ec2", "wait", "instance-running", "--instance-ids", instance)
    aws("ec2", "terminate-instances", "--instance-ids", instance)
    aws("ec2", "delete-security-group", "--group-id", group)
    aws("ec2", "delete-key-pair", "--key-name", "BenchKey")
    return time.perf_counter() - start, count


def main() -> int:
    report = Report("EC2 walkthrough on the embedded endpoint (moto on 127.0.0.1), without the SSH step")
    with tempfile.TemporaryDirectory(prefix="bondkit-bench-") as tmp, Emulator() as emu:
        base = Path(tmp)
        os.environ.update({"BONDKIT_HOME": str(base / "home"), "AWS_EC2_METADATA_DISABLED": "true"})
        for name in [n for n in os.environ if n.startswith("AWS_") and n != "AWS_EC2_METADATA_DISABLED"]:
            del os.environ[name]
        os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
        target = ec2.Target.emulator(emu.url)

        def fresh(name: str) -> Path:
            directory = base / name
            directory.mkdir()
            return directory

        cold = timed_walkthrough(target, fresh("cold"), compare=False)
        warm = [timed_walkthrough(target, fresh(f"warm{i}"), compare=False) for i in range(ROUNDS)]
        checked = timed_walkthrough(target, fresh("checked"), compare=True)
        report.figure("cold (first run, moto builds the region)", cold, "s", at_most=10)
        report.figure(f"warm (median of {ROUNDS})", statistics.median(warm), "s")
        report.figure("with every step checked by the aws CLI", checked, "s")

        boto = [boto3_steps(target, fresh(f"boto{i}")) for i in range(ROUNDS)]
        cli_runs = [cli_steps(target, fresh(f"cli{i}")) for i in range(ROUNDS)]
        calls = cli_runs[0][1]
        boto_s, cli_s = statistics.median(boto), statistics.median(t for t, _ in cli_runs)
        report.note(f"the tutorial's {calls} EC2 calls (median of {ROUNDS}):")
        report.figure("boto3, one client", boto_s, "s", digits=3,
                      detail=f"{boto_s / calls * 1000:6.1f} ms per call")
        report.figure("aws CLI, one process each", cli_s, "s", digits=3,
                      detail=f"{cli_s / calls * 1000:6.1f} ms per call")
        report.figure("ratio boto3 / CLI", boto_s / cli_s, "", digits=3,
                      detail=f"the CLI is {cli_s / boto_s:.0f}x slower")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
