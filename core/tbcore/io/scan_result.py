"""What a scan of event-file bytes returns (see :mod:`tbcore.io.scan` for the rules).

Kept apart from :mod:`tbcore.io.scan` so both scanner implementations can import it without
importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DEFAULT_MAX_RECORD_LENGTH = 1 << 30
"""Longest payload accepted as genuine; a longer length field is treated as damage."""

# Values of the ``v_kind`` column.
KIND_SIMPLE_VALUE = 0
"""``Summary.Value.simple_value`` (a float32), decoded into ``v_value``."""
KIND_FLOAT_TENSOR = 1
"""A rank-0 DT_FLOAT ``tensor``, decoded into ``v_value``."""
KIND_DOUBLE_TENSOR = 2
"""A rank-0 DT_DOUBLE ``tensor``, decoded into ``v_value``."""
KIND_OTHER = 3
"""Anything else: the caller parses the ``Value`` at ``v_offset``/``v_length``."""


@dataclass
class ScanResult:
    """What one scan of a buffer found. Offsets are absolute file offsets
    (``base_offset`` + position in the buffer).

    Columns are numpy arrays of equal length within each group.
    """

    consumed: int
    """Bytes of the buffer fully handled; the next scan starts at ``base_offset + consumed``."""
    resync: bool
    """True when the scan ended while looking for a valid header after damage."""
    tags: list[bytes]
    """Tag table of this scan; ``v_tag`` indexes it. ``Value.tag``, or ``node_name`` when the
    tag is empty (old summaries)."""
    v_record: np.ndarray  # int32: index of the record within this scan (orders v_* and o_*)
    v_tag: np.ndarray  # int32
    v_kind: np.ndarray  # uint8, one of KIND_*
    v_step: np.ndarray  # int64, Event.step
    v_wall_time: np.ndarray  # float64, Event.wall_time
    v_value: np.ndarray  # float64, the decoded scalar (0.0 for KIND_OTHER)
    v_offset: np.ndarray  # int64, offset of the Value message bytes
    v_length: np.ndarray  # int32, length of the Value message bytes
    v_meta_offset: np.ndarray  # int64, offset of its SummaryMetadata bytes, -1 if none
    v_meta_length: np.ndarray  # int32, length of the SummaryMetadata bytes (0 if none)
    o_record: np.ndarray  # int32: index of the record within this scan
    o_offset: np.ndarray  # int64, offset of the Event payload
    o_length: np.ndarray  # int64, length of the Event payload
    damage: list[tuple[int, str]] = field(default_factory=list)
    """``(offset, message)`` for every problem met, in file order."""
    records: int = 0
    """Number of valid records scanned (summary and other events)."""
