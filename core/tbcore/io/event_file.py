"""Incremental reading of one event file that may still be growing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from tbcore.io.filesystem import FileSystem
from tbcore.io.scan import DEFAULT_MAX_RECORD_LENGTH, ScanResult, scan

logger = logging.getLogger(__name__)

CHUNK_BYTES = 16 << 20
"""How much of a file is read and scanned at once; bounds memory when loading huge files."""


@dataclass
class Chunk:
    """One scanned piece of a file: the bytes and what the scanner found in them."""

    data: bytes
    base_offset: int
    result: ScanResult

    def payload(self, offset: int, length: int) -> bytes:
        """Bytes at absolute file ``offset`` (must lie inside this chunk)."""
        start = offset - self.base_offset
        return self.data[start : start + length]


@dataclass
class Damage:
    """A problem found in a file, for ``tbcore inspect`` and the logs."""

    path: str
    offset: int
    message: str


@dataclass
class EventFileReader:
    """Reads one event file from where it left off.

    The reader remembers the offset after the last complete record; each :meth:`read_new`
    scans only what was appended since. A record that is still being written stays unread
    until it is complete; damage is logged (with file and offset) and recorded in
    :attr:`damage`, and never stops the reading.
    """

    fs: FileSystem
    path: str
    max_record_length: int = DEFAULT_MAX_RECORD_LENGTH
    offset: int = 0
    size_seen: int = 0
    records: int = 0
    resync: bool = False
    damage: list[Damage] = field(default_factory=list)

    def read_new(self, size: int) -> Iterator[Chunk]:
        """Scan the bytes between the last good offset and ``size`` (the file's size now)."""
        self.size_seen = size
        want = CHUNK_BYTES
        while self.offset < size:
            end = min(size, self.offset + want)
            data = self.fs.read(self.path, self.offset, end)
            if not data:
                return
            result = scan(data, self.offset, self.resync, self.max_record_length)
            self._note(result)
            if result.consumed == 0:
                if end >= size:
                    return  # an incomplete record at the tail: wait for the writer
                want *= 2  # one record larger than the chunk: read more at once
                continue
            want = CHUNK_BYTES
            chunk = Chunk(data, self.offset, result)
            self.offset += result.consumed
            self.resync = result.resync
            self.records += result.records
            yield chunk

    def _note(self, result: ScanResult) -> None:
        for offset, message in result.damage:
            if any(d.offset == offset and d.message == message for d in self.damage[-4:]):
                continue  # the same tail damage seen again on a re-read
            logger.warning("%s at offset %d: %s", self.path, offset, message)
            self.damage.append(Damage(self.path, offset, message))

    @property
    def pending_bytes(self) -> int:
        """Bytes after the last complete record (a record still being written, or garbage)."""
        return max(0, self.size_seen - self.offset)
