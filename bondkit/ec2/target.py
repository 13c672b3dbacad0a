"""Where EC2 calls go: the embedded endpoint on 127.0.0.1 (default) or real AWS, only when confirmed.

Why a Target and not a bare boto3 client: the `aws` CLI twin of every step must reach the same place with
the same credentials, and a call must never reach AWS by mistake. A Target holds both decisions (the
endpoint and where the credentials come from) for boto3 and for the CLI's environment.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bondkit.ec2.emulator import (
    DEFAULT_REGION,
    KEY_PREFIX,
    THROWAWAY,
    aws_files,
    credentials_for,
    endpoint_env,
    is_loopback_url,
    running_url,
)
from bondkit.ec2.errors import check_region, translated
from bondkit.errors import EC2Error
from bondkit.i18n import t

__all__ = ["Target", "ask_in_terminal", "open_target"]


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
        """Emulator mode: the environment's keys, else the kit-local credentials file, else an EC2Error
        (the tutorial's ``configure`` writes the emulator's own keys there, see :mod:`.profile`). Keys
        that another of the kit's emulators made mean nothing to this one: its own are used instead."""
        key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
        known = None if self.real else credentials_for(str(self.endpoint_url))
        if key and secret:
            stale = known and key != known[0] and (key == THROWAWAY or key.startswith(KEY_PREFIX))
            return known if stale and known else (key, secret)
        parser = configparser.RawConfigParser()
        parser.read(self.files()[1], encoding="utf-8")
        if parser.has_option(self.profile, "aws_access_key_id") and parser.has_option(
            self.profile, "aws_secret_access_key"
        ):
            key, secret = parser.get(self.profile, "aws_access_key_id"), parser.get(
                self.profile, "aws_secret_access_key"
            )
            stale = known and key != known[0] and (key == THROWAWAY or key.startswith(KEY_PREFIX))
            return known if stale and known else (key, secret)
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

    def forget_client(self) -> None:
        """New credentials (``configure`` wrote them): the next call builds a client that reads them."""
        self._client = None

    def botocore_session(self) -> Any:
        """botocore's session for this target's profile (botocore names the default profile None)."""
        import botocore.session

        return botocore.session.Session(profile=None if self.profile == "default" else self.profile)

    def _real_session(self) -> Any:
        import boto3

        core = self.botocore_session()
        config, credentials = self.files()
        if credentials.exists():  # the student ran configure with the kit: use those files, not ~/.aws
            core.set_config_variable("config_file", str(config))
            core.set_config_variable("credentials_file", str(credentials))
        return boto3.session.Session(botocore_session=core, region_name=self.region)

    def cli_env(self) -> dict[str, str]:
        """The environment of an `aws` CLI subprocess that talks to the same place as :meth:`client`."""
        output = {"AWS_DEFAULT_OUTPUT": "json", "AWS_PAGER": ""}
        if not self.real:  # nothing of the caller's AWS settings: only the endpoint and the kit's files
            key, secret = self.credentials()
            endpoint = endpoint_env(
                str(self.endpoint_url), region=self.region, aws_dir=self.aws_dir, key=key, secret=secret
            )
            return {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **endpoint, **output}
        env = {**os.environ, "AWS_DEFAULT_REGION": self.region, **output}
        config, credentials = self.files()
        if credentials.exists():
            env.update({"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)})
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
