"""Check results as the ``xltools check --json`` document (also used by ``consolidate --json``).

The JSON shape (numbers are strings, so no precision is lost)::

    {"forms": [{"source": {"file", "sheet", "cell"}, "project", "department", "year",
                "funds": {"budget", "executed", "execution_rate", "weight", "score",
                          "reported_score"},
                "indicators": [{"level1", "level2", "name", "target", "actual", "weight",
                                "reported_score", "score", "met", "rule", "cell"}],
                "reported_total", "total", "grade"}],
     "findings": [{"code", "severity", "project", "indicator", "location", "message",
                   "expected", "reported"}]}

``execution_rate`` is a fraction with four decimals (``"0.7595"`` for 75.95 %); ``met`` is
``true``/``false``/``null`` (null for qualitative or not-applicable rows); ``location`` is
``{"file", "sheet", "cell"}`` or ``null``; missing numbers are ``null``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from ..core.decimals import fmt
from ..core.model import SEVERITY_CN, Finding, FormResult, Source


def _num(value: Decimal | None, places: int = 2) -> str | None:
    return None if value is None else fmt(value, places)


def _source(source: Source | None) -> dict | None:
    if source is None:
        return None
    return {"file": source.file, "sheet": source.sheet, "cell": source.cell}


def form_to_json(result: FormResult) -> dict:
    """One form's block of the JSON document."""
    form = result.form
    funds = result.funds
    return {
        "source": _source(form.source),
        "project": form.project.text,
        "department": form.department.text,
        "year": form.year.text,
        "funds": {
            "budget": _num(funds.budget, 6),
            "executed": _num(funds.executed, 6),
            "execution_rate": _num(funds.execution_rate, 4),
            "weight": _num(funds.weight),
            "score": _num(funds.score),
            "reported_score": _num(funds.reported_score),
        },
        "indicators": [
            {
                "level1": ir.indicator.level1,
                "level2": ir.indicator.level2,
                "name": ir.indicator.name,
                "target": ir.indicator.target.text,
                "actual": ir.indicator.actual.text,
                "weight": _num(ir.weight),
                "reported_score": _num(ir.reported_score),
                "score": _num(ir.score),
                "met": ir.met,
                "rule": ir.rule,
                "cell": ir.indicator.source.cell if ir.indicator.source else None,
            }
            for ir in result.indicators
        ],
        "reported_total": _num(result.reported_total),
        "total": _num(result.total),
        "grade": result.grade,
    }


def finding_to_json(finding: Finding) -> dict:
    return {
        "code": finding.code,
        "severity": finding.severity,
        "project": finding.project,
        "indicator": finding.indicator,
        "location": _source(finding.location),
        "message": finding.message,
        "expected": finding.expected,
        "reported": finding.reported,
    }


def to_json(results: Iterable[FormResult], findings: Iterable[Finding]) -> dict:
    """The whole ``check --json`` document."""
    return {
        "forms": [form_to_json(r) for r in results],
        "findings": [finding_to_json(f) for f in findings],
    }


_STRING = json.encoder.encode_basestring  # the C encoder of ensure_ascii=False strings
_SCALARS = {None: "null", True: "true", False: "false"}


def _indented(obj, indent: str) -> str:
    """``obj`` as ``json.dumps(obj, ensure_ascii=False, indent=2)`` writes it at ``indent``
    (several times faster: json's indenting encoder is pure Python)."""
    if isinstance(obj, str):
        return _STRING(obj)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        inner = indent + "  "
        return ("{\n" + ",\n".join(f"{inner}{_STRING(k)}: {_indented(v, inner)}" for k, v in obj.items())
                + "\n" + indent + "}")
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _indented(v, inner) for v in obj) + "\n" + indent + "]"
    if obj is None or obj is True or obj is False:
        return _SCALARS[obj]
    return json.dumps(obj, ensure_ascii=False)


def nested_text(item: dict) -> str:
    """``item`` as ``json.dump(doc, indent=2, ensure_ascii=False)`` writes it as an element of
    ``doc["forms"]`` or ``doc["findings"]`` (two levels down). Workers make these pieces, so the
    main process only joins strings (:func:`document_text`).

    >>> doc = {"a": [1, None, {"b": "“中”\\n", "c": []}], "d": {}}
    >>> nested_text(doc) == json.dumps(doc, ensure_ascii=False, indent=2).replace("\\n", "\\n    ")
    True
    """
    return _indented(item, "    ")


def document_parts(forms: Iterable[str], findings: Iterable[str] | Callable[[], Iterable[str]]
                   ) -> Iterator[str]:
    """The document from :func:`nested_text` pieces, as strings to write one after another:
    each form is passed on as it comes (nothing held), and ``findings`` (or, when callable, what
    it returns) is taken only after the last form. Joined, byte for byte what
    ``json.dumps(to_json(...), ensure_ascii=False, indent=2) + "\\n"`` gives."""
    yield '{\n  "forms": ['
    n = 0
    for n, piece in enumerate(forms, 1):
        yield ("\n    " if n == 1 else ",\n    ") + piece
    yield "\n  ]" if n else "]"
    yield ',\n  "findings": ['
    n = 0
    for n, piece in enumerate(findings() if callable(findings) else findings, 1):
        yield ("\n    " if n == 1 else ",\n    ") + piece
    yield "\n  ]" if n else "]"
    yield "\n}\n"


def document_text(forms: Iterable[str], findings: Iterable[str]) -> str:
    """:func:`document_parts` joined."""
    return "".join(document_parts(forms, findings))
