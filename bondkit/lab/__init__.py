"""The embedded lab: small virtual machines with the real bonding driver, reached over SSH.

This is the lab's one door: what runs the guests (:mod:`bondkit.lab.engine`) stays behind it.
"""

from bondkit.lab.lab import FAULTS, Lab, clear_stale_lab, default_directory
from bondkit.lab.needs import missing_pieces, require_lab, unavailable_reason
from bondkit.lab.topology import SWITCH_PROFILES, Topology, tutorial_topology

__all__ = ["FAULTS", "SWITCH_PROFILES", "Lab", "Topology", "clear_stale_lab", "default_directory",
           "missing_pieces", "require_lab", "tutorial_topology", "unavailable_reason"]
