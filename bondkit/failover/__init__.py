"""Failover experiments: for each fail_over_mac mode, what ping and the MAC addresses do when the
active slave breaks.

>>> from bondkit.failover import run_failover, Run
>>> run = run_failover(fail_over_mac="follow", fault="admin-down")   # needs a running lab
>>> run.metrics.detect_ms, run.metrics.lost
>>> run.save("data/runs/" + run.id);  Run.load("data/runs/" + run.id)

Modules: :mod:`~bondkit.failover.params` (what a run is), :mod:`~bondkit.failover.probes` (what runs
in the guests, and its parsers), :mod:`~bondkit.failover.runner` (the experiment),
:mod:`~bondkit.failover.record` (the Run record on disk), :mod:`~bondkit.failover.metrics` (derived
figures), :mod:`~bondkit.failover.store` (a directory of recorded runs and its index).
"""

from bondkit.failover.metrics import Metrics
from bondkit.failover.params import FAULTS, MODES, SWITCHES, FailoverError, RunParams
from bondkit.failover.record import Run
from bondkit.failover.runner import STAGES, run_failover

__all__ = ["FAULTS", "MODES", "STAGES", "SWITCHES", "FailoverError", "Metrics", "Run", "RunParams",
           "run_failover"]
