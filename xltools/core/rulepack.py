"""Rule packs: every scoring and audit rule as data, read from a TOML file.

The national default lives in ``xltools/rulepacks/national.toml``; a provincial pack may say
``extends = "national"`` and override only the keys it changes (``platform_example.toml``).
``load_rulepack`` returns an immutable :class:`RulePack` whose numbers are ``Decimal``.

    >>> pack = load_rulepack()
    >>> pack.name, pack.budget_weight, pack.reverse_formula
    ('national', Decimal('10'), 'ratio')
    >>> pack.bare_operator("成本指标")        # 13 → 13 on a cost row is a ceiling
    '<='
    >>> load_rulepack("platform_example").execution_cap(Decimal("0.59"))
    Decimal('69')

Percentages in the file are written as percentages ("90" for 90 %) and stored here as
fractions (``Decimal("0.9")``), the unit every computation uses.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .decimals import HUNDRED, to_decimal

PACK_DIR = Path(__file__).resolve().parent.parent / "rulepacks"
OPERATORS = (">=", "<=", "=", ">", "<")


class RulePackError(ValueError):
    """A rule pack file that cannot be used; the message is Chinese and names the file and key."""


@dataclass(frozen=True, slots=True)
class Band:
    """A qualitative band: ``low``/``high`` are fractions of 分值; ``keywords`` classify the actual."""

    name: str
    label: str
    low: Decimal
    high: Decimal
    keywords: tuple[str, ...]

    @property
    def high_inclusive(self) -> bool:
        return self.high >= 1


@dataclass(frozen=True, slots=True)
class Level1Standard:
    name: str
    weight: Decimal
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RulePack:
    """All rules the engine and the audit apply (see ``national.toml`` for what each means)."""

    name: str
    title: str
    path: str
    budget_weight: Decimal
    rate_places: int  # places of the 执行率 fraction (percent places + 2)
    low_execution_rate: Decimal  # fraction
    explanation_keywords: tuple[str, ...]
    reverse_formula: str  # ratio | linear
    deadline_formula: str  # zero | proportional
    strict_formula: str  # all_or_nothing
    over_achievement_factor: Decimal
    bare_default: str
    bare_by_level2: tuple[tuple[str, str, str], ...]  # (keyword, op, "any" | "time")
    bands: tuple[Band, ...]  # top first
    band_match_order: tuple[str, ...]
    band_top_rate: Decimal  # fraction
    band_middle_rate: Decimal  # fraction
    negations: tuple[str, ...]  # 未能, 不 …: before a top-band phrase → bottom band
    negated_partial: tuple[str, ...]  # 全部, 够 …: negation + this + top phrase → middle band
    negated_adverbs: tuple[str, ...]  # 按期, 及时 …: allowed between a negation and the phrase
    none_happened: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # prefixes, qualifiers, events
    five_grade: tuple[tuple[str, Decimal], ...]  # grade → fraction of 分值
    grades: tuple[tuple[str, Decimal], ...]  # highest first
    tol_score: Decimal
    tol_total: Decimal
    tol_rate: Decimal  # fraction (0.005 for 0.5 percentage points)
    tol_money: Decimal
    level1_standard: tuple[Level1Standard, ...]
    score_places: int
    deviation_rate: Decimal | None  # fraction over target that counts as 指标偏离 (platform)
    deviation_penalty: Decimal
    execution_caps: tuple[tuple[Decimal, Decimal], ...]  # (below rate fraction, max total)

    def bare_operator(self, level2: str | None, time_measure: bool | None = None) -> str:
        """The operator of a target written without one, by its 二级指标 (成本指标 → ``<=``).

        A rule limited to ``measures = "time"`` (时效指标: a date or a duration is a deadline)
        applies only when ``time_measure`` is not False: 100% or 12次 on a 时效 row is ≥.
        """
        for keyword, op, measures in self.bare_by_level2:
            if level2 and keyword in level2 and not (measures == "time" and time_measure is False):
                return op
        return self.bare_default

    def band(self, name: str) -> Band | None:
        return next((b for b in self.bands if b.name == name), None)

    def execution_cap(self, rate: Decimal | None) -> Decimal | None:
        """The platform's maximum total for an 执行率 (None: no cap)."""
        if rate is None:
            return None
        caps = [cap for below, cap in self.execution_caps if rate < below]
        return min(caps) if caps else None

    def level1_standard_for(self, level1: str) -> Level1Standard | None:
        for std in self.level1_standard:
            if any(k in level1 for k in std.keywords):
                return std
        return None


# --------------------------------------------------------------------------------------------
# loading


def _resolve(path: str | Path | None) -> Path:
    if path is None:
        return PACK_DIR / "national.toml"
    text = str(path)
    if "/" not in text and "\\" not in text and not text.endswith(".toml"):
        candidate = PACK_DIR / f"{text}.toml"
        if candidate.is_file():
            return candidate
        raise RulePackError(f"规则包“{text}”不存在（内置规则包：national、platform_example）。")
    return Path(path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RulePackError(f"规则包文件“{path}”不存在。") from None
    except IsADirectoryError:
        raise RulePackError(f"规则包“{path}”是一个文件夹，不是 .toml 文件。") from None
    except OSError as exc:
        raise RulePackError(f"规则包文件“{path}”无法读取：{exc.strerror or exc}。") from None
    try:
        text = raw.decode("utf-8-sig")  # Notepad's "UTF-8 with BOM" is UTF-8 too
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RulePackError(f"规则包文件“{path}”第 {line} 行不是 UTF-8 编码的文字"
                            f"（可能是 GBK）：请在编辑器中“另存为”UTF-8 编码。") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError(toml_error_cn(path, text, exc)) from None


# tomllib's messages (Python 3.11–3.14) → what is wrong, in Chinese; {0} is the message's detail
# (a key or a character). The position is read from the exception, never its English text.
TOML_ERRORS_CN: tuple[tuple[str, str], ...] = (
    (r"Invalid statement",
     "无法识别的内容：每行应为“键 = 值”、“[表名]”或以 # 开头的注释（含中文的键名须加英文引号）"),
    (r"Expected newline or end of document after a statement",
     "一行只能写一条“键 = 值”，这一条之后还有多余的内容（文字须写在引号内）"),
    (r"Expected '=' after a key in a key/value pair", "键名之后缺少“=”"),
    (r"Invalid initial character for a key part", "键名以不允许的字符开头（含中文或空格的键名须加引号）"),
    (r"Invalid value", "值无效：文字和数字须写在英文引号内，如 \"90\"；列表写成 [\"甲\", \"乙\"]"),
    (r"Unterminated string", "字符串缺少结尾的引号（引号须为英文引号 \"）"),
    (r"Unclosed array", "列表缺少结尾的“]”，或列表中两项之间缺少英文逗号"),
    (r"Unclosed inline table", "行内表缺少结尾的“}”，或两项之间缺少英文逗号（行内表须写在一行内）"),
    (r"Cannot overwrite a value", "同一个键写了两次"),
    (r"Cannot declare (.+) twice", "表“{0}”写了两次"),
    (r"Duplicate inline table key (.+)", "行内表中的键“{0}”写了两次"),
    (r"Cannot mutate immutable namespace (.+)", "“{0}”已写成行内表或列表，不能再往里添加键"),
    (r"Cannot redefine namespace (.+)", "不能重新定义表“{0}”"),
    (r"Expected '\]' at the end of a table declaration", "表名缺少结尾的“]”"),
    (r"Expected '\]\]' at the end of an array declaration", "表格数组名缺少结尾的“]]”"),
    (r"Expected (.+)", "此处应为 {0}"),
    (r"Found invalid character (.+)", "出现了不允许的字符“{0}”"),
    (r"Unescaped '\\' in a string", "字符串中的反斜杠 \\ 须写成两个（\\\\），或改用单引号"),
    (r"Invalid hex value", "转义序列中的十六进制数无效"),
    (r"Escaped character is not a Unicode scalar value", "转义序列不是有效的字符"),
    (r"Illegal character '\\n'", "字符串缺少结尾的引号（字符串须在同一行内结束）"),
    (r"Illegal character (.+)", "字符串中有不允许的字符“{0}”"),
    (r"Invalid date or datetime", "日期或时间无效"),
)
_TOML_AT = re.compile(r"(?s)(?P<msg>.*?) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)")


def _toml_detail(detail: str) -> str:
    """A key tuple ``('budget', 'weight')`` → ``budget.weight``; a character repr → the character,
    ``换行`` or ``U+0007``."""
    try:
        value = ast.literal_eval(detail)
    except (ValueError, SyntaxError):
        return detail.strip("'\"")
    if isinstance(value, tuple):
        return ".".join(str(v) for v in value)
    if value == "\n":
        return "换行"
    if isinstance(value, str) and len(value) == 1 and not value.isprintable():
        return f"U+{ord(value):04X}"
    return str(value)


def toml_error_cn(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    r"""A Chinese sentence for a TOML syntax error: the file, the line (and column), what is wrong,
    and the line as written.

    >>> try:
    ...     tomllib.loads('name = "x"\nlow = 80%\n')
    ... except tomllib.TOMLDecodeError as exc:
    ...     print(toml_error_cn(Path("省.toml"), 'name = "x"\nlow = 80%\n', exc))
    规则包文件“省.toml”不是有效的 TOML：第 2 行第 9 列，一行只能写一条“键 = 值”，这一条之后还有多余的内容（文字须写在引号内）。第 2 行：low = 80%
    """
    message = str(exc)
    msg = getattr(exc, "msg", None)  # Python 3.14 has msg, lineno, colno
    line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    at = _TOML_AT.fullmatch(message)
    if msg is None:
        msg = at.group("msg") if at else message
    if line is None and at and at.group("line"):
        line, col = int(at.group("line")), int(at.group("col"))
    end = (line is None or " (at end of document)" in message) and at is not None
    what = "格式有误"
    for pattern, chinese in TOML_ERRORS_CN:
        m = re.fullmatch(pattern, msg)
        if m:
            groups = m.groups()
            what = chinese.format(*(_toml_detail(g) for g in groups)) if groups else chinese
            break
    lines = text.splitlines()
    if end:
        line = len(lines) or 1
        where = f"文件末尾（第 {line} 行之后）"
    elif line is not None:
        where = f"第 {line} 行第 {col} 列" if col else f"第 {line} 行"
    else:
        where = "位置不明"
    shown = ""
    if line is not None and 1 <= line <= len(lines) and lines[line - 1].strip():
        content = lines[line - 1].strip()
        shown = f"第 {line} 行：{content[:60]}{'…' if len(content) > 60 else ''}"
    return f"规则包文件“{path}”不是有效的 TOML：{where}，{what}。{shown}".rstrip()


def merge_tables(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` laid over ``base`` (the ``extends`` of rule packs and of the report's wording):
    tables merge key by key, any other value replaces.

    >>> merge_tables({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}})
    {'a': {'x': 1, 'y': 3}, 'b': 1}
    """
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged


def _load_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path.resolve() in seen:
        raise RulePackError(f"规则包文件“{path}”的 extends 形成了循环。")
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise RulePackError(f"规则包文件“{path}”中的键“extends”应为规则包名称或路径。")
    if "/" in parent or "\\" in parent or parent.endswith(".toml"):
        parent_path = path.parent / parent
    else:
        parent_path = _resolve(parent)
    return merge_tables(_load_raw(parent_path, seen + (path.resolve(),)), data)


class _Reader:
    """Typed access to the merged TOML with Chinese errors naming the file and the dotted key."""

    def __init__(self, data: dict[str, Any], path: Path):
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def error(self, key: str, why: str) -> RulePackError:
        return RulePackError(f"规则包文件“{self.path}”中的键“{key}”{why}。")

    def get(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise self.error(key, "缺失")
            node = node[part]
        self.used.add(key)
        return node

    def text(self, key: str, choices: tuple[str, ...] | None = None) -> str:
        value = self.get(key)
        if not isinstance(value, str) or (choices and value not in choices):
            allowed = f"，可选值：{'、'.join(choices)}" if choices else ""
            raise self.error(key, f"的值“{value}”无效{allowed}")
        return value

    def number(self, key: str, value: Any = None, *, optional: bool = False) -> Decimal | None:
        value = self.get(key) if value is None else value
        if optional and value == "":
            return None
        number = to_decimal(value) if not isinstance(value, float) else None
        if number is None or number < 0:
            raise self.error(key, f"的值“{value}”不是非负数（请写成带引号的数字，如 \"0.05\"）")
        return number

    def percent(self, key: str, value: Any = None, *, optional: bool = False) -> Decimal | None:
        number = self.number(key, value, optional=optional)
        return None if number is None else number / HUNDRED

    def items(self, key: str) -> list[dict[str, Any]]:
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "应为表格数组")
        return value

    def strings(self, key: str, value: Any = None) -> tuple[str, ...]:
        value = self.get(key) if value is None else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "应为字符串列表")
        return tuple(value)


KNOWN_KEYS = {
    "name", "title",
    "budget.weight", "budget.rate_percent_places", "budget.low_rate_percent", "budget.explanation_keywords",
    "indicators.reverse_formula", "indicators.deadline_formula", "indicators.strict_formula",
    "indicators.over_achievement_factor",
    "bare_defaults.default", "bare_defaults.by_level2",
    "qualitative.match_order", "qualitative.bands", "qualitative.top_percent",
    "qualitative.middle_percent", "qualitative.negations", "qualitative.negated_partial",
    "qualitative.negated_adverbs", "qualitative.none_happened",
    "five_grade",
    "grades.levels",
    "tolerances.score", "tolerances.total", "tolerances.rate_points", "tolerances.money",
    "level1_weights.standard",
    "scores.places",
    "platform.deviation_percent", "platform.deviation_penalty", "platform.execution_caps",
}


def _check_unknown_keys(data: dict[str, Any], path: Path) -> None:
    tables = {k.split(".")[0] for k in KNOWN_KEYS}
    for key, value in data.items():
        if key not in tables:
            raise RulePackError(f"规则包文件“{path}”中的键“{key}”不是已知的规则项。")
        if isinstance(value, dict) and key != "five_grade":
            for sub in value:
                if f"{key}.{sub}" not in KNOWN_KEYS:
                    raise RulePackError(f"规则包文件“{path}”中的键“{key}.{sub}”不是已知的规则项。")


def _bands(r: _Reader) -> tuple[Band, ...]:
    bands = []
    for i, item in enumerate(r.items("qualitative.bands")):
        key = f"qualitative.bands[{i}]"
        try:
            bands.append(Band(str(item["name"]), str(item.get("label", item["name"])),
                              r.percent(f"{key}.low", item["low"]), r.percent(f"{key}.high", item["high"]),
                              r.strings(f"{key}.keywords", item["keywords"])))
        except KeyError as exc:
            raise r.error(f"{key}.{exc.args[0]}", "缺失") from None
    bands.sort(key=lambda b: b.low, reverse=True)
    if len(bands) < 1 or any(b.low > b.high for b in bands):
        raise r.error("qualitative.bands", "的区间无效")
    return tuple(bands)


NONE_HAPPENED_KEYS = ("prefixes", "qualifiers", "events")


def _none_happened(r: _Reader) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """``[qualitative.none_happened]``: prefixes and events (lists of words), qualifiers (may be [])."""
    key = "qualitative.none_happened"
    table = r.get(key)
    if not isinstance(table, dict):
        raise r.error(key, "应为表（prefixes、qualifiers、events）")
    for sub in table:
        if sub not in NONE_HAPPENED_KEYS:
            raise r.error(f"{key}.{sub}", "不是已知的规则项")
    return (r.strings(f"{key}.prefixes"), _maybe_empty(r, f"{key}.qualifiers"),
            r.strings(f"{key}.events"))


def _pairs(r: _Reader, key: str, left: str, right: str, conv) -> list[tuple[Any, Any]]:
    out = []
    for i, item in enumerate(r.items(key)):
        if left not in item or right not in item:
            missing = left if left not in item else right
            raise r.error(f"{key}[{i}].{missing}", "缺失")
        out.append((item[left], conv(f"{key}[{i}].{right}", item[right])))
    return out


def _maybe_empty(r: _Reader, key: str) -> tuple[str, ...]:
    """A list of words that may be empty (``[]``: the rule is off)."""
    value = r.get(key)
    return () if value == [] else r.strings(key, value)


def _small_int(r: _Reader, key: str) -> int:
    value = r.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 6:
        raise r.error(key, f"的值“{value}”不是 0–6 的整数")
    return value


def _build(data: dict[str, Any], path: Path) -> RulePack:
    _check_unknown_keys(data, path)
    r = _Reader(data, path)
    five = r.get("five_grade")
    if not isinstance(five, dict) or not five:
        raise r.error("five_grade", "应为“等级 = 百分比”的表")
    places = _small_int(r, "scores.places")

    def op(key: str, value: Any) -> str:
        if value not in OPERATORS:
            raise r.error(key, f"的值“{value}”不是运算符（{' '.join(OPERATORS)}）")
        return value

    bare = _pairs(r, "bare_defaults.by_level2", "keyword", "op", op)
    measures = []
    for i, item in enumerate(r.items("bare_defaults.by_level2")):
        kind = item.get("measures", "any")
        if kind not in ("any", "time"):
            raise r.error(f"bare_defaults.by_level2[{i}].measures", f"的值“{kind}”应为 any 或 time")
        measures.append(kind)
    grades = _pairs(r, "grades.levels", "name", "min", r.number)
    caps = [(r.percent(f"platform.execution_caps[{i}].below_percent", item.get("below_percent", "x")),
             r.number(f"platform.execution_caps[{i}].max_total", item.get("max_total", "x")))
            for i, item in enumerate(r.items("platform.execution_caps"))]
    standards = []
    for i, item in enumerate(r.items("level1_weights.standard")):
        key = f"level1_weights.standard[{i}]"
        if "name" not in item or "weight" not in item:
            raise r.error(key, "缺少 name 或 weight")
        standards.append(Level1Standard(str(item["name"]), r.number(f"{key}.weight", item["weight"]),
                                        r.strings(f"{key}.keywords", item.get("keywords", [item["name"]]))))
    return RulePack(
        name=r.text("name"),
        title=r.text("title"),
        path=str(path),
        budget_weight=r.number("budget.weight"),
        rate_places=_small_int(r, "budget.rate_percent_places") + 2,
        low_execution_rate=r.percent("budget.low_rate_percent"),
        explanation_keywords=r.strings("budget.explanation_keywords"),
        reverse_formula=r.text("indicators.reverse_formula", ("ratio", "linear")),
        deadline_formula=r.text("indicators.deadline_formula", ("zero", "proportional")),
        strict_formula=r.text("indicators.strict_formula", ("all_or_nothing",)),
        over_achievement_factor=r.number("indicators.over_achievement_factor"),
        bare_default=op("bare_defaults.default", r.get("bare_defaults.default")),
        bare_by_level2=tuple((str(k), v, m) for (k, v), m in zip(bare, measures)),
        bands=_bands(r),
        band_match_order=r.strings("qualitative.match_order"),
        band_top_rate=r.percent("qualitative.top_percent"),
        band_middle_rate=r.percent("qualitative.middle_percent"),
        negations=r.strings("qualitative.negations"),
        negated_partial=_maybe_empty(r, "qualitative.negated_partial"),
        negated_adverbs=_maybe_empty(r, "qualitative.negated_adverbs"),
        none_happened=_none_happened(r),
        five_grade=tuple((str(k), r.percent(f"five_grade.{k}", v)) for k, v in five.items()),
        grades=tuple(sorted(((str(n), m) for n, m in grades), key=lambda g: g[1], reverse=True)),
        tol_score=r.number("tolerances.score"),
        tol_total=r.number("tolerances.total"),
        tol_rate=r.percent("tolerances.rate_points"),
        tol_money=r.number("tolerances.money"),
        level1_standard=tuple(standards),
        score_places=places,
        deviation_rate=r.percent("platform.deviation_percent", optional=True),
        deviation_penalty=r.number("platform.deviation_penalty"),
        execution_caps=tuple(caps),
    )


def load_rulepack(path: str | Path | None = None) -> RulePack:
    """Load a rule pack: ``None`` → national; ``"national"``/``"platform_example"`` → built in;
    anything else is a path to a TOML file. Raises :class:`RulePackError` (Chinese message)."""
    resolved = _resolve(path)
    data = _load_raw(resolved)
    pack = _build(data, resolved)
    for name in pack.band_match_order:
        if pack.band(name) is None:
            raise RulePackError(f"规则包文件“{resolved}”中的键“qualitative.match_order”提到未定义的档次“{name}”。")
    return pack
