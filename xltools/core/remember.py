"""Caches that stay small: a dict that is emptied at once when it holds ``limit`` entries.

Readers, scorers and writers remember what recurs from one form to the next (a label's key,
the lines a text wraps to, a file's link target). Over a batch of 10,000 files most entries are
seen in one file only, so a cache that keeps everything grows with the batch; one emptied at
its bound keeps what recurs (it is remembered again at once) and stays flat. Cheaper than an
LRU on a hot path, and exact: a forgotten entry is only computed again.

Example::

    >>> seen = {}
    >>> [remember(seen, n, n * n, limit=2) for n in (1, 2, 3)], seen
    ([1, 4, 9], {3: 9})
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def remember(cache: dict[K, V], key: K, value: V, limit: int) -> V:
    """``cache[key] = value``, ``cache`` emptied first when it holds ``limit`` entries;
    returns ``value``."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value
