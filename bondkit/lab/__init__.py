"""The embedded lab: User-Mode Linux hosts with the real bonding driver, reached over SSH."""

from bondkit.lab.lab import FAULTS, Lab
from bondkit.lab.topology import SWITCH_PROFILES, Topology, tutorial_topology

__all__ = ["FAULTS", "SWITCH_PROFILES", "Lab", "Topology", "tutorial_topology"]
