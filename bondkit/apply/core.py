"""apply and restore: the steps in order, each shown to the student, and the rollback around them.

Why this order: everything that can be refused is checked before the host is touched (lint, the kind
of host, root, the bonding driver, the NICs, the SSH session's own NIC), so a refusal leaves the host
exactly as it was. From the backup on, every failure ends in a restore: by bondkit when it still
reaches the host, by the timer on the host when it does not.
"""

from __future__ import annotations

import posixpath
import shlex
import time
from collections.abc import Callable

from bondkit.apply import backup as backups
from bondkit.apply import bringup, detect, rollback, source, verify
from bondkit.apply import state as live
from bondkit.apply.remote import Remote
from bondkit.apply.report import ApplyReport, Step, format_checks
from bondkit.apply.restore_script import RestoreInputs, touched
from bondkit.apply.restore_script import script as restore_sh
from bondkit.errors import ApplyError, BondkitError, SSHError
from bondkit.formats import ifcfg, parse_text
from bondkit.i18n import t
from bondkit.spec import BondSpec
from bondkit.ssh import Host

#: Seconds the host waits for bondkit to confirm a change before it restores by itself.
ROLLBACK_AFTER_S = 90.0
#: Commands shown for the detect step (the probe runs them in one go).
PROBE_SUMMARY = ["id -u; sudo -n true", "cat /etc/os-release", "ip route get $SSH_CLIENT_ADDRESS",
                 "ip -d -j link show; ip -j addr show; ip -j route show", "cat /proc/net/bonding/*"]


class _Failed(Exception):
    """A failure after the change began: roll back, then raise ApplyError(key, **params)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _refuse(report: ApplyReport, step: str, key: str, **params: object) -> ApplyError:
    """Record a refusal (nothing was changed) and build the error that says so."""
    error = ApplyError(key, where=report.host, **params)
    report.add(step, "failed", error.message(), [])
    error.report = report  # type: ignore[attr-defined]
    return error


def _lint_step(report: ApplyReport, plan: source.Plan) -> None:
    errors = plan.errors
    output = "\n".join(f.format() for f in plan.findings)
    if errors:
        raise _refuse_with_output(report, "lint", output, "apply.lint_failed", count=len(errors),
                                  first=errors[0].format())
    status = "warning" if plan.findings else "ok"
    summary = t("apply.lint_ok", bonds=", ".join(plan.bonds), count=len(plan.findings)) if plan.findings \
        else t("apply.lint_clean", bonds=", ".join(plan.bonds))
    report.add("lint", status, summary, [], output)


def _refuse_with_output(report: ApplyReport, step: str, output: str, key: str,
                        **params: object) -> ApplyError:
    error = ApplyError(key, where=report.host, **params)
    report.add(step, "failed", error.message(), [], output)
    error.report = report  # type: ignore[attr-defined]
    return error


def _preflight(report: ApplyReport, plan: source.Plan, facts: detect.HostFacts, force: bool) -> None:
    """Everything that can be refused before the host is touched."""
    state = facts.state
    if facts.platform is None:
        raise _refuse(report, "preflight", "apply.unsupported", os=facts.os or "?")
    if not facts.can_be_root:
        raise _refuse(report, "preflight", "apply.no_sudo", user=report.host)
    if facts.bonding == "missing":
        raise _refuse(report, "preflight", "apply.no_bonding")
    missing = [name for name in plan.slaves if name not in state.links]
    if missing:
        nics = ", ".join(n for n in state.links if n != "lo" and not state.is_bond(n)) or "-"
        raise _refuse(report, "preflight", "apply.missing_nic", nic=", ".join(missing), nics=nics)
    for bond in plan.bonds:
        if bond in state.links and not state.is_bond(bond):
            raise _refuse(report, "preflight", "apply.name_taken", bond=bond)
    if not {"setsid", "nohup"} <= facts.tools:
        raise _refuse(report, "preflight", "apply.no_timer_tools")
    session = facts.session_nics
    cut = [name for name in [*plan.bonds, *plan.slaves] if name in session]
    if cut and not force:
        raise _refuse(report, "preflight", "apply.ssh_nic", nic=", ".join(cut), session=facts.ssh_connection)
    if cut:
        report.add("preflight", "warning", t("apply.ssh_nic_forced", nic=", ".join(cut)))
    else:
        report.add("preflight", "ok", t("apply.preflight_ok", nics=", ".join(plan.slaves),
                                        session=", ".join(sorted(session)) or "-"))


def _uploaded_specs(remote: Remote, uploads: list[source.Upload]) -> list[BondSpec]:
    """Bonds read back from the files as they are on the host (a lab guest brings up what it got)."""
    texts = {u.path: remote.run(f"cat {shlex.quote(u.path)}", check=True).stdout for u in uploads}
    specs: list[BondSpec] = []
    groups: dict[str, dict[str, str]] = {}
    for upload in uploads:
        if upload.fmt == "ifcfg":
            groups.setdefault(upload.directory, {})[upload.path] = texts[upload.path]
        else:
            specs += parse_text(texts[upload.path], upload.path, upload.fmt, notes=[])
    for group in groups.values():
        specs += ifcfg.parse(group, notes=[])
    return specs


def apply(
    host: Host,
    config: source.Config,
    *,
    force: bool = False,
    rollback_after: float = ROLLBACK_AFTER_S,
    verify_seconds: float | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> ApplyReport:
    """Apply a bond configuration to ``host`` over SSH; verify it; roll back on any failure.

    ``config`` is a path (file or directory), a list of paths, a BondSpec or a list of them. Steps:
    lint, detect, preflight, backup, timer, upload, bring-up, verify, keep. ``on_step`` is called with
    each Step as it happens (else they go to the ``bondkit.apply`` logger). Returns the report when the
    configuration is on the host and verified; raises ApplyError (with ``.report``) otherwise, and then
    the host is as it was: untouched when refused, restored when a later step failed.
    """
    report = ApplyReport(host.name, on_step=on_step)
    plan = source.load(config)
    report.bonds = plan.bonds
    _lint_step(report, plan)
    facts = detect.probe(host)
    report.platform = facts.platform
    client = facts.ssh_connection.split()[0] if facts.ssh_connection else "?"
    report.add("detect", "ok" if facts.platform else "failed",
               t(f"apply.platform.{facts.platform or 'unknown'}", os=facts.os or "?",
                 user=t("apply.as_root") if facts.root else t("apply.with_sudo")),
               [line.replace("$SSH_CLIENT_ADDRESS", client) for line in PROBE_SUMMARY])
    _preflight(report, plan, facts, force)
    assert facts.platform is not None
    remote = Remote(host, use_sudo=not facts.root)
    try:
        return _change(report, remote, plan, facts, rollback_after, verify_seconds)
    finally:
        try:
            remote.close_staging()
        except BondkitError:
            pass


def _change(report: ApplyReport, remote: Remote, plan: source.Plan, facts: detect.HostFacts,
            rollback_after: float, verify_seconds: float | None) -> ApplyReport:
    platform = facts.platform
    assert platform is not None
    uploads = source.uploads(plan, platform)
    backup, shell = backups.create(remote, backups.stamp(), [u.path for u in uploads],
                                   networkmanager=platform == "networkmanager")
    directory = report.backup = backup.directory
    shown = [f"mkdir {directory}", *(f"cp -p {f.path} {directory}/files{f.path}" for f in backup.files
                                     if f.existed), f"ip -d -j link show > {directory}/state/snapshot.txt"]
    report.add("backup", "ok", t("apply.backup_done", directory=directory), shown,
               "\n".join(f"copied {f.path}" if f.existed else f"new    {f.path} (a restore removes it)"
                         for f in backup.files))
    inputs = RestoreInputs(directory, platform, plan.specs, backup.files, backup.before, facts.nm_active,
                           backup.nm_connections)
    title = f"bondkit: restore {report.host} as it was before {posixpath.basename(directory)}"
    backups.write(remote, backup, "restore.sh", restore_sh(inputs, title))
    backups.write(remote, backup, "timer.sh", rollback.timer_script(directory, rollback_after))
    backups.write(remote, backup, "meta.json",
                  backups.meta(report.host, platform, plan.bonds, backup, rollback_after))
    pid, arm = rollback.arm(remote, directory)
    armed_at = time.monotonic()
    report.add("timer", "ok", t("apply.timer_armed", seconds=f"{rollback_after:g}", pid=pid), [arm])
    try:
        _upload(report, remote, uploads, backup)
        specs = _uploaded_specs(remote, uploads) if platform == "lab" else plan.specs
        _bring_up(report, remote, platform, specs, facts, directory, rollback_after)
        left = rollback_after - (time.monotonic() - armed_at) - 3.0
        seconds = verify.settle_seconds(specs) if verify_seconds is None else verify_seconds
        rows, _after = verify.verify(remote.host, specs, max(min(seconds, left), 0.0))
        report.checks = rows
        bad = [row for row in rows if row.ok is False]
        table = format_checks(rows)
        if bad:
            report.add("verify", "failed", t("apply.verify_failed", count=len(bad)), [], table)
            raise _Failed("apply.verify_failed_error", items=", ".join(row.item for row in bad))
        report.add("verify", "ok", t("apply.verify_ok", count=len(rows)),
                   ["cat /proc/net/bonding/" + " /proc/net/bonding/".join(s.name for s in specs),
                    "ip -d -j link show; ip -j addr show; ip -j route show"], table)
        who, decide = rollback.decide(remote, directory, "bondkit-keep")
        if who is not None:
            raise _Failed("apply.timer_fired", seconds=f"{rollback_after:g}")
        report.add("keep", "ok", t("apply.kept", directory=directory), [decide])
        report.ok = True
        return report
    except _Failed as failure:
        try:
            _roll_back(report, remote, directory, backup.before, plan, rollback_after)
        except BondkitError as exc:
            raise _error(report, "apply.rollback_failed", reason=exc.message(),
                         seconds=f"{rollback_after:g}") from None
        raise _error(report, failure.key, **failure.params) from None
    except SSHError as exc:
        _lost(report, remote, directory, backup.before, plan, rollback_after, armed_at, exc)
        raise _error(report, "apply.lost_path", reason=_reason(exc), seconds=f"{rollback_after:g}") from None
    except BaseException as exc:
        try:
            _roll_back(report, remote, directory, backup.before, plan, rollback_after)
        except BaseException:  # noqa: S110 - the first failure is the one to tell; the timer is still armed
            pass
        if isinstance(exc, BondkitError):
            raise _error(report, "apply.step_failed", reason=exc.message()) from exc
        raise


def _reason(exc: SSHError) -> str:
    """Why the host stopped answering, short: a timeout's command is long and says nothing new."""
    if exc.key == "ssh.command_timeout":
        return t("apply.no_answer", seconds=exc.params.get("seconds", "?"))
    return exc.message()


def _error(report: ApplyReport, key: str, **params: object) -> ApplyError:
    error = ApplyError(key, where=report.host, backup=report.backup or "-", **params)
    error.report = report  # type: ignore[attr-defined]
    return error


def _upload(report: ApplyReport, remote: Remote, uploads: list[source.Upload],
            backup: backups.Backup) -> None:
    directories = sorted({u.directory for u in uploads})
    if directories:
        remote.run("mkdir -p " + " ".join(shlex.quote(d) for d in directories), check=True)
    for upload in uploads:
        remote.put(upload.text, upload.path, upload.mode)
    replaced = {f.path for f in backup.files if f.existed}
    lines = [f"{u.path} ({u.mode:04o}) <- {u.origin}" + (" [replaced; copy in backup]" if u.path in replaced
                                                           else "") for u in uploads]
    summary = t("apply.uploaded", count=len(uploads)) if uploads else t("apply.nothing_to_upload")
    report.add("upload", "ok", summary, bringup.for_uploads(uploads), "\n".join(lines))


def _bring_up(report: ApplyReport, remote: Remote, platform: str, specs: list[BondSpec],
              facts: detect.HostFacts, directory: str, rollback_after: float) -> None:
    commands = bringup.commands(platform, specs, facts)
    title = f"bondkit: bring up {', '.join(s.name for s in specs)} on {report.host} ({platform})"
    path = f"{directory}/bringup.sh"
    remote.put(bringup.script(commands, title), path, 0o600)
    d = shlex.quote(directory)
    run = f'sh {d}/bringup.sh > {d}/bringup.log 2>&1; echo "exit=$?"; cat {d}/bringup.log'
    result = remote.run(run, timeout=max(rollback_after * 0.6, 5.0), check=True)
    outcomes, finished = bringup.read_log(result.stdout.partition("\n")[2])
    output = "\n".join(f"{o.command}: {line}" for o in outcomes
                       for line in [*o.output, *([f"exit {o.status}"] if o.status else [])] if line.strip())
    summary = t("apply.platform_bringup." + platform)
    if not finished:
        last = outcomes[-1] if outcomes else bringup.Outcome("sh bringup.sh", 1)
        report.add("bringup", "failed", summary, [c.text for c in commands], output)
        raise _Failed("apply.bringup_failed", command=last.command, status=last.status,
                      output=" ".join(last.output)[-300:] or "-")
    report.add("bringup", "ok", summary, [c.text for c in commands], output)


def _roll_back(report: ApplyReport, remote: Remote, directory: str, before: live.LiveState,
               plan: source.Plan, rollback_after: float) -> None:
    who, decide = rollback.decide(remote, directory, "bondkit-rollback")
    if who is None:
        log, command = rollback.run_restore(remote, directory)
        commands = [decide, command]
    else:
        log = rollback.wait_restored(remote, directory, rollback_after + 30) or ""
        commands = [decide]
    report.rolled_back = True
    _after_restore(report, remote.host, before, plan, commands, log)


def _after_restore(report: ApplyReport, host: Host, before: live.LiveState, plan: source.Plan,
                   commands: list[str], log: str) -> None:
    """Say what the restore did, and whether the host is back as it was."""
    bonds, nics = touched(plan.specs, before)
    after = verify.observe(host, host.name)
    diffs = live.differences(before, after, bonds + nics)
    failures = log.count("\n! exit")
    if diffs:
        report.add("rollback", "warning", t("apply.rollback_differs", count=len(diffs)), commands,
                   log + "\n" + "\n".join(diffs))
    else:
        report.add("rollback", "warning" if failures else "ok", t("apply.rollback_ok"), commands, log)


def _lost(report: ApplyReport, remote: Remote, directory: str, before: live.LiveState, plan: source.Plan,
          rollback_after: float, armed_at: float, exc: SSHError) -> None:
    """The host stopped answering: its timer restores it; reconnect (bounded) and see that it did."""
    wait = max(rollback_after - (time.monotonic() - armed_at), 0.0) + 30.0
    report.add("connection", "failed", t("apply.connection_lost", reason=_reason(exc), seconds=f"{wait:.0f}"))
    if not rollback.reconnect(remote.host, wait):
        report.add("rollback", "failed", t("apply.unreachable_after", directory=directory))
        return
    log = rollback.wait_restored(remote, directory, 30.0)
    if log is None:  # bondkit is back before the timer: decide the rollback itself
        _roll_back(report, remote, directory, before, plan, rollback_after)
        return
    report.rolled_back = True
    d = shlex.quote(directory)
    _after_restore(report, remote.host, before, plan, [f"cat {d}/decided/by {d}/restore.log"], log)


def restore(host: Host, *, directory: str | None = None,
            on_step: Callable[[Step], None] | None = None) -> ApplyReport:
    """Put ``host`` back as it was before the last apply (or the backup ``directory``)."""
    report = ApplyReport(host.name, action="restore", on_step=on_step)
    facts = detect.probe(host)
    report.platform = facts.platform
    if not facts.can_be_root:
        raise _refuse(report, "preflight", "apply.no_sudo", user=host.name)
    remote = Remote(host, use_sudo=not facts.root)
    directory = directory or backups.latest(remote)
    if directory is None:
        raise _refuse(report, "restore", "apply.no_backup", root=backups.ROOT)
    report.backup = directory
    who, decide = rollback.decide(remote, directory, "bondkit-restore")
    if who == "timer":
        rollback.wait_restored(remote, directory, 60.0)
    log, command = rollback.run_restore(remote, directory)
    failures = log.count("\n! exit")
    report.add("restore", "warning" if failures else "ok", t("apply.restored", directory=directory),
               [decide, command], log)
    after = verify.observe(host, host.name)
    bonds = sorted(name for name in after.links if after.is_bond(name))
    report.add("state", "ok", t("apply.bonds_now", bonds=", ".join(bonds) or "-"))
    report.ok = True
    return report
