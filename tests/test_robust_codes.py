"""The finding-code catalogue is complete: every code the package raises is registered in
``xltools.core.codes.CODES`` and documented in ``docs/findings.md``, and every registered code is
raised somewhere. Codes are collected from the source with :mod:`ast`, following helper
functions that pass a code parameter on to ``Finding`` (``_finding("SCORE_MISMATCH", …)``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from xltools.core.codes import CODES, SEVERITY_VARIES
from xltools.core.model import SEVERITY_CN

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "xltools"
DOC = ROOT / "docs" / "findings.md"
CODE_SHAPE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _arg(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _params(fn: ast.FunctionDef) -> list[str]:
    return [a.arg for a in fn.args.posonlyargs + fn.args.args]


def collect(sources: dict[str, str]) -> tuple[dict[str, set], list[str], list[tuple[str, str, str]]]:
    """``(code → {where}, unresolved calls, [(code, literal severity, where)])`` for the modules."""
    trees = {path: ast.parse(text) for path, text in sources.items()}
    # factories: function name → (index, name) of the parameter it passes to Finding as the code
    factories: dict[str, tuple[int, str]] = {"Finding": (0, "code")}
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for fn in ast.walk(tree):
                if not isinstance(fn, ast.FunctionDef) or fn.name in factories:
                    continue
                params = _params(fn)
                for call in ast.walk(fn):
                    if isinstance(call, ast.Call) and _name(call.func) in factories:
                        pos, kw = factories[_name(call.func)]
                        arg = _arg(call, pos, kw)
                        if isinstance(arg, ast.Name) and arg.id in params:
                            factories[fn.name] = (params.index(arg.id), arg.id)
                            changed = True
                            break
    raised: dict[str, set] = {}
    unresolved: list[str] = []
    severities: list[tuple[str, str, str]] = []
    for path, tree in trees.items():
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or _name(call.func) not in factories:
                continue
            pos, kw = factories[_name(call.func)]
            arg = _arg(call, pos, kw)
            where = f"{path}:{call.lineno}"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                raised.setdefault(arg.value, set()).add(where)
                if _name(call.func) == "Finding":
                    sev = _arg(call, 1, "severity")
                    if isinstance(sev, ast.Constant):
                        severities.append((arg.value, sev.value, where))
                continue
            node = call
            while node in parents and not isinstance(node, ast.FunctionDef):
                node = parents[node]
            inside_factory = isinstance(node, ast.FunctionDef) and node.name in factories
            copied = isinstance(arg, ast.Attribute) and arg.attr == "code"  # Finding(f.code, …)
            if not (inside_factory or copied):
                unresolved.append(where)
    return raised, unresolved, severities


@pytest.fixture(scope="module")
def package():
    return collect({str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
                    for p in sorted(PACKAGE.rglob("*.py"))})


@pytest.fixture(scope="module")
def sections():
    """code → (severity word, title, section text) from the ``### `CODE` 级别 — 标题`` headings."""
    text = DOC.read_text(encoding="utf-8")
    heads = list(re.finditer(r"^### `([A-Z0-9_]+)` (\S+) — (.+)$", text, re.M))
    out = {}
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.end():end].split("\n## ")[0]
        out[m.group(1)] = (m.group(2), m.group(3).strip(), body)
    return out


def test_the_collector_follows_helpers_and_flags_what_it_cannot_read():
    module = '''
def _finding(code, result, message):
    return Finding(code=code, severity="info", message=message)

def flag(result, code):
    return _finding(code, result, "…")

def check(result):
    return [_finding("SCORE_MISMATCH", result, "…"), flag(result, "TOTAL_MISSING"),
            Finding("NO_FORM", "error", "…"), Finding(code="READ_FAILED", severity="error", message="")]

def copy(f):
    return Finding(f.code, f.severity, f.message)

def dynamic(name):
    return Finding(name.upper(), "info", "")
'''
    raised, unresolved, severities = collect({"m.py": module})
    assert set(raised) == {"SCORE_MISMATCH", "TOTAL_MISSING", "NO_FORM", "READ_FAILED"}
    dynamic_line = module.split("\n").index('    return Finding(name.upper(), "info", "")') + 1
    assert unresolved == [f"m.py:{dynamic_line}"]
    assert sorted(s[:2] for s in severities) == [("NO_FORM", "error"), ("READ_FAILED", "error")]


def test_every_raised_code_is_registered_and_documented(package, sections):
    raised, unresolved, _ = package
    assert not unresolved, f"finding codes that are not literal strings: {unresolved}"
    for code in ("ROW_REALIGNED", "LEVEL1_INFERRED", "FORM_INCOMPLETE", "NO_FORM", "READ_FAILED",
                 "SCORE_MISMATCH", "SCORING_FAILED", "CHECK_FAILED"):
        assert code in raised, code  # the collector sees readers, files, pipeline, engine, audit
    for code, where in sorted(raised.items()):
        assert CODE_SHAPE.match(code), (code, where)
        assert code in CODES, f"{code} raised at {sorted(where)} is not in xltools/core/codes.py"
        assert code in sections, f"{code} has no section in docs/findings.md"


def test_every_registered_code_is_raised_somewhere(package):
    raised, _, _ = package
    assert sorted(set(CODES) - set(raised)) == []


def test_literal_severities_match_the_catalogue(package):
    _, _, severities = package
    assert severities  # readers, files and pipeline build Finding with a literal severity
    for code, severity, where in severities:
        if code not in SEVERITY_VARIES:
            assert severity == CODES[code][0], (code, severity, where)
    varying = {code for code, _, _ in severities} & SEVERITY_VARIES
    assert varying <= set(CODES)


def test_doc_sections_match_the_catalogue_and_show_an_example(sections):
    assert set(sections) == set(CODES)
    for code, (severity, title) in CODES.items():
        word, heading, body = sections[code]
        assert (word, heading) == (SEVERITY_CN[severity], title), code
        assert re.search(r"^> \S", body, re.M), f"{code}: no example message in docs/findings.md"


def test_codes_named_in_the_docs_exist():
    """Every finding code that README.md and docs/*.md name in backticks is registered (the
    architecture doc once named a FORM_UNRECOGNISED that never existed). UDF names (``XT_…``)
    and standard-library constants (``ROUND_HALF_UP``, ``O_EXCL``), registry roots
    (``HKEY_CURRENT_USER``) and names the sources define (settings such as ``XLTOOLS_RULES``) have
    the same shape and are not codes; a code that exists only in a doc is what this catches."""
    import decimal
    import os
    import resource

    sources = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                        for folder in ("xltools", "vba_bridge", "wps_addin")
                        for p in (ROOT / folder).rglob("*")
                        if p.is_file() and p.suffix in (".py", ".bas", ".js", ".xml", ".cmd", ".toml")
                        and p.name != "codes.py")

    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    named = {(m.group(1), doc.name) for doc in docs
             for m in re.finditer(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`", doc.read_text(encoding="utf-8"))}
    assert {"NO_FORM", "FORM_INCOMPLETE"} <= {code for code, _ in named}
    unknown = sorted((code, doc) for code, doc in named
                     if code not in CODES and not code.startswith("XT_")
                     and not hasattr(decimal, code) and not hasattr(resource, code)
                     and not hasattr(os, code) and not code.startswith("HKEY_")
                     and not re.search(rf"\b{code}\b", sources))
    assert unknown == []
