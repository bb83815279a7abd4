"""Regular expressions that users type (tag filters of custom scalars, hparams filters),
evaluated with bounds on their size and on the time they take.

Python's ``re`` backtracks without limit and holds the GIL while it does: one crafted pattern
(``(a|aa)+$`` on a long tag) would stall every request of the server for seconds, and some
(``a{99999999999}``) raise ``OverflowError`` instead of ``re.error``. Patterns are compiled by
the ``regex`` package (the same syntax as ``re``), matching stops at a time budget per
request, and every failure is an :class:`InvalidArgumentError` that says what was wrong.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from tbcore.errors import InvalidArgumentError

MAX_PATTERN_CHARS = 1000
"""Longer patterns are refused."""
BUDGET_S = 0.25
"""Most time one request may spend matching one pattern, over all the texts it is tried on."""


class InvalidRegexError(InvalidArgumentError):
    """The pattern is not a valid regular expression (or is too long)."""


class UserRegex:
    """A user's pattern, compiled; :meth:`search` and :meth:`match` share one time budget."""

    def __init__(self, pattern: str, budget_s: float = BUDGET_S) -> None:
        import regex  # on first use: no dashboard needs it at start

        if len(pattern) > MAX_PATTERN_CHARS:
            raise InvalidRegexError(
                f"regular expression of {len(pattern):,} characters; at most {MAX_PATTERN_CHARS:,}"
            )
        try:
            self._compiled: Any = regex.compile(pattern)
        except (regex.error, OverflowError, RecursionError, ValueError) as e:
            raise InvalidRegexError(f"invalid regular expression {pattern!r}: {e}") from e
        self.pattern = pattern
        self._deadline: float | None = None  # set by the first match: the budget is for matching
        self._budget_s = budget_s

    def match(self, text: str) -> bool:
        """Whether the pattern matches at the start of ``text`` (as ``re.match``)."""
        return self._run(self._compiled.match, text)

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (as ``re.search``)."""
        return self._run(self._compiled.search, text)

    def filter_matching(self, texts: Iterable[str]) -> list[str]:
        """The texts the pattern matches at their start, in order."""
        return [text for text in texts if self.match(text)]

    def _run(self, method: Any, text: str) -> bool:
        if self._deadline is None:
            self._deadline = time.monotonic() + self._budget_s
        left = self._deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            # concurrent: the GIL is released while matching, so other requests go on.
            return method(text, concurrent=True, timeout=left) is not None
        except TimeoutError:
            raise InvalidArgumentError(
                f"regular expression {self.pattern!r} takes more than {self._budget_s:g} s on "
                "these names (it backtracks too much): simplify it"
            ) from None
