"""Rows sorted by a key without keeping them all in memory: an external merge sort.

The 问题清单 lists every finding of the batch sorted by severity, project, file, sheet and code
(:meth:`~xltools.core.model.Finding.sort_key`), but the findings arrive file by file while the
pool reads. :class:`SortedSpill` keeps at most ``run_size`` of them in memory: each full run is
sorted and written to a file of the writer's scratch folder (pickled in chunks), and
:meth:`SortedSpill.items` merges the runs back in order. Equal keys keep their input order, so
the result is exactly ``sorted(items, key=key)`` of the whole list.

Example::

    >>> import tempfile
    >>> spill = SortedSpill(tempfile.mkdtemp(), run_size=2)
    >>> for key, item in [((1, "乙"), "b"), ((0, "甲"), "a"), ((1, "乙"), "c"), ((0, "丙"), "d")]:
    ...     spill.add(key, item)
    >>> list(spill.items()), len(spill)
    (['d', 'a', 'b', 'c'], 4)
"""

from __future__ import annotations

import heapq
import os
import pickle
import tempfile
from operator import itemgetter
from typing import Any, Iterator

RUN_SIZE = 4096  # items kept in memory before a sorted run goes to disk
CHUNK = 256  # items per pickle of a run: what one run holds in memory while merged

_ORDER = itemgetter(0, 1)  # (key, input position): never compares the items themselves


class SortedSpill:
    """``(key, item)`` pairs added in any order, read back sorted by key (stable)."""

    def __init__(self, folder: str | os.PathLike, run_size: int | None = None):
        self.folder = os.fspath(folder)
        self.run_size = max(1, RUN_SIZE if run_size is None else run_size)
        self._buffer: list[tuple[Any, int, Any]] = []
        self._runs: list[str] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, key, item) -> None:
        self._buffer.append((key, self._count, item))
        self._count += 1
        if len(self._buffer) >= self.run_size:
            self._spill()

    def _spill(self) -> None:
        buffer, self._buffer = self._buffer, []
        buffer.sort(key=_ORDER)
        fd, name = tempfile.mkstemp(prefix="run-", suffix=".pickle", dir=self.folder)
        self._runs.append(name)
        with os.fdopen(fd, "wb") as fh:
            for i in range(0, len(buffer), CHUNK):
                pickle.dump(buffer[i:i + CHUNK], fh, protocol=pickle.HIGHEST_PROTOCOL)

    def items(self) -> Iterator[Any]:
        """Every item, sorted by key; equal keys in the order they were added."""
        self._buffer.sort(key=_ORDER)
        if not self._runs:
            return (item for _, _, item in self._buffer)
        streams = [_read_run(name) for name in self._runs] + [iter(self._buffer)]
        return (item for _, _, item in heapq.merge(*streams, key=_ORDER))


def _read_run(name: str) -> Iterator[tuple[Any, int, Any]]:
    with open(name, "rb") as fh:
        while True:
            try:
                chunk = pickle.load(fh)
            except EOFError:
                return
            yield from chunk
