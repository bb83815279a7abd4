"""``TraceAnalysis``: the derived structures of one trace (links, call trees, steps, nesting
depths), each computed on first use and kept with the trace in the cache."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from tbcore_profile.breakdown import Breakdown, breakdown
from tbcore_profile.links import Links, link_device_work
from tbcore_profile.model import Trace
from tbcore_profile.names import NameFlags
from tbcore_profile.optree import HostTree, build_host_tree
from tbcore_profile.tensor_cores import OperatorTensorCores, operator_tensor_cores
from tbcore_profile.timeline import nesting_depth
from tbcore_profile.timeline_tools import FlowPairs, flow_pairs

T = TypeVar("T")


class TraceAnalysis:
    """A trace and what is derived from it. Safe to share between threads: each structure is
    computed once (other threads wait for it) and never changed afterwards."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._lock = threading.RLock()
        self._done: dict[str, Any] = {}

    def _once(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self._done:
            with self._lock:
                if key not in self._done:
                    self._done[key] = compute()
        return self._done[key]  # type: ignore[no-any-return]

    @property
    def flags(self) -> NameFlags:
        """What the event names mean (steps, data loading, collectives)."""
        return self._once("flags", lambda: NameFlags(self.trace))

    @property
    def links(self) -> Links:
        """Device work linked to its runtime calls."""
        return self._once("links", lambda: link_device_work(self.trace))

    @property
    def tree(self) -> HostTree:
        """The host call trees with self and total times."""
        return self._once("tree", lambda: build_host_tree(self.trace, self.links, self.flags))

    @property
    def tensor_cores(self) -> OperatorTensorCores:
        """Tensor-core eligibility and use of the operators of :attr:`tree`."""
        return self._once("tensor_cores", lambda: operator_tensor_cores(self.trace, self.links, self.tree, self.flags))

    @property
    def breakdown(self) -> Breakdown:
        """The steps and their time per category."""
        return self._once("breakdown", lambda: breakdown(self.trace, self.flags, self.links))

    @property
    def depth(self) -> np.ndarray:
        """Each event's nesting depth on its lane (for the timeline)."""
        return self._once("depth", lambda: nesting_depth(self.trace))

    @property
    def flows(self) -> FlowPairs:
        """The trace's flow arrows, both ends paired (for the timeline)."""
        return self._once("flows", lambda: flow_pairs(self.trace, self.depth))

    @property
    def origin(self) -> float:
        """The trace's first event start: time 0 of the answers."""
        return self.trace.time_range[0]
