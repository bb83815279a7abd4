"""Incremental reading of one event file that may still be growing."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from tbcore.io.filesystem import FileInfo, FileSystem
from tbcore.io.scan import DEFAULT_MAX_RECORD_LENGTH, ScanResult, scan

logger = logging.getLogger(__name__)

CHUNK_BYTES = 16 << 20
"""How much of a file is read and scanned at once; bounds memory when loading huge files."""
HEAD_BYTES = 64
"""How much of a file's start is kept to tell it from another file put at its path."""

_generations = itertools.count(1)


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
    identity: object = None
    """The file's identity and version when last listed (see :class:`FileInfo`)."""
    version: object = None
    head: bytes = b""
    """The file's first bytes (up to :data:`HEAD_BYTES`), once read."""
    generation: int = field(default_factory=lambda: next(_generations))
    """Unique to this reader: a file put in place of this one gets a reader of its own."""
    read_error: str | None = None
    """Why the last read failed (permissions, a storage error), or None."""

    def listed(self, info: FileInfo) -> None:
        """Remember the identity and version a listing gave."""
        self.identity, self.version = info.identity, info.version

    def replaced_by(self, info: FileInfo) -> bool:
        """Whether the file a listing found at this path (``info``) is not the one read so far
        (a re-run experiment copied or wrote over it), rather than the same file, grown.

        Another identity (inode) or a smaller size tells at once; when the file grew or its
        version changed, its first bytes are read again and compared.
        """
        if not self.size_seen:
            return False
        if info.identity is not None and self.identity is not None and info.identity != self.identity:
            return True
        if info.size < self.size_seen:
            return True
        unchanged = info.size == self.size_seen and (info.version is None or info.version == self.version)
        if unchanged or not self.head:
            return False
        try:
            return self.fs.read(self.path, 0, len(self.head)) != self.head
        except OSError:
            return False  # gone since the listing: the next one tells

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
            if self.offset == 0:
                self.head = data[:HEAD_BYTES]
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
