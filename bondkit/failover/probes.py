"""The probes a run starts inside the lab guests, and the parsers that turn their output into frames.

In an emulated guest every ``fork`` is slow (about 25 ms on the lab's earlier User-Mode Linux engine,
more than the 20 ms between two samples of the link state), so the sampler is one bash process that
forks nothing per sample: it reads
``/sys/class/net/*/{address,operstate}``, ``bonding/active_slave`` and ``/proc/net/arp`` with the
``read`` builtin, stamps each sample with ``$EPOCHREALTIME`` and sleeps with ``read -t`` on a FIFO it
holds open itself. The pinger is fping, for the same reason: iputils ping, asked for a probe every
10 ms, spins between a reply and the next probe, and that kept a whole core busy for each run (see
:mod:`bondkit.observe.fping`). These stamps, fping's ``-D`` stamps and the controller's
``time.time()`` are put on one time line by the runner's clock offsets.

Both probes are bounded twice, in count and in time (``timeout S fping -c N``; the sampler stops
after N samples or at a deadline), so a lost controller leaves nothing running for long.
"""

from __future__ import annotations

import math
import re
import shlex

import numpy as np
import pandas as pd

from bondkit.observe import fping_sent, parse_fping

#: Columns of the links frame: one row per sampled interface per sample.
LINK_COLUMNS = ("t", "host", "ifname", "mac", "operstate", "is_active")
#: Columns of the neighbour frame: what each host's ARP table says about its peer, per sample.
NEIGH_COLUMNS = ("t", "host", "ip", "mac", "state")
#: Columns of the pings frame.
PING_COLUMNS = ("t", "seq", "rtt_ms", "lost")

#: How long fping waits for a reply before it reports the probe lost (ms): ping's ``-W 1``.
REPLY_TIMEOUT_MS = 1000

SAMPLER = r"""
deadline=$1 max=$2 period=$3 neigh=$4 active=$5; shift 5
fifo=/tmp/bondkit-sampler.$$
mkfifo "$fifo" && exec 9<>"$fifo" && rm -f "$fifo" || exit 1
n=0
while (( n < max )); do
    now=$EPOCHREALTIME
    (( ${now/./} > deadline )) && break
    line="L $now"
    if [[ -n $active ]]; then act=; read -r act < "$active"; line+=" ${act:--}"; fi
    for i in "$@"; do
        mac=-; op=-
        read -r mac < /sys/class/net/$i/address
        read -r op < /sys/class/net/$i/operstate
        line+=" $i=$mac=$op"
    done
    if [[ -n $neigh ]]; then
        entry="N $now $neigh - absent"
        while read -r ip _ flags hw _ _; do
            if [[ $ip == "$neigh" ]]; then entry="N $now $ip $hw $flags"; fi
        done < /proc/net/arp
        line+=$'\n'"$entry"
    fi
    printf '%s\n' "$line"
    read -r -t "$period" -u 9
    n=$((n + 1))
done
printf 'E %s %s\n' "$EPOCHREALTIME" "$n"
"""


def sampler_command(deadline: float, max_samples: int, period_ms: int, ifaces: list[str],
                    neigh: str | None, bond: str | None, out: str) -> str:
    """A shell line that starts the sampler in the background and prints its pid.

    ``deadline`` is in epoch seconds; ``period_ms`` is the pause between samples (taking a sample
    costs a millisecond or two more). ``bond`` names the bond whose active slave is read, ``neigh``
    the address whose ARP entry is read; either may be None.
    """
    active = f"/sys/class/net/{bond}/bonding/active_slave" if bond else ""
    args = [str(int(deadline * 1e6)), str(int(max_samples)), f"{period_ms / 1000:.3f}", neigh or "",
            active, *ifaces]
    return launch("bash -c " + shlex.quote(SAMPLER) + " sampler " + " ".join(shlex.quote(a) for a in args)
                  + f" >{out} 2>&1")


def ping_command(target: str, interval_ms: int, count: int, seconds: int, out: str) -> str:
    """fping in the background, one probe every ``interval_ms``, bounded by count and (through
    ``timeout``, which passes SIGINT on as fping's end) by time; prints its pid.

    ``-i 1``: fping's own pause between any two probes defaults to 10 ms, and with it a 10 ms period
    came out at 10.2 ms in the lab; ``-D`` stamps every line; ``-t`` as ping's ``-W 1``."""
    return launch(f"timeout -s INT {seconds} fping -D -c {count} -p {interval_ms} -i 1 "
                  f"-t {REPLY_TIMEOUT_MS} {target} >{out} 2>&1")


def launch(command: str) -> str:
    """``command`` in the background, printing ``<pid> <start time>`` for :func:`stop_command`.

    The start time (field 22 of ``/proc/<pid>/stat``, set at fork and kept across exec) and the pid
    together name one process for good: the remote shell does not stay its parent, so ``wait`` and a
    parent check cannot tell whether a pid is still ours.
    """
    return f'{command} & p=$!; read -r st < /proc/$p/stat; set -- $st; echo "$p ${{22}}"'


#: How each probe is ended: ``timeout`` hands SIGINT on to fping, which prints its statistics on it;
#: bash, started in the background by a non-interactive shell, ignores SIGINT for good, so the sampler
#: gets SIGTERM.
STOP_SIGNALS = {"timeout": "INT", "bash": "TERM"}


def stop_command(procs: dict[str, tuple[int, str]], tries: int = 50) -> str:
    """End our background probes (``{comm: (pid, start)}``) and wait, bounded, until they are gone.

    A pid is signalled only when ``/proc/<pid>/stat`` still shows the command, start time and a live
    state it had at launch: a probe that already ended cannot take an unrelated process with it.
    """
    parts = []
    for comm, (pid, start) in procs.items():
        ours = (f'read -r st 2>/dev/null </proc/{pid}/stat && set -- $st && [ "$2" = "({comm})" ] '
                f'&& [ "$3" != Z ] && [ "${{22}}" = "{start}" ]')
        parts.append(f"if {ours}; then kill -{STOP_SIGNALS.get(comm, 'TERM')} {pid}; fi")
        parts.append(f"i=0; while [ $i -lt {tries} ] && {ours}; do sleep 0.02; i=$((i + 1)); done")
    return "; ".join(parts) + "; true"


# ----------------------------------------------------------------------------------------- parsing


def parse_samples(text: str, host: str, t0: float) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """The sampler's output as (links, neigh, stats), with ``t`` in seconds relative to ``t0``.

    A line cut short (the sampler stopped mid-write) is skipped. ``stats`` holds ``samples`` and the
    median ``period_ms`` between samples.
    """
    links: list[tuple] = []
    neigh: list[tuple] = []
    stamps: list[float] = []
    for line in text.splitlines():
        words = line.split()
        if len(words) < 2 or words[0] not in ("L", "N"):
            continue
        try:
            t = float(words[1]) - t0
        except ValueError:
            continue
        if words[0] == "N":
            if len(words) == 5:
                neigh.append((t, host, words[2], _mac(words[3]), _arp_state(words[4])))
            continue
        items = words[2:]
        active = None
        if items and "=" not in items[0]:
            active = None if items[0] == "-" else items[0]
            items = items[1:]
        rows = []
        for item in items:
            parts = item.split("=")
            if len(parts) != 3:
                break
            ifname, mac, oper = parts
            rows.append((t, host, ifname, _mac(mac), oper, ifname == active))
        else:
            links.extend(rows)
            stamps.append(t)
    stats = {"samples": len(stamps),
             "period_ms": float(np.median(np.diff(stamps)) * 1000) if len(stamps) > 1 else math.nan}
    return (pd.DataFrame(links, columns=list(LINK_COLUMNS)).astype({"is_active": bool}),
            pd.DataFrame(neigh, columns=list(NEIGH_COLUMNS)), stats)


def _mac(text: str) -> str | None:
    return text.lower() if re.fullmatch(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}", text) else None


def _arp_state(flags: str) -> str:
    """/proc/net/arp flags: 0x2 (ATF_COM) is a resolved entry; 0x0 one still being resolved."""
    if flags == "absent":
        return "absent"
    try:
        return "complete" if int(flags, 16) & 0x2 else "incomplete"
    except ValueError:
        return "absent"


def pings_frame(text: str, t0: float) -> tuple[pd.DataFrame, dict[str, float]]:
    """fping's output as one row per probe sent, ``t`` = when it was sent, relative to ``t0``.

    ``fping -D`` stamps the line that reports a probe: a reply (sent at stamp - rtt) or "timed out",
    printed a reply timeout after the probe went out. Send times are what a time line of an outage
    needs, so answered probes get stamp - rtt, and lost probes the send time interpolated over the
    sequence numbers of their answered neighbours. Probes the output does not mention at all (the
    last unanswered ones, when fping was stopped) are filled in up to the sent count, as lost.
    """
    try:
        rows = parse_fping(text, "fping")
    except Exception:  # no probe at all: everything was lost or fping never ran
        rows = []
    frame = pd.DataFrame(rows, columns=list(PING_COLUMNS))
    last = max(fping_sent(text) or 0, int(frame["seq"].max()) if len(frame) else 0)
    full = pd.DataFrame({"seq": np.arange(1, last + 1, dtype="int64")})
    frame = full.merge(frame, on="seq", how="left")
    frame["lost"] = frame["lost"].fillna(True).astype(bool)
    answered = ~frame["lost"]
    sent = frame["t"] - frame["rtt_ms"].fillna(0) / 1000
    if answered.sum() >= 2:
        seqs, times = frame.loc[answered, "seq"].to_numpy(), sent[answered].to_numpy()
        gap = float(np.median(np.diff(times) / np.diff(seqs)))
        interp = np.interp(frame["seq"], seqs, times)
        before = frame["seq"] < seqs[0]
        after = frame["seq"] > seqs[-1]
        interp[before] = times[0] - (seqs[0] - frame.loc[before, "seq"]) * gap
        interp[after] = times[-1] + (frame.loc[after, "seq"] - seqs[-1]) * gap
        sent = sent.where(answered, pd.Series(interp, index=frame.index))
    else:
        gap = math.nan
    frame["t"] = sent - t0
    frame = frame[list(PING_COLUMNS)].astype({"t": "float64", "seq": "int64", "rtt_ms": "float64"})
    return frame, {"ping_interval_ms": gap * 1000, "transmitted": last}
