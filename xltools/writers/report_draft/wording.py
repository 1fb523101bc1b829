"""The wording of the 绩效自评报告 draft: sentence templates kept as data (``wording.toml``).

A department copies the file, keeps the sentences it wants to change and writes
``extends = "default"`` on top, as with rule packs. Each template may use only the fields its
sentence is given (:data:`FIELDS`) and ``{owed.xxx}``, a highlighted reminder from ``[owed]``;
a wrong field name is reported, in Chinese, with the file and the sentence.

A filled template is a list of runs ``(text, owed)``: ``owed`` runs are what the writer still has
to supply (highlighted in the document). A value of ``None`` becomes the ``[owed]`` reminder for
that field (``reason`` → ``（请补充偏差原因）``, any other → ``（表中未填写）``).

Example::

    >>> w = load_wording()
    >>> w.runs("sentences", "problems_execution", project="宣传经费", rate="50.00%",
    ...        threshold="90.00%", reason=None)
    [('宣传经费执行率为50.00%，低于90.00%。原因：', False), ('（请补充偏差原因）', True)]
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ...core.rulepack import merge_tables

Run = tuple[str, bool]

# The fields each template is given (besides {owed.*}).
FIELDS: dict[str, dict[str, frozenset[str]]] = {
    "": {"title": frozenset({"department", "year"})},
    "headings": {
        "problems_execution": frozenset({"n"}),
        "problems_targets": frozenset({"n"}),
        "problems_audit": frozenset({"n"}),
    },
    "sentences": {
        "basic": frozenset({"department", "year", "projects", "budget", "executed", "rate"}),
        "basic_files": frozenset({"files", "forms"}),
        "basic_unreadable": frozenset({"unreadable"}),
        "basic_duplicates": frozenset({"duplicates"}),
        "goals_overall": frozenset({"indicators", "met", "missed", "unjudged"}),
        "project": frozenset({"index", "project", "department", "budget", "executed", "rate",
                              "reported_total", "total", "grade"}),
        "project_all_met": frozenset(),
        "project_shortfalls": frozenset({"count"}),
        "shortfall_missed": frozenset({"name", "level1", "target", "actual", "share", "weight",
                                       "reported_score", "score", "reason"}),
        "shortfall_deducted": frozenset({"name", "level1", "target", "actual", "share", "weight",
                                         "reported_score", "score", "reason"}),
        "share": frozenset({"share"}),
        "results_grades": frozenset({"grades", "mean", "weighted", "projects"}),
        "grade_item": frozenset({"grade", "count"}),
        "grade_separator": frozenset(),
        "results_changed": frozenset({"count"}),
        "chart_caption": frozenset(),
        "problems_execution": frozenset({"project", "rate", "threshold", "reason"}),
        "problems_execution_none": frozenset({"threshold"}),
        "problems_targets": frozenset({"count", "projects", "names"}),
        "problems_targets_separator": frozenset(),
        "problems_targets_item": frozenset({"project", "name"}),
        "problems_audit": frozenset({"count"}),
        "problems_audit_item": frozenset({"subject", "project", "indicator", "message", "location",
                                          "code"}),
        "problems_audit_none": frozenset(),
        "measures_intro": frozenset(),
        "measures_item": frozenset({"project", "text"}),
        "measures_none": frozenset(),
        "measures_use": frozenset(),
    },
}
PLAIN_HEADINGS = ("basic", "goals", "goals_overall", "goals_projects", "results", "problems",
                  "measures", "appendix")
TABLES = {"level1_headers": 5, "grade_headers": 3, "total_label": 0}
OWED_FOR = {"reason": "reason", "department": "department", "year": "year"}


class WordingError(ValueError):
    """A wording file that cannot be used; ``args[0]`` is one Chinese sentence naming the file."""


@dataclass(frozen=True)
class Wording:
    data: dict
    path: str

    def template(self, table: str, key: str) -> str:
        return self.data[key] if not table else self.data[table][key]

    def text(self, table: str, key: str, **values) -> str:
        """The filled template as plain text (owed reminders included)."""
        return "".join(t for t, _ in self.runs(table, key, **values))

    def runs(self, table: str, key: str, **values) -> list[Run]:
        out: list[Run] = []
        for literal, field, spec, _conv in string.Formatter().parse(self.template(table, key)):
            if literal:
                _add(out, literal, False)
            if field is None:
                continue
            if field.startswith("owed."):
                _add(out, self.data["owed"][field[5:]], True)
                continue
            value = values.get(field)
            if value is None:
                _add(out, self.data["owed"][OWED_FOR.get(field, "value")], True)
            elif isinstance(value, list):  # already runs
                for text, owed in value:
                    _add(out, text, owed)
            else:
                _add(out, format(value, spec) if spec else str(value), False)
        return out

    @property
    def tables(self) -> dict:
        return self.data["tables"]


def _add(out: list[Run], text: str, owed: bool) -> None:
    if not text:
        return
    if out and out[-1][1] == owed:
        out[-1] = (out[-1][0] + text, owed)
    else:
        out.append((text, owed))


def _default_text() -> str:
    return resources.files("xltools.writers.report_draft").joinpath("wording.toml").read_text("utf-8")


def default_wording_text() -> str:
    """The shipped wording file, for copying (``xltools report --show-wording``)."""
    return _default_text()


def _parse(text: str, name: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        where = (f"第 {found.group(1)} 行" if found else
                 "文件末尾" if "end of document" in str(exc) else "某处")
        raise WordingError(f"措辞文件 {name} 的格式有误（{where}），请按 TOML 格式检查引号、等号和方括号。") from None


def load_wording(path: str | Path | None = None) -> Wording:
    """The shipped wording, or ``path`` (which may ``extends = "default"``), checked."""
    data = _parse(_default_text(), "wording.toml")
    name = "默认措辞"
    if path is not None:
        p = Path(path)
        name = p.name
        try:
            text = p.read_text("utf-8-sig")
        except FileNotFoundError:
            raise WordingError(f"找不到措辞文件 {p}。") from None
        except UnicodeDecodeError:
            raise WordingError(f"措辞文件 {name} 不是 UTF-8 编码的文本，请另存为 UTF-8。") from None
        except OSError as exc:
            raise WordingError(f"无法读取措辞文件 {name}（{exc.strerror or '系统错误'}）。") from None
        over = _parse(text, name)
        base = over.pop("extends", None)
        if base not in (None, "default"):
            raise WordingError(f"措辞文件 {name}：extends 只能是 \"default\"，不能是 {base!r}。")
        data = over if base is None else merge_tables(data, over)
    _check(data, name)
    return Wording(data, str(path or ""))


def _check(data: dict, name: str) -> None:
    owed = data.get("owed")
    if not isinstance(owed, dict) or not all(isinstance(v, str) for v in owed.values()):
        raise WordingError(f"措辞文件 {name} 缺少 [owed] 表或其中有非文字的项。")
    for key in (*OWED_FOR.values(), "value", "measures"):
        if key not in owed:
            raise WordingError(f"措辞文件 {name} 的 [owed] 表缺少“{key}”。")
    fields = dict(FIELDS)
    fields["headings"] = {**{k: frozenset() for k in PLAIN_HEADINGS}, **FIELDS["headings"]}
    for table, keys in fields.items():
        section = data if not table else data.get(table)
        label = f"[{table}] " if table else ""
        if not isinstance(section, dict):
            raise WordingError(f"措辞文件 {name} 缺少 [{table}] 表。")
        for key, allowed in keys.items():
            template = section.get(key)
            if not isinstance(template, str):
                raise WordingError(f"措辞文件 {name} 缺少句子 {label}{key}（应为一段文字）。")
            try:
                parsed = list(string.Formatter().parse(template))
            except ValueError:
                raise WordingError(f"措辞文件 {name} 的句子 {label}{key} 中花括号不成对；"
                                   "要写花括号本身请写成 {{ 或 }}。") from None
            for _lit, field, _spec, _conv in parsed:
                if field is None:
                    continue
                if field.startswith("owed.") and field[5:] in owed:
                    continue
                if field not in allowed:
                    names = "、".join("{" + f + "}" for f in sorted(allowed)) or "（无）"
                    raise WordingError(f"措辞文件 {name} 的句子 {label}{key} 使用了未知的名称 "
                                       f"{{{field}}}；这句可以使用：{names}。")
        if table:
            unknown = sorted(set(section) - set(keys))
            if unknown:
                raise WordingError(f"措辞文件 {name} 的 [{table}] 表中有未知的句子："
                                   f"{'、'.join(unknown)}（可能是名称拼错了）。")
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise WordingError(f"措辞文件 {name} 缺少 [tables] 表。")
    for key, n in TABLES.items():
        value = tables.get(key)
        ok = (isinstance(value, str) if n == 0 else
              isinstance(value, list) and len(value) == n and all(isinstance(v, str) for v in value))
        if not ok:
            what = "一段文字" if n == 0 else f"{n} 个列标题组成的列表"
            raise WordingError(f"措辞文件 {name} 的 [tables] {key} 应为{what}。")
