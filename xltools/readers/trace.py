"""What the locator decided, for ``xltools inspect``: which cell gave each role, which rows were
taken or skipped and why, and for a sheet without a form the closest candidate.

The locator records into a :class:`SheetTrace` only when it is handed one
(``locate_forms(grid, trace=SheetTrace(...))``); ``check`` and ``consolidate`` pass none, so
recording costs them nothing.

    >>> t = SheetTrace("表1")
    >>> form = t.new_form("A1")
    >>> form.role("项目名称", "A3", "项目名称", "B3", "访惠聚经费")
    >>> form.skip("A20", "其他需要说明事项", "表尾标签：指标表到此结束")
    >>> [r.value for r in form.roles], [s.reason for s in form.skipped]
    (['访惠聚经费'], ['表尾标签：指标表到此结束'])
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RoleCell:
    role: str  # Chinese name of the role (项目名称, 全年预算数 …)
    label_cell: str
    label: str
    value_cell: str
    value: str


@dataclass
class Skipped:
    cell: str
    text: str
    reason: str


@dataclass
class FormTrace:
    start: str
    roles: list[RoleCell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    funds_header: list[RoleCell] = field(default_factory=list)  # label cell → column
    indicator_header: list[RoleCell] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def role(self, role: str, label_cell: str, label: str, value_cell: str, value: str) -> None:
        self.roles.append(RoleCell(role, label_cell, label, value_cell, value))

    def column(self, block: str, role: str, cell: str, label: str, columns: str) -> None:
        target = self.funds_header if block == "funds" else self.indicator_header
        target.append(RoleCell(role, cell, label, columns, ""))

    def skip(self, cell: str, text: str, reason: str) -> None:
        self.skipped.append(Skipped(cell, text, reason))

    def note(self, text: str) -> None:
        self.notes.append(text)


@dataclass
class SheetTrace:
    sheet: str
    forms: list[FormTrace] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    candidate: str = ""  # where the closest thing to a form is, when none was found
    found_parts: list[str] = field(default_factory=list)
    missing_parts: list[str] = field(default_factory=list)

    def new_form(self, start: str) -> FormTrace:
        form = FormTrace(start)
        self.forms.append(form)
        return form

    def note(self, text: str) -> None:
        self.notes.append(text)
