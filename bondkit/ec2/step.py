"""A tutorial step and its `aws` CLI twin: what a step returns, and the read-only check both tools run.

Why the twin is data (argv, a query) and not text: the same value prints the line a student types, runs
it in a subprocess (:mod:`bondkit.ec2.twin`) and runs the same query through boto3, so the two cannot
drift apart.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import jmespath
from botocore import xform_name

from bondkit.ec2.errors import translated
from bondkit.ec2.target import Target
from bondkit.i18n import t

__all__ = ["Check", "CliCommand", "ConfigCheck", "Query", "Step", "as_json"]


@dataclass
class CliCommand:
    """One `aws` command line; ``stdout_to`` is a shell redirection (``> TestKeyPair.pem``)."""

    argv: list[str]
    stdout_to: str | None = None
    stdin: str | None = None
    #: Stand-ins in ``stdin`` and what the command really gets for each: a key is shown as a stand-in
    #: (a saved notebook keeps what it showed), and given for real when the command runs.
    hidden: dict[str, str] = field(default_factory=dict, repr=False)
    #: What ``stdout_to`` receives is secret (a private key): the shell makes the file under umask 077,
    #: so it is never readable by others, not even before a later ``chmod 400``.
    private: bool = False

    def real_stdin(self) -> str | None:
        text = self.stdin
        for shown, value in self.hidden.items():
            text = text.replace(shown, value) if text else text
        return text

    def line(self) -> str:
        text = shlex.join(self.argv)
        if not self.stdout_to:
            return text
        text = f"{text} > {shlex.quote(self.stdout_to)}"
        return f"(umask 077; {text})" if self.private else text


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
        core = target.botocore_session()
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
