"""Layout packs: every label the reader knows, by role, read from TOML.

The default pack is ``xltools/layouts/default.toml``. A user's pack extends it without code::

    extends = "default"
    [aliases]
    actual = ["完成数值"]          # a form whose 完成值 column is headed 完成数值

Texts are compared by :func:`xltools.readers.layouts.common.label_key`: whitespace, line
breaks, full/half width, brackets with their contents and traditional characters do not
matter; the values read from a form are kept as written.

    >>> pack = load_layout_pack()
    >>> pack.indicator_columns["全年完成值"], pack.funds_columns["预算数"], pack.role_of("項目名稱")
    ('actual', 'budget', 'project_name')

The locator reads the *active* pack (:func:`active`); ``check``, ``consolidate`` and
``inspect`` make a user's pack active with :func:`use` before reading (the process pool's
workers receive it too).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .layouts import common

PACK_DIR = Path(__file__).resolve().parent.parent / "layouts"

# section → roles, in the order docs/layouts.md lists them
SECTIONS: dict[str, tuple[str, ...]] = {
    "form": ("project_name", "department", "implementing_unit", "year", "goal_expected",
             "goal_actual", "title_suffix", "department_wide", "skip_sheet"),
    "funds": ("initial_budget", "budget", "executed", "received", "execution_rate",
              "funds_weight", "funds_score", "funds_title"),
    "funds_rows": ("funds_total", "funds_appropriation", "funds_carryover", "funds_other"),
    "indicators": ("level1", "level2", "level3", "target", "target_nature", "target_unit", "actual",
                   "weight", "weight_share", "score", "converted_score", "deviation_reason",
                   "score_coefficient", "is_core", "status"),
    "totals": ("total", "grade_label", "grade"),
    "stops": ("footer",),
    "lists": ("list_heading", "list_neighbour"),
}
ROLES = tuple(role for roles in SECTIONS.values() for role in roles)
# roles whose texts are substrings or whole strings, not labels: not normalised as labels
_RAW_ROLES = frozenset({"title_suffix", "department_wide", "skip_sheet"})

# role → the field name the readers use
FUNDS_FIELDS = {"initial_budget": "initial_budget", "budget": "budget", "executed": "executed",
                "received": "arrived", "execution_rate": "rate", "funds_weight": "weight",
                "funds_score": "score"}
FUNDS_ROW_KINDS = {"funds_total": "total", "funds_appropriation": "appropriation",
                   "funds_carryover": "carryover", "funds_other": "other"}
INDICATOR_FIELDS = {"level1": "level1", "level2": "level2", "level3": "name", "target": "target",
                    "target_nature": "nature", "target_unit": "unit", "actual": "actual",
                    "weight": "weight", "weight_share": "weight_pct", "score": "score",
                    "converted_score": "converted", "deviation_reason": "deviation",
                    "score_coefficient": "coefficient", "is_core": "core", "status": "status"}
HEADER_ROLES = ("project_name", "department", "implementing_unit")


class LayoutPackError(ValueError):
    """A layout pack that cannot be used; the message is Chinese and names the file and key."""


@dataclass
class LayoutPack:
    """A layout pack: the texts of every role as written, and the lookups built from them."""

    name: str
    path: str
    texts: dict[str, tuple[str, ...]]
    characters: dict[str, str]
    layout_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    level1_by_level2: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # built by _compile
    keys: dict[str, frozenset[str]] = field(default_factory=dict)
    funds_columns: dict[str, str] = field(default_factory=dict)
    funds_rows: dict[str, str] = field(default_factory=dict)
    indicator_columns: dict[str, str] = field(default_factory=dict)
    header_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    inline_labels: frozenset[str] = frozenset()
    title_suffixes: tuple[str, ...] = ()
    department_wide: tuple[str, ...] = ()
    stop_keys: frozenset[str] = frozenset()  # header labels: the end of a label's value search
    list_headings: frozenset[str] = frozenset()
    funds_row_suffixes: tuple[str, ...] = ()
    layout_keys: tuple[tuple[str, frozenset[str]], ...] = ()

    def role_keys(self, role: str) -> frozenset[str]:
        return self.keys.get(role, frozenset())

    def role_of(self, text: str) -> str | None:
        """The first role (in :data:`ROLES` order) whose texts match ``text``."""
        key = common.label_key(text)
        for role in ROLES:
            if key in self.keys.get(role, ()):
                return role
        return None

    def __getstate__(self):  # sent to the pool's workers: the texts, not the lookups
        return {"name": self.name, "path": self.path, "texts": self.texts,
                "characters": self.characters, "layout_names": self.layout_names,
                "level1_by_level2": self.level1_by_level2}

    def layout_name(self, keys) -> str:
        """The layout named by header keys (``调整后预算数`` → ``sichuan``); ``national``."""
        for name, names in self.layout_keys:
            if not names.isdisjoint(keys):
                return name
        return "national"

    def __setstate__(self, state):
        self.__init__(**state)
        _compile(self)


def _compile(pack: LayoutPack) -> LayoutPack:
    common.use_characters(pack.characters)
    keys: dict[str, frozenset[str]] = {}
    for role, texts in pack.texts.items():
        if role in _RAW_ROLES:
            keys[role] = frozenset(t.strip() for t in texts)
        else:
            keys[role] = frozenset(k for k in (common.label_key(t) for t in texts) if k)
    pack.keys = keys
    pack.funds_columns = {}
    for role, name in FUNDS_FIELDS.items():
        for key in keys.get(role, ()):
            pack.funds_columns.setdefault(key, name)
    pack.funds_rows = {}
    for role, kind in FUNDS_ROW_KINDS.items():
        for key in keys.get(role, ()):
            pack.funds_rows.setdefault(key, kind)
    pack.indicator_columns = {}
    for role, name in INDICATOR_FIELDS.items():
        for key in keys.get(role, ()):
            pack.indicator_columns.setdefault(key, name)
    pack.header_keys = {role: tuple(dict.fromkeys(k for k in (common.label_key(t) for t in pack.texts.get(role, ())) if k))
                        for role in (*HEADER_ROLES, "year", "goal_expected", "goal_actual")}
    pack.funds_row_suffixes = tuple(sorted(pack.funds_rows, key=len, reverse=True))
    pack.inline_labels = frozenset().union(*(keys.get(r, frozenset()) for r in (*HEADER_ROLES, "year")))
    pack.layout_keys = tuple((name, frozenset(common.label_key(t) for t in texts))
                             for name, texts in pack.layout_names.items())
    pack.title_suffixes = tuple(sorted(keys.get("title_suffix", ()), key=len, reverse=True))
    pack.department_wide = tuple(keys.get("department_wide", ()))
    pack.stop_keys = pack.inline_labels
    pack.list_headings = frozenset(pack.funds_columns) | keys.get("list_heading", frozenset())
    common.use_inline_labels(pack.inline_labels)
    return pack


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise LayoutPackError(f"表头配置文件“{path}”不存在。") from None
    except tomllib.TOMLDecodeError as exc:
        raise LayoutPackError(f"表头配置文件“{path}”不是有效的 TOML：{exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutPackError(f"无法读取表头配置文件“{path}”（{exc}）。") from None


def _texts(path: Path, where: str, value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LayoutPackError(f"表头配置文件“{path}”中的 {where} 应为非空文字的列表，例如 [\"完成数值\"]。")
    return tuple(value)


def _base(path: Path) -> dict:
    data = _read_toml(path)
    texts: dict[str, tuple[str, ...]] = {}
    for section, roles in SECTIONS.items():
        table = data.get(section, {})
        for role in roles:
            texts[role] = _texts(path, f"[{section}] {role}", table.get(role, []))
    pairs = data.get("characters", {}).get("pairs", [])
    characters = {p[0]: p[1] for p in pairs if isinstance(p, str) and len(p) == 2}
    names = {name: tuple(_texts(path, f"[layout_names] {name}", value))
             for name, value in data.get("layout_names", {}).items()}
    inference = {name: tuple(_texts(path, f"[level1_by_level2] {name}", value))
                 for name, value in data.get("level1_by_level2", {}).items()}
    return {"name": data.get("name", path.stem), "texts": texts, "characters": characters,
            "layout_names": names, "level1_by_level2": inference}


_DEFAULT_CACHE: LayoutPack | None = None


def load_layout_pack(path: str | Path | None = None) -> LayoutPack:
    """The default pack (``path`` None or ``"default"``) or a user's pack extending it.

    A user's pack: ``extends = "default"`` (optional) and ``[aliases]`` role → extra texts.
    Unknown roles and malformed values raise :class:`LayoutPackError` naming the file and key.
    """
    global _DEFAULT_CACHE
    if path is None or str(path) == "default":
        if _DEFAULT_CACHE is None:
            default = PACK_DIR / "default.toml"
            base = _base(default)
            _DEFAULT_CACHE = _compile(LayoutPack(base["name"], str(default), base["texts"],
                                                 base["characters"], base["layout_names"],
                                                 base["level1_by_level2"]))
        return _DEFAULT_CACHE
    path = Path(path)
    data = _read_toml(path)
    extends = data.get("extends", "default")
    if extends != "default":
        raise LayoutPackError(f"表头配置文件“{path}”：extends 只能是 \"default\"（现为 {extends!r}）。")
    unknown = [k for k in data if k not in ("extends", "name", "title", "aliases")]
    if unknown:
        raise LayoutPackError(f"表头配置文件“{path}”：不认识的项 {'、'.join(unknown)}；"
                              "请把新增的表头文字写在 [aliases] 下。")
    base = _base(PACK_DIR / "default.toml")
    texts = dict(base["texts"])
    aliases = data.get("aliases", {})
    if not isinstance(aliases, dict):
        raise LayoutPackError(f"表头配置文件“{path}”：[aliases] 应为一个表，例如 actual = [\"完成数值\"]。")
    for role, value in aliases.items():
        if role not in texts:
            raise LayoutPackError(f"表头配置文件“{path}”：[aliases] 中的 {role} 不是已知的角色"
                                  f"（可用：{', '.join(ROLES)}）。")
        texts[role] = texts[role] + tuple(t for t in _texts(path, f"[aliases] {role}", value)
                                          if t not in texts[role])
    pack = _compile(LayoutPack(str(data.get("name", path.stem)), str(path), texts, base["characters"],
                               base["layout_names"], base["level1_by_level2"]))
    use(_ACTIVE)  # loading compiles; the active pack stays what it was until use()
    return pack


_ACTIVE: LayoutPack | None = None


def active() -> LayoutPack:
    """The pack the locator reads with (the default until :func:`use` says otherwise)."""
    return _ACTIVE or _DEFAULT_CACHE or load_layout_pack()


def user_pack() -> LayoutPack | None:
    """The pack :func:`use` made active, ``None`` while the default is used."""
    return _ACTIVE


def use(pack: LayoutPack | None) -> None:
    """Make ``pack`` the active one (``None``: the default)."""
    global _ACTIVE
    _ACTIVE = pack
    current = active()
    common.use_characters(current.characters)
    common.use_inline_labels(current.inline_labels)
