"""Apply a bond configuration to a host over SSH: lint, back up, upload, bring up, verify, roll back.

``apply(host, config)`` and ``restore(host)`` are the two verbs; each module of this package does one
step (see :mod:`bondkit.apply.core` for the order and why):

- :mod:`~bondkit.apply.source`: what to apply, and the files that go to the host;
- :mod:`~bondkit.apply.detect`: which kind of host it is (lab guest, network-scripts, netplan,
  NetworkManager), and what may be refused before anything changes;
- :mod:`~bondkit.apply.state`: the live state (links, addresses, routes, /proc/net/bonding);
- :mod:`~bondkit.apply.backup` and :mod:`~bondkit.apply.restore_script`: the backup on the host and
  the script that restores it;
- :mod:`~bondkit.apply.rollback`: the timer armed on the host before the change;
- :mod:`~bondkit.apply.bringup`: the exact commands for each kind of host;
- :mod:`~bondkit.apply.verify`: intended against observed;
- :mod:`~bondkit.apply.report`: the steps and the table the student sees.
"""

from bondkit.apply.core import ROLLBACK_AFTER_S, apply, restore
from bondkit.apply.report import ApplyReport, Check, Step

__all__ = ["ROLLBACK_AFTER_S", "ApplyReport", "Check", "Step", "apply", "restore"]
