"""Label normalisation, the per-grid label index, and header → column-span mapping.

Forms are found by their labels, never by fixed addresses, and labels are written many ways:
``绩 效 指 标``, ``项目资金       （万元）``, ``其中：当年财政拨款``, ``指标1:全县参合人数``,
``产出指标(50分)``. :func:`split_label` turns each of them into a matching key plus what the
parentheses said::

    >>> split_label("项目资金       （万元）")
    ('项目资金', ['万元'])
    >>> split_label("其中：当年财政拨款")
    ('当年财政拨款', [])
    >>> split_label("产出指标(50分)")
    ('产出指标', ['50分'])
    >>> label_weight("产出指标（50分）")
    Decimal('50')
    >>> label_key("指标1:全县参合人数")
    '全县参合人数'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal

from ...core.remember import remember
from ..grid import Grid

_SPACE = re.compile(r"\s+")
# brackets after NFKC: () [] 【】 〔〕 〈〉 《》 and their contents
_PAREN = re.compile(r"[(\[【〔〈《]([^()\[\]【】〔〕〈〉《》]*)[)\]】〕〉》]")
_TRAILING_WEIGHT = re.compile(r"^(.*\D)(\d+(?:\.\d+)?分)$")
_PREFIX = re.compile(r"^(其中[:：]?|指标\d+[:：])")
_WEIGHT = re.compile(r"^(\d+(?:\.\d+)?)分$")

# Labels longer than this are free text (goals, explanations), never looked up as labels.
MAX_LABEL_LEN = 40
_KEYS: dict[str, str] = {}  # cell text → label_key(text): the same labels recur on every form
KEYS_REMEMBERED = 8192
# Header labels that forms also write with their value in the same cell: ``项目名称：城乡环境整治``.
# The layout pack sets them (``use_inline_labels``): its project_name, department,
# implementing_unit and year texts.
INLINE_LABELS = frozenset({"项目名称", "主管部门", "实施单位", "年度"})
# traditional → simplified characters of labels (the layout pack's [characters] table)
_TO_SIMPLIFIED: dict[int, str] = {}


def _clear_caches() -> None:
    _KEYS.clear()
    _INDEX_KEYS.clear()
    _split_cached.cache_clear()
    _match_cached.cache_clear()


def use_characters(pairs: dict[str, str]) -> None:
    """Match labels written in traditional characters: ``項目名稱`` is found as ``项目名称``."""
    global _TO_SIMPLIFIED
    table = str.maketrans(pairs) if pairs else {}
    if table != _TO_SIMPLIFIED:
        _TO_SIMPLIFIED = table
        _clear_caches()


def use_inline_labels(labels: frozenset[str]) -> None:
    """The labels a form may write with their value in one cell (``项目名称：城乡环境整治``)."""
    global INLINE_LABELS
    if labels and labels != INLINE_LABELS:
        INLINE_LABELS = frozenset(labels)
        _clear_caches()
_INLINE = re.compile(r"^\s*([^:：]{2,10}?)\s*[:：]\s*(\S.*)$", re.S)


def _index_key(value: str) -> str:
    """The key :class:`LabelIndex` files a short text cell under; ``""``: not a label.

    >>> _index_key("项目名称：城乡环境整治"), _index_key("绩 效 指 标"), _index_key("（" + "很长" * 30 + "）")
    ('项目名称', '绩效指标', '')
    """
    key = _KEYS.get(value)
    if key is None:
        key = remember(_KEYS, value, label_key(value), KEYS_REMEMBERED)
    if ("：" in value or ":" in value) and (inline := inline_value(value)):
        key = inline[0]  # ``项目名称：城乡环境整治`` is found as 项目名称
    return key if key and len(key) <= MAX_LABEL_LEN else ""


_INDEX_KEYS: dict[str, str] = {}  # cell text (≤ 3 × MAX_LABEL_LEN) → _index_key(text)


def inline_value(text: str) -> tuple[str, str] | None:
    """``项目名称：城乡环境整治`` → ``("项目名称", "城乡环境整治")`` for the labels in
    :data:`INLINE_LABELS`; ``None`` for anything else (a plain label, a sentence with a colon)."""
    m = _INLINE.match(text)
    if m is None:
        return None
    key = label_key(m.group(1))
    return (key, m.group(2).strip()) if key in INLINE_LABELS else None


def squeeze_label(text: str) -> str:
    """A label for matching: NFKC and no whitespace at all (``绩 效 指 标`` → ``绩效指标``).

    Unlike :func:`xltools.core.notation.normalise_text` (which keeps ASCII spacing for values),
    labels lose every space: forms spread them out to fill merged cells.
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def split_label(text: str) -> tuple[str, list[str]]:
    """``(key, parenthesised parts)``: prefixes, colons and parentheses removed from the key."""
    key, parts = _split_cached(text)
    return key, list(parts)


@lru_cache(maxsize=8192)
def _split_cached(text: str) -> tuple[str, tuple[str, ...]]:
    norm = squeeze_label(text)
    parts = _PAREN.findall(norm)
    while True:  # nested brackets: （预算数（A））
        stripped = _PAREN.sub("", norm)
        if stripped == norm:
            break
        norm = stripped
    key = _PREFIX.sub("", norm).rstrip(":：")
    m = _TRAILING_WEIGHT.match(key)
    if m and not parts:  # ``数量指标15分`` (the weight written without brackets)
        key, parts = m.group(1), [m.group(2)]
    return key, tuple(parts)


def label_key(text: str) -> str:
    """The key a label is matched by: :func:`split_label`'s key in simplified characters.

    >>> label_key("預算數（A）"), label_key("全年\\n完成值"), label_key("【调整后】预算数")
    ('预算数', '全年完成值', '预算数')
    """
    return _match_cached(text)


@lru_cache(maxsize=8192)
def _match_cached(text: str) -> str:
    key = _split_cached(text)[0]
    return key.translate(_TO_SIMPLIFIED) if _TO_SIMPLIFIED and not key.isascii() else key


def label_weight(text: str) -> Decimal | None:
    """The weight written into a label: ``产出指标(50分)`` → 50; ``None`` when there is none."""
    for part in split_label(text)[1]:
        m = _WEIGHT.match(part)
        if m:
            return Decimal(m.group(1))
    return None


@dataclass
class LabelIndex:
    """Every short text cell of a grid by its key, built in one pass (anchors only).

    ``positions[key]`` lists ``(row, col)`` in reading order; ``row_keys[row]`` lists
    ``(col, key)`` for the row, so a form block can be scanned row by row without re-reading
    the grid.
    """

    positions: dict[str, list[tuple[int, int]]]
    row_keys: list[list[tuple[int, str]]]

    @classmethod
    def build(cls, grid: Grid) -> "LabelIndex":
        positions: dict[str, list[tuple[int, int]]] = {}
        row_keys: list[list[tuple[int, str]]] = []
        longest = MAX_LABEL_LEN * 3
        known = _INDEX_KEYS
        for r, row in enumerate(grid.rows):
            keys: list[tuple[int, str]] = []
            for c, value in enumerate(row):
                if type(value) is str or isinstance(value, str):
                    key = known.get(value)
                    if key is None:
                        if len(value) > longest:
                            continue
                        key = remember(known, value, _index_key(value), KEYS_REMEMBERED)
                    if key:
                        keys.append((c, key))
                        if key in positions:
                            positions[key].append((r, c))
                        else:
                            positions[key] = [(r, c)]
            row_keys.append(keys)
        return cls(positions, row_keys)

    def find(self, key: str, r1: int, r2: int) -> list[tuple[int, int]]:
        """Positions of ``key`` with ``r1 <= row < r2``."""
        return [p for p in self.positions.get(key, ()) if r1 <= p[0] < r2]

    def first(self, keys, r1: int, r2: int) -> tuple[int, int] | None:
        best: tuple[int, int] | None = None
        for key in keys:
            for p in self.positions.get(key, ()):
                if r1 <= p[0] < r2 and (best is None or p < best):
                    best = p
                    break
        return best


def row_anchors(grid: Grid, r: int, c1: int = 0, c2: int | None = None) -> list[int]:
    """Columns of the distinct cells of row ``r`` (merged followers collapse into their anchor)."""
    end = grid.width if c2 is None else c2 + 1
    table = grid.anchor_table()
    cols: list[int] = []
    last = None
    for c in range(c1, end):
        key = (r, c)
        anchor = table.get(key, key)
        if anchor != last:
            cols.append(c)
            last = anchor
    return cols


def span_of(grid: Grid, r: int, c: int) -> tuple[int, int]:
    """Horizontal extent (c1, c2) of the cell at (r, c), merged ranges included."""
    table = grid.anchor_table()
    own = table.get((r, c), (r, c))
    c2 = c
    width = grid.width
    while c2 + 1 < width and table.get((r, c2 + 1), (r, c2 + 1)) == own:
        c2 += 1
    c1 = c
    while c1 - 1 >= 0 and table.get((r, c1 - 1), (r, c1 - 1)) == own:
        c1 -= 1
    return c1, c2


def first_in_span(grid: Grid, r: int, c1: int, c2: int) -> int | None:
    """Column of the first non-empty cell of row ``r`` within ``c1..c2`` (merges show their value)."""
    for c in range(c1, c2 + 1):
        if grid.text(r, c):
            return c
    return None


def value_right_of(grid: Grid, r: int, c: int, stop_keys: frozenset[str] = frozenset()) -> int | None:
    """Column of the next non-empty cell to the right of (r, c), or ``None``.

    A cell whose key is in ``stop_keys`` (another label) ends the search: the value is missing.
    """
    table = grid.anchor_table()
    own = table.get((r, c), (r, c))
    for cc in range(c + 1, grid.width):
        key = (r, cc)
        if table.get(key, key) == own:
            continue
        text = grid.text(r, cc)
        if text:
            if label_key(text) in stop_keys:
                return None
            return cc
    return None
