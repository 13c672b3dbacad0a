"""The tutorial's ``aws configure``: the profile that boto3 and the `aws` CLI both read.

Why kit-local files: ~/.aws may hold a student's real keys; the kit writes its own files (under
:func:`bondkit.ec2.emulator.kit_dir`) unless asked to write ~/.aws, and points both tools at them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bondkit.ec2.emulator import THROWAWAY, credentials_for, write_aws_files
from bondkit.ec2.step import CliCommand, ConfigCheck, Step
from bondkit.ec2.target import Target
from bondkit.i18n import t

__all__ = ["Configured", "configure"]

#: How the emulator's own key and secret are shown in the `aws configure` answers.
EMULATOR_KEY, EMULATOR_SECRET = "[EMULATOR KEY]", "[EMULATOR SECRET]"


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

    In emulator mode the keys default to the emulator's own (it serves no other), shown as stand-ins. On
    real AWS without keys, only the region and output are written and the credentials you already have
    are used.
    """
    directory = Path("~/.aws").expanduser() if to_home else target.aws_dir
    hidden: dict[str, str] = {}
    if not target.real:
        known = credentials_for(str(target.endpoint_url))
        if known and not (access_key or secret_key):
            hidden = {EMULATOR_KEY: known[0], EMULATOR_SECRET: known[1]}
        default_key, default_secret = known or (THROWAWAY, THROWAWAY)
        access_key, secret_key = access_key or default_key, secret_key or default_secret
    config, credentials = write_aws_files(
        directory,
        access_key=access_key,
        secret_key=secret_key,
        region=target.region,
        output=output,
        profile=target.profile,
    )
    target.forget_client()
    wrote_keys = bool(access_key and secret_key)
    # The answers typed at `aws configure`'s four prompts; real keys are never shown.
    shown = (access_key, secret_key) if not target.real else ("[YOUR KEY]", "[YOUR KEY]")
    if hidden:
        shown = (EMULATOR_KEY, EMULATOR_SECRET)
    answers = f"{shown[0]}\n{shown[1]}\n{target.region}\n{output}\n"
    notes = [t("ec2.note.configure_files", config=config, credentials=credentials)]
    return Step(
        "configure",
        Configured(config, credentials if wrote_keys else None, target.region, output),
        python=f"boto3.session.Session(region_name={target.region!r})  # reads AWS_CONFIG_FILE, "
        f"AWS_SHARED_CREDENTIALS_FILE",
        cli=[CliCommand(["aws", "configure"], stdin=answers, hidden=hidden)],
        check=ConfigCheck("region"),
        notes=notes,
    )
