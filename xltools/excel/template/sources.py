"""The text sources of the workbooks: our VBA and ribbon in ``vba_bridge/``, xlwings' VBA modules.

VBA goes into the project as CRLF text and must be ASCII (the project code page is 1252):
:func:`vba_text` enforces both. xlwings' modules are taken from the *installed* (pinned) xlwings
package at build time, never copied into the repository:

Both get :data:`CONFIG_HOOK` at the top of their ``GetConfig``: the one user config
(``%LOCALAPPDATA%\\xltools\\xltools.conf``, read by ``XltoolsRibbon``) answers first, so the
interpreter cannot come from a sheet or another file.

- ``xlwings.bas`` — the standalone module for a workbook (``RunPython`` with ``ThisWorkbook``);
- ``xlwings_custom_addin.bas`` — the custom add-in variant (``ActiveWorkbook``), whose
  ``PROJECT_NAME`` we set to ``xltools`` so its config sheet is ``xltools.conf`` and its user
  config file ``%USERPROFILE%\\.xltools\\xltools.conf``.

>>> vba_text("Sub A()\\nEnd Sub\\n", "A.bas")
'Sub A()\\r\\nEnd Sub\\r\\n'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
VBA_BRIDGE = REPO_ROOT / "vba_bridge"
ADDIN_PROJECT_NAME = "xltools"
_PROJECT_NAME_LINE = re.compile(r'^(Public Const PROJECT_NAME As String = )"[^"]*"', re.M)
_VB_NAME = re.compile(r'^Attribute VB_Name = "([^"]+)"', re.M)
_GETCONFIG = re.compile(r'^(Function GetConfig\(configKey As String, [^\r\n]*\) As Variant\r\n)', re.M)
#: Put in front of xlwings' GetConfig: the one user config wins over every other layer.
CONFIG_HOOK = ("    ' xltools: the one user config (XltoolsRibbon.XT_Setting) comes first\r\n"
               "    If XT_HasSetting(configKey) Then\r\n"
               "        GetConfig = XT_Setting(configKey)\r\n"
               "        Exit Function\r\n"
               "    End If\r\n")
_VERSION_LINE = re.compile(r'^(Public Const XT_VERSION As String = )"[^"]*"', re.M)


class SourceError(Exception):
    """A source file is missing or unusable; ``str`` is one Chinese line."""


@dataclass(frozen=True)
class VbaModule:
    """One standard module: its VBA name and its full source (CRLF, ASCII, with VB_Name)."""

    name: str
    source: str


def vba_text(text: str, label: str) -> str:
    """Normalise line ends to CRLF and refuse anything that is not ASCII."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if not line.isascii()]
    if bad:
        n, line = bad[0]
        raise SourceError(f"VBA 源文件 {label} 第 {n} 行含非 ASCII 字符（VBA 代码页为 1252，中文会变成 ????）：{line.strip()[:40]}")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def vba_chinese(text: str) -> str:
    """A VBA expression for any text, in ASCII: ``XT_U("…")`` with ``\\uXXXX`` escapes, which
    ``XltoolsRibbon.XT_U`` decodes at run time.

    >>> vba_chinese("绩效 A")
    'XT_U("\\u7EE9\\u6548 A")'
    """
    body = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else f"\\u{ord(ch):04X}" for ch in text)
    return f'XT_U("{body}")'


def decode_vba_chinese(literal: str) -> str:
    """The text a ``\\uXXXX``-escaped VBA string stands for (what ``XT_U`` returns).

    >>> decode_vba_chinese("\\u7EE9\\u6548 A")
    '绩效 A'
    """
    return re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), literal)


def module_from_text(text: str, label: str) -> VbaModule:
    source = vba_text(text, label)
    found = _VB_NAME.search(source.split("\r\n", 1)[0])
    if not found:
        raise SourceError(f"VBA 源文件 {label} 的第一行必须是 Attribute VB_Name = \"…\"。")
    return VbaModule(found.group(1), source)


def bridge_dir(path: Path | None = None) -> Path:
    folder = Path(path) if path is not None else VBA_BRIDGE
    if not folder.is_dir():
        raise SourceError(f"找不到 VBA 源文件夹 {folder}（模板只能在 xltools 源代码目录中生成）。")
    return folder


def bridge_module(name: str, folder: Path | None = None) -> VbaModule:
    """A module of ``vba_bridge/``; ``XT_VERSION`` is set to the package's version."""
    from ... import __version__

    path = bridge_dir(folder) / name
    if not path.is_file():
        raise SourceError(f"找不到 VBA 源文件 {path}。")
    module = module_from_text(path.read_text(encoding="ascii", errors="replace"), path.name)
    return VbaModule(module.name, _VERSION_LINE.sub(rf'\1"{__version__}"', module.source, count=1))


def ribbon_xml(folder: Path | None = None) -> bytes:
    path = bridge_dir(folder) / "customUI14.xml"
    if not path.is_file():
        raise SourceError(f"找不到功能区定义 {path}。")
    return path.read_bytes()


def xlwings_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).resolve().parent


def xlwings_module(*, addin: bool) -> VbaModule:
    """xlwings' VBA module from the installed package (the add-in variant with our project name)."""
    name = "xlwings_custom_addin.bas" if addin else "xlwings.bas"
    path = xlwings_dir() / name
    if not path.is_file():
        raise SourceError(f"已安装的 xlwings 中找不到 {name}。")
    module = module_from_text(path.read_text(encoding="ascii", errors="replace"), name)
    source, count = _GETCONFIG.subn(lambda m: m.group(1) + CONFIG_HOOK, module.source, count=1)
    if count != 1:
        raise SourceError(f"{name} 中找不到 GetConfig 函数，xlwings 版本不兼容。")
    module = VbaModule(module.name, source)
    if addin:
        source, count = _PROJECT_NAME_LINE.subn(rf'\1"{ADDIN_PROJECT_NAME}"', module.source, count=1)
        if count != 1:
            raise SourceError(f"{name} 中找不到 PROJECT_NAME 常量，xlwings 版本不兼容。")
        module = VbaModule(module.name, source)
    return module
