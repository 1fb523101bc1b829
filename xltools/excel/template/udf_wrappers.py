"""Generate the VBA wrappers of the xlwings UDFs at build time, so users never import them.

In Excel, xlwings' "Import Functions" writes a module ``xlwings_udfs`` with one VBA function per
Python UDF; it needs "Trust access to the VBA project object model", which offices rarely allow.
We write that module into the template instead, produced by xlwings' *own* generator
(``xlwings.udfs.generate_vba_wrapper``) so the wrapper shape always matches the pinned xlwings.

On Linux ``xlwings.udfs`` cannot be imported (it imports ``pythoncom``, ``pywintypes`` and
``win32com``) and the ``@xw.func`` decorators are pass-throughs. :func:`udf_module_source`
therefore, for the duration of the call only, puts inert stand-ins for those three Windows
modules in ``sys.modules``, binds ``xlwings.func/arg/ret/sub`` to xlwings' real recording
decorators, executes the UDF module afresh, and runs the generator on it; then it restores
everything.

VBA source must be ASCII (code page 1252): a parameter whose name is not an ASCII identifier, or
is a VBA keyword, gets a positional name (``arg1``…); the call passes arguments by position, so
Python is unaffected. A non-ASCII function name is a :class:`UdfWrapperError`.

Example (the wrapper xlwings 0.37.8 writes for ``def XT_GRADE(total)``)::

    Function XT_GRADE(total)
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        XT_GRADE = XLPy.CallUDF("xltools.excel.udfs", "XT_GRADE", Array(total), ThisWorkbook, ...
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import io
import re
import sys
import types
from contextlib import contextmanager

UDF_MODULE_NAME = "xlwings_udfs"
DEFAULT_UDF_MODULE = "xltools.excel.udfs"
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Words VBA reserves (a parameter with one of these names does not compile).
VBA_KEYWORDS = frozenset(w.casefold() for w in """
    And As Boolean ByRef Byte ByVal Call Case Const Currency Date Declare Dim Do Double Each Else
    ElseIf Empty End Enum Eqv Erase Error Event Exit False For Friend Function Get Global GoSub
    GoTo If Imp Implements In Integer Is Let Like Long LongLong LongPtr Loop LSet Me Mod New Next
    Not Nothing Null On Optional Or ParamArray Preserve Private Property Public RaiseEvent ReDim
    Rem Resume Return RSet Select Set Single Static Stop String Sub Then To True Type TypeOf
    Until Variant Wend While With WithEvents Xor
""".split())
_WINDOWS_MODULES = ("pythoncom", "pywintypes", "win32com", "win32com.client")


class UdfWrapperError(Exception):
    """The UDF module cannot be turned into VBA wrappers; ``str`` is one Chinese line."""


def vba_safe_name(name: str, position: int) -> str:
    """An ASCII VBA parameter name for a Python parameter.

    >>> vba_safe_name("budget", 0), vba_safe_name("预算数", 0), vba_safe_name("type", 2)
    ('budget', 'arg1', 'arg3')
    """
    if _IDENT.match(name) and name.casefold() not in VBA_KEYWORDS:
        return name
    return f"arg{position + 1}"


@contextmanager
def _recording_decorators():
    """Import ``xlwings.udfs`` (with Windows stand-ins where needed) and bind its decorators."""
    import xlwings

    added: list[str] = []
    for name in _WINDOWS_MODULES:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
            continue
        except Exception:
            pass
        stub = types.ModuleType(name)
        stub.CoInitialize = lambda *a, **k: None  # type: ignore[attr-defined]
        stub.com_error = type("com_error", (Exception,), {})  # type: ignore[attr-defined]
        stub.Dispatch = lambda *a, **k: None  # type: ignore[attr-defined]
        stub.client = stub  # type: ignore[attr-defined]
        sys.modules[name] = stub
        added.append(name)
    had_udfs = "xlwings.udfs" in sys.modules
    saved = {k: getattr(xlwings, k) for k in ("func", "arg", "ret", "sub") if hasattr(xlwings, k)}
    try:
        try:
            xu = importlib.import_module("xlwings.udfs")
        except Exception as exc:  # pragma: no cover - depends on the installed xlwings
            raise UdfWrapperError(f"无法加载 xlwings 的 UDF 生成器（{type(exc).__name__}: {exc}）。") from exc
        xlwings.func, xlwings.arg, xlwings.ret, xlwings.sub = xu.xlfunc, xu.xlarg, xu.xlret, xu.xlsub
        yield xu
    finally:
        for k in ("func", "arg", "ret", "sub"):
            if k in saved:
                setattr(xlwings, k, saved[k])
        if not had_udfs:
            sys.modules.pop("xlwings.udfs", None)
            if hasattr(xlwings, "udfs") and added:
                delattr(xlwings, "udfs")
        for name in added:
            sys.modules.pop(name, None)


def _fresh_module(module_name: str) -> types.ModuleType:
    """Execute ``module_name`` anew (decorators are the recording ones now)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.loader is None:
        raise UdfWrapperError(f"找不到 UDF 模块 {module_name}。")
    module = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(module_name)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise UdfWrapperError(f"UDF 模块 {module_name} 无法加载（{type(exc).__name__}: {exc}）。") from exc
    finally:
        if previous is not None:
            sys.modules[module_name] = previous
        else:
            sys.modules.pop(module_name, None)
    return module


def udf_functions(module: types.ModuleType) -> list[dict]:
    """The ``__xlfunc__`` records of a module's UDFs, sorted by name, with ASCII parameter names."""
    found = []
    for attr in sorted(dir(module)):
        xlfunc = getattr(getattr(module, attr), "__xlfunc__", None)
        if xlfunc is None:
            continue
        record = copy.deepcopy(xlfunc)
        if not _IDENT.match(record["name"]):
            raise UdfWrapperError(f"UDF 函数名必须是英文标识符：{record['name']}")
        for pos, arg in enumerate(record["args"]):
            arg["name"] = vba_safe_name(arg["name"], pos)
        found.append(record)
    return found


FUNCTION_CATEGORY = "绩效自评"


def _chinese_errors(text: str, records: list[dict]) -> str:
    """``X = Err.Description`` (xlwings' English, e.g. when Python cannot be started) becomes
    ``X = XT_UdfError(Err.Description)``: a Chinese cell text saying what to do."""
    for record in records:
        name = record["name"]
        old = f"    {name} = Err.Description\n"
        if old not in text:
            raise UdfWrapperError(f"xlwings 生成的 {name} 包装代码形状不同，xlwings 版本不兼容。")
        text = text.replace(old, f"    {name} = XT_UdfError(Err.Description)\n")
    return text


def _doc_text(text: str | None, limit: int = 250) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def register_functions_source(records: list[dict]) -> str:
    """``Sub XT_RegisterFunctions``: Chinese help for the function wizard (Application.MacroOptions).

    Run from the ribbon's onLoad; qualified with the workbook's name so the add-in and the
    template each describe their own functions.
    """
    from .sources import vba_chinese

    lines = ["' Chinese help in the Insert Function dialog (Excel 2010+); run by XT_RibbonLoaded.",
             "Public Sub XT_RegisterFunctions()",
             "    On Error Resume Next"]
    for record in sorted(records, key=lambda r: r["name"]):
        description = _doc_text(record.get("ret", {}).get("doc"))
        args = ", ".join(vba_chinese(_doc_text(a.get("doc") or a["name"])) for a in record["args"])
        lines.append(f"    Application.MacroOptions Macro:=\"'\" & ThisWorkbook.Name & \"'!{record['name']}\", _")
        lines.append(f"        Description:={vba_chinese(description)}, _")
        lines.append(f"        Category:={vba_chinese(FUNCTION_CATEGORY)}, _")
        lines.append(f"        ArgumentDescriptions:=Array({args})")
    lines.append("End Sub")
    return "\n".join(lines) + "\n"


def udf_records(module_name: str = DEFAULT_UDF_MODULE) -> tuple[types.ModuleType, list[dict]]:
    """The UDF module imported afresh under xlwings' recording decorators, and its
    ``__xlfunc__`` records (:func:`udf_functions`): what the 说明 sheet lists."""
    with _recording_decorators():
        module = _fresh_module(module_name)
        return module, udf_functions(module)


def udf_module_source(module_name: str = DEFAULT_UDF_MODULE, *, addin: bool = False) -> str:
    """The complete ``xlwings_udfs`` module (CRLF line ends, ASCII) for ``module_name``.

    ``addin=True`` writes the add-in variant (the UDFs run against ``ActiveWorkbook``).
    """
    with _recording_decorators() as xu:
        module = _fresh_module(module_name)
        records = udf_functions(module)
        if not records:
            raise UdfWrapperError(f"UDF 模块 {module_name} 中没有 @xw.func 函数。")
        proxy = types.SimpleNamespace(**{r["name"]: types.SimpleNamespace(__xlfunc__=r) for r in records})
        out = io.StringIO()
        book = types.SimpleNamespace(Name="xltools.xlam" if addin else "xltools.xlsm")
        xu.generate_vba_wrapper(module_name, proxy, out, book)
    import xlwings

    lines = [
        f'Attribute VB_Name = "{UDF_MODULE_NAME}"',
        f"'Generated by 'xltools template build' from {module_name} with xlwings {xlwings.__version__}"
        " generate_vba_wrapper - do not edit.",
        "#Const App = \"Microsoft Excel\" 'Adjust when using outside of Excel",
    ]
    text = "\n".join(lines) + "\n" + out.getvalue()
    text = text.replace("\r\n", "\n").rstrip("\n") + "\n"
    text = _chinese_errors(text, records) + "\n" + register_functions_source(records)
    try:
        text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise UdfWrapperError("生成的 UDF 包装代码含非 ASCII 字符。") from exc
    return text.replace("\n", "\r\n")
