"""Errors a student can cause, each carrying a catalog key so it can be told in English or Korean.

A BondkitError is never a crash: the CLI prints its message without a traceback and exits 2. ``where``
is the place the student must look at (``file:line``, a host name, an instance id) and is put in front
of the message.
"""

from __future__ import annotations

from bondkit.i18n import t


class BondkitError(Exception):
    """Base of every error meant for the student, not the developer."""

    exit_code = 2

    def __init__(self, key: str, *, where: str | None = None, **params: object) -> None:
        self.key = key
        self.where = where
        self.params = params
        super().__init__(self.message())

    def message(self, lang: str | None = None) -> str:
        text = t(self.key, lang, **self.params)
        return f"{self.where}: {text}" if self.where else text

    def __str__(self) -> str:
        return self.message()


class ConfigError(BondkitError):
    """A configuration file or value that cannot be read or does not make sense."""

    def __init__(
        self, key: str, *, source: str | None = None, line: int | None = None, **params: object
    ) -> None:
        self.source = source
        self.line = line
        where = f"{source}:{line}" if source and line else source
        super().__init__(key, where=where, **params)


class ObserveError(BondkitError):
    """Kernel or tool output that bondkit cannot read."""


class LabError(BondkitError):
    """The embedded lab cannot start, is not running, or was asked something it cannot do."""


class SSHError(BondkitError):
    """A host cannot be reached, refused the key, or showed an unknown host key."""


class CommandError(SSHError, LabError):
    """A command on a host ended with a non-zero status. It is both kinds, because one result type serves
    hosts reached over SSH (whose callers catch SSHError) and the browser lab's guests (LabError)."""


class ApplyError(BondkitError):
    """A configuration could not be applied; the host was restored to what it was."""


class EC2Error(BondkitError):
    """An EC2 step failed (translated from botocore), or the endpoint is not there."""
