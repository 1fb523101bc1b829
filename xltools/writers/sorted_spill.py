"""Rows sorted by a key without keeping them all in memory: an external merge sort.

The 问题清单 lists every finding of the batch sorted by severity, project, file, sheet and code
(:meth:`~xltools.core.model.Finding.sort_key`), but the findings arrive file by file while the
pool reads. :class:`SortedSpill` keeps at most ``run_size`` of them in memory: each full run is
sorted and written to a file of the writer's scratch folder (pickled in chunks), and
:meth:`SortedSpill.items` merges the runs back in order. Equal keys keep their input order, so
the result is exactly ``sorted(items, key=key)`` of the whole list.

Memory does not grow with the number of items: a merge reads one chunk of each run at a time,
and once :data:`FAN_IN` runs of one size are on disk they are merged into one run of the next
size (so at most ``FAN_IN`` runs of each size exist, and a batch ten times larger adds one
size, not ten times the runs to read at once); before the final merge the smallest runs are
merged further until fewer than ``FAN_IN`` runs are left.

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

RUN_SIZE = 512  # items kept in memory before a sorted run goes to disk
CHUNK = 16  # items per pickle of a run: what one run holds in memory while merged
FAN_IN = 16  # runs of one size merged into one of the next size

_dumps, _loads = pickle.dumps, pickle.loads
_ORDER = itemgetter(0, 1)  # (key, input position): never compares the items themselves


class SortedSpill:
    """``(key, item)`` pairs added in any order, read back sorted by key (stable)."""

    def __init__(self, folder: str | os.PathLike, run_size: int | None = None):
        self.folder = os.fspath(folder)
        self.run_size = max(1, RUN_SIZE if run_size is None else run_size)
        self._buffer: list[tuple[Any, int, Any]] = []
        self._runs: list[str] = []
        self._sizes: list[int] = []  # size class of each run (see _add_run)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, key, item) -> None:
        # pickled at once: one bytes object a row instead of the dozens of small objects a
        # row is made of, which would leave the heap fragmented after each run is written
        self._buffer.append((key, self._count, _dumps(item, pickle.HIGHEST_PROTOCOL)))
        self._count += 1
        if len(self._buffer) >= self.run_size:
            self._spill()

    def _spill(self) -> None:
        buffer, self._buffer = self._buffer, []
        buffer.sort(key=_ORDER)
        self._add_run(self._write_run(iter(buffer)), 0)

    def _write_run(self, items: Iterator[tuple[Any, int, Any]]) -> str:
        fd, name = tempfile.mkstemp(prefix="run-", suffix=".pickle", dir=self.folder)
        with os.fdopen(fd, "wb") as fh:
            chunk = []
            for item in items:
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return name

    def _add_run(self, name: str, size: int) -> None:
        """Keep the run ``name`` of size class ``size``; ``FAN_IN`` runs of one class are
        merged into one of the next class (the merged files removed)."""
        self._runs.append(name)
        self._sizes.append(size)
        while self._sizes.count(size) >= FAN_IN:
            self._merge(size)
            size += 1

    def _merge(self, size: int) -> None:
        """Replace the runs of size class ``size`` by one run of the next class."""
        names = [n for n, s in zip(self._runs, self._sizes) if s == size]
        if len(names) < 2:  # one run alone: it only moves up a class
            self._sizes[self._runs.index(names[0])] = size + 1
            return
        merged = self._write_run(heapq.merge(*map(_read_run, names), key=_ORDER))
        for name in names:
            os.unlink(name)
        gone = set(names)
        keep = [(n, s) for n, s in zip(self._runs, self._sizes) if n not in gone]
        self._runs = [n for n, _ in keep] + [merged]
        self._sizes = [s for _, s in keep] + [size + 1]

    def items(self) -> Iterator[Any]:
        """Every item, sorted by key; equal keys in the order they were added."""
        return (_loads(item) for _, _, item in self._sorted())

    def keyed(self) -> Iterator[tuple[Any, Any]]:
        """Every ``(key, item)``, in the order of :meth:`items`."""
        return ((key, _loads(item)) for key, _, item in self._sorted())

    def _sorted(self) -> Iterator[tuple[Any, int, Any]]:
        self._buffer.sort(key=_ORDER)
        if not self._runs:
            return iter(self._buffer)
        while len(self._runs) >= FAN_IN:  # at most FAN_IN streams read at once
            self._merge(min(self._sizes))
        streams = [_read_run(name) for name in self._runs] + [iter(self._buffer)]
        return heapq.merge(*streams, key=_ORDER)


def _read_run(name: str) -> Iterator[tuple[Any, int, Any]]:
    with open(name, "rb") as fh:
        yield from chunk_items(fh)


def chunk_items(fh) -> Iterator[Any]:
    """The items of the pickled lists in the binary file ``fh``, from where it is to its end
    (how runs, spilled links and a key's places are kept on disk: a list at a time)."""
    while True:
        try:
            chunk = pickle.load(fh)
        except EOFError:
            return
        yield from chunk
