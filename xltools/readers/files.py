"""Files in, forms out: which files to read, guarding against bad files, and reading them.

:func:`read_forms` opens one file read-only (never written, no temporary files next to it),
turns every sheet or Word table into a grid and locates the forms on it. Anything that keeps a
file from being opened raises :class:`ReadError` whose ``reason`` is one Chinese line naming
the file, for example::

    无法读取“a.xlsx”：文件已加密（需要密码），请另存为无密码副本后再试。

A file that opens but holds no form is not an error of the file: it comes back as a
:class:`ReadOutcome` without forms and with a ``NO_FORM`` finding naming every sheet looked at.

Checks happen before any parser sees the bytes: the extension, the size, the magic bytes
(``PK\\x03\\x04`` for .xlsx/.xlsm/.docx, ``D0 CF 11 E0`` for .xls and for Office-encrypted
files, which carry an ``EncryptionInfo`` stream), and for zip files the member sizes from the
central directory (a "zip bomb" declares far more bytes than it stores).
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ..core.model import Finding, Form, Source
from .grid import Grid
from .locate import join_split_tables, locate_forms
from ..core.os_errors import os_reason
from .grid import LimitExceeded
from .zipdir import MemberSizeMismatch, ZipDirectory, member_head, open_zip, verify_sizes

# the number of distinct strings a shared-string table declares (<sst … uniqueCount="…">)
_UNIQUE_COUNT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"'](\d{1,20})")

EXCEL_EXTS = (".xlsx", ".xlsm", ".xls")
WORD_EXTS = (".docx",)
SUPPORTED_EXTS = EXCEL_EXTS + WORD_EXTS
SAVE_AS = {".doc": ".docx", ".wps": ".docx", ".dot": ".docx", ".wpt": ".docx", ".rtf": ".docx",
           ".et": ".xlsx", ".ett": ".xlsx", ".xlsb": ".xlsx", ".ods": ".xlsx", ".csv": ".xlsx",
           ".odt": ".docx", ".dotx": ".docx", ".xltx": ".xlsx", ".xltm": ".xlsm"}
# found in folders: what can be read, and the office formats a form may have been saved in by
# mistake (.doc, .et, .ods…: reported with "另存为 …" instead of being left out in silence)
FOLDER_EXTS = frozenset(SUPPORTED_EXTS) | (frozenset(SAVE_AS) - {".csv"})
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MB = 1024 * 1024
SUMMARY_SHEETS = frozenset({"汇总", "问题清单", "指标明细"})  # the sheets xltools consolidate writes


@dataclass(frozen=True)
class Limits:
    """Guards against oversized input; a member counts for the ratio only above 1 MB."""

    max_file_bytes: int = 100 * MB
    max_uncompressed_bytes: int = 500 * MB
    max_ratio: int = 200
    max_sheet_cells: int = 4_000_000  # rows × columns of one sheet's used range
    max_sheets: int = 1000  # worksheets per workbook
    max_tables: int = 2000  # tables per Word document
    max_table_depth: int = 8  # Word tables nested in tables
    max_cell_chars: int = 32_767  # text of one cell (Excel's own limit); longer is cut
    max_process_bytes: int = 2 * 1024 * MB  # address space of a reading process (RLIMIT_AS)


@dataclass
class ReadOutcome:
    forms: list[Form]
    findings: list[Finding] = field(default_factory=list)


class ReadError(Exception):
    """A file that cannot be opened; ``reason`` is one Chinese line that names the file,
    ``code`` the finding code (READ_FAILED, or FILE_TOO_LARGE for a file over a limit)."""

    def __init__(self, reason: str, code: str = "READ_FAILED"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def iter_input_files(paths: str | os.PathLike | Iterable[str | Path]) -> Iterator[Path]:
    """Files to read: given files as they are, folders searched recursively, no duplicates.

    In folders .xlsx .xlsm .xls .docx files are taken, and the office formats a form may have
    been saved in by mistake (.doc .wps .et .ods .xlsb …: reading them says "另存为 …"); Office
    lock files (``~$a.xlsx``)
    and hidden files or folders (``.name``) are skipped; linked folders are not entered (as
    ``Path.rglob`` does). Each folder's files come sorted by path. A given path that does not
    exist is still yielded, so that reading it reports it. The same file reached twice (given
    and found, or through a link) comes once.
    """
    return map(Path, input_file_names(paths))


def input_file_names(paths: str | os.PathLike | Iterable[str | Path]) -> Iterator[str]:
    """:func:`iter_input_files` as strings (no ``Path`` per file for callers that want text).
    One ``str`` or ``Path`` is one path, never iterated character by character."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    seen: set[str] = set()
    for item in paths:
        text = os.fspath(item)
        if not text:
            continue  # an empty argument (an unset shell variable) names nothing
        if os.path.isdir(text):
            found = _files_under(text, os.path.realpath(text))
            found.sort(key=_posix_key)
        else:
            found = [(text, os.path.realpath(text) if os.path.exists(text) else text)]
        for name, key in found:
            if key not in seen:
                seen.add(key)
                yield name


def _posix_key(item: tuple[str, str]) -> str:
    return item[0].replace(os.sep, "/") if os.sep != "/" else item[0]


def _files_under(folder: str, real_folder: str) -> list[tuple[str, str]]:
    """(path, resolved path) of every file :func:`iter_input_files` takes under ``folder``
    (whose resolved path is ``real_folder``): one ``scandir`` per folder, no ``stat`` per file
    (2,000 files: ≈ 5 ms instead of ≈ 70 ms with ``rglob``, ``is_file`` and ``resolve``)."""
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:  # an unreadable folder: listed, so that reading it reports it
        return [(folder, real_folder)]
    out: list[tuple[str, str]] = []
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue  # hidden file or folder
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_dir:
            out.extend(_files_under(entry.path, os.path.join(real_folder, name)))
            continue
        if name.startswith("~$") or os.path.splitext(name)[1].lower() not in FOLDER_EXTS:
            continue
        try:
            link = entry.is_symlink()
            if not entry.is_file():  # follows a link: a link to a file counts, to a folder not
                if not (link and not os.path.isdir(entry.path)):
                    continue  # a broken link or a link loop is listed: reading it says why
                out.append((entry.path, entry.path))
                continue
        except OSError:  # a link that cannot be followed: listed, reading it says why
            out.append((entry.path, entry.path))
            continue
        out.append((entry.path, os.path.realpath(entry.path) if link else
                    os.path.join(real_folder, name)))
    return out


def displayable(text: str) -> str:
    """A path as people should see it: a name whose bytes are not UTF-8 (Python keeps them as
    surrogates; a zip made on Chinese Windows and unpacked here leaves GBK names) is decoded as
    GB18030, so it can be printed and written into a workbook.

    >>> import os
    >>> displayable("自评表.xlsx"), displayable(os.fsdecode("自评表".encode("gbk") + b".xlsx"))
    ('自评表.xlsx', '自评表.xlsx')
    """
    if text.isascii() or not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return os.sep.join(  # each part on its own: a UTF-8 folder may hold a GBK-named file
        part.encode("utf-8", "surrogateescape").decode("gb18030", "replace")
        if any("\udc80" <= ch <= "\udcff" for ch in part) else part
        for part in text.split(os.sep))


def megabytes(size: int) -> str:
    """``size`` bytes in MB to three significant digits, without trailing zeros.

    >>> megabytes(100 * MB), megabytes(10486), megabytes(int(1.5 * MB)), megabytes(20_000)
    ('100', '0.01', '1.5', '0.0191')
    """
    from decimal import ROUND_HALF_UP, Decimal

    value = Decimal(size) / MB
    if not value:
        return "0"
    step = Decimal(1).scaleb(min(0, value.adjusted() - 2))
    return format(value.quantize(step, ROUND_HALF_UP).normalize(), "f")


def _fail(name: str, why: str, code: str = "READ_FAILED") -> ReadError:
    return ReadError(f"无法读取“{name}”：{why}", code)


ENCRYPTED = "文件已加密（需要密码），请另存为无密码的副本后再试。"


def check_file(path: Path, limits: Limits = Limits(), name: str | None = None) -> str:
    """Raise :class:`ReadError` unless ``path`` looks like a readable file; return its kind.

    The kind is ``excel`` or ``word``. The file is read once; for zip files only the central
    directory is looked at.
    """
    kind, _, archive = _open_checked(path, limits, name or path.name)
    if archive is not None:
        archive.close()
    return kind


def _open_checked(path: Path, limits: Limits, name: str
                  ) -> tuple[str, bytes | None, "ZipDirectory | zipfile.ZipFile | None"]:
    """:func:`check_file`, keeping what it read for the parser: ``(kind, data, archive)``.

    For a zip file ``data`` is the whole file (read once: a form is a few kilobytes, and every
    parser would read it all anyway) and ``archive`` its checked central directory (see
    :mod:`.zipdir`), so the reader neither opens nor parses the file a second time; otherwise
    both are ``None`` and the parser reads the path.
    """
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise _fail(name, "文件不存在，请检查路径。") from None
    except OSError as exc:
        raise _fail(name, f"无法打开文件（{os_reason(exc, '读取')}）。") from None
    if stat.S_ISDIR(st.st_mode):
        try:
            os.scandir(path).close()
        except OSError as exc:
            raise _fail(name, f"无法打开文件夹（{os_reason(exc, '读取')}），其中的文件未被读取。") from None
        raise _fail(name, "这是一个文件夹，不是文件。")
    ext = path.suffix.lower()
    if ext in SAVE_AS:
        raise _fail(name, f"不支持 {ext} 格式，请在 WPS 或 Office 中另存为 {SAVE_AS[ext]} 后再试。")
    if ext not in SUPPORTED_EXTS:
        raise _fail(name, "不是支持的文件类型（仅支持 .xlsx、.xlsm、.xls、.docx）。")
    size = st.st_size
    if size == 0:
        raise _fail(name, "文件是空的（0 字节）。")
    if size > limits.max_file_bytes:
        raise _fail(name, f"文件过大（{megabytes(size)} MB，上限 {megabytes(limits.max_file_bytes)} MB）。",
                    "FILE_TOO_LARGE")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            if head.startswith(ZIP_MAGIC):
                # the size seen plus one byte (a read of the limit would allocate the limit,
                # 100 MB, for every file); a file that grew since is read on, up to the limit
                data = head + fh.read(min(size, limits.max_file_bytes) + 1 - len(head))
                if len(data) > size:
                    data += fh.read(limits.max_file_bytes + 1 - len(data))
    except OSError as exc:
        raise _fail(name, f"无法打开文件（{os_reason(exc, '读取')}）。") from None
    if not head:
        raise _fail(name, "文件是空的（0 字节）。")
    kind = "word" if ext in WORD_EXTS else "excel"
    if head.startswith(OLE_MAGIC):
        if _ole_encrypted(path):
            raise _fail(name, ENCRYPTED)
        if kind == "word":
            raise _fail(name, "这是旧版 Word（.doc）文件而扩展名为 .docx，请在 Word 或 WPS 中另存为 .docx 后再试。")
        return kind, None, None  # .xls, or an .xls saved under .xlsx: calamine reads it by its content
    if not head.startswith(ZIP_MAGIC):
        what = "Word 文档" if kind == "word" else "Excel 工作簿"
        raise _fail(name, f"不是有效的{what}（文件内容与扩展名不符，可能是改了扩展名的其他文件）。")
    if len(data) > limits.max_file_bytes:  # grew since it was looked at
        raise _fail(name, f"文件过大（上限 {megabytes(limits.max_file_bytes)} MB）。", "FILE_TOO_LARGE")
    return kind, data, _check_zip(data, name, kind, limits)


_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


def _ole_encrypted(path: Path) -> bool:
    """A compound file that is encrypted: an Office 2007+ file saved with a password (its
    ``EncryptionInfo`` and ``EncryptedPackage`` streams), or an .xls whose workbook stream
    starts with a FILEPASS record. The stream names are looked for in the directory entries
    themselves, so a damaged compound file that olefile rejects is recognised too."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    if any(stream in data for stream in _ENCRYPTED_STREAMS):
        return True
    from .biff import read_biff

    info = read_biff(data)
    return info is not None and info.encrypted


def _check_zip(data: bytes, name: str, kind: str, limits: Limits) -> "ZipDirectory | zipfile.ZipFile":
    try:
        zf = open_zip(data)
        infos = zf.infolist()
        names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        raise _fail(name, "文件已损坏或不完整（压缩包结构无效），请重新保存或重新下载。") from None
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise _fail(name, ENCRYPTED)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > limits.max_ratio:
            raise _fail(name, f"文件内容异常（压缩比 {ratio:.0f}:1 过高，疑似压缩炸弹），已拒绝读取。",
                        "FILE_TOO_LARGE")
    if total > limits.max_uncompressed_bytes:
        raise _fail(name, f"文件解压后过大（{total / MB:.0f} MB，上限 "
                          f"{limits.max_uncompressed_bytes / MB:.0f} MB），疑似压缩炸弹，已拒绝读取。",
                    "FILE_TOO_LARGE")
    try:  # the declared sizes are checked above; here what the parts really inflate to
        verify_sizes(zf, infos)
    except MemberSizeMismatch as exc:
        raise _fail(name, f"文件已损坏或被篡改（压缩包中的“{exc.args[0]}”解压后比声明的大），"
                          "疑似压缩炸弹，已拒绝读取。", "FILE_TOO_LARGE") from None
    for info in infos:  # python-calamine reserves room for every string the table declares
        if info.filename.lower().endswith("sharedstrings.xml"):
            declared = _UNIQUE_COUNT.search(member_head(zf, info.filename, 4096))
            if declared and int(declared.group(1)) > max(info.file_size // 5, 1024):  # ≥ 5 bytes each
                raise _fail(name, f"文件已损坏或被篡改（共享字符串表声明有 {int(declared.group(1))} 个字符串，"
                                  "远超其实际内容），已拒绝读取。", "FILE_TOO_LARGE")
    needed = "word/document.xml" if kind == "word" else "xl/workbook.xml"
    if needed not in names:
        what = "Word 文档" if kind == "word" else "Excel 工作簿"
        if kind == "excel" and "word/document.xml" in names:
            raise _fail(name, "这是 Word 文档而扩展名为 Excel，请改回 .docx 后再试。")
        if kind == "word" and "xl/workbook.xml" in names:
            raise _fail(name, "这是 Excel 工作簿而扩展名为 .docx，请改回 .xlsx 后再试。")
        raise _fail(name, f"不是有效的{what}（压缩包中缺少 {needed}）。")
    return zf


def read_grids(path: str | Path, limits: Limits = Limits(), name: str | None = None,
               skipped: list | None = None) -> list[Grid]:
    """Every sheet or Word table of a checked file as grids; :class:`ReadError` when unreadable.

    ``skipped`` collects the sheets (and cells) left out, as
    :class:`~xltools.readers.excel.Skipped`: too large (see ``Limits.max_sheet_cells``),
    unreadable, or a text cut to ``Limits.max_cell_chars``."""
    path = Path(path)
    name = name or path.name
    kind, data, archive = _open_checked(path, limits, name)
    try:
        if kind == "word":
            from .word import read_docx_grids

            grids = read_docx_grids(path, name, max_tables=limits.max_tables,
                                    max_depth=limits.max_table_depth,
                                    max_chars=limits.max_cell_chars, skipped=skipped)
        else:
            from .excel import read_excel_grids

            grids = read_excel_grids(path, name, data=data, archive=archive,
                                     max_cells=limits.max_sheet_cells,
                                     max_sheets=limits.max_sheets,
                                     max_chars=limits.max_cell_chars, skipped=skipped)
    except ReadError:
        raise
    except LimitExceeded as exc:
        raise _fail(name, f"{exc.reason}，已拒绝读取。", "FILE_TOO_LARGE") from None
    except MemoryError:
        raise _fail(name, "文件内容过大，读取时内存不足，已跳过。", "FILE_TOO_LARGE") from None
    except Exception as exc:  # noqa: BLE001 - every parser failure becomes one Chinese line
        raise _fail(name, _parser_reason(exc, kind)) from None
    finally:
        if archive is not None:
            archive.close()
    if not grids and kind == "excel" and not skipped:
        raise _fail(name, "工作簿是空的（没有任何单元格内容）。")
    return grids


def is_summary_workbook(path: str | Path) -> bool:
    """``path`` is a 部门汇总 written by xltools (its sheets include 汇总, 问题清单, 指标明细).

    Only the zip's workbook parts are read; anything unreadable is not a summary."""
    from .excel import sheet_xml_paths

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(sheet_xml_paths(zf))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False
    return SUMMARY_SHEETS <= names


def sheet_too_large(name: str, sheet: str, used: str) -> Finding:
    """The finding for a sheet not read because its used range is huge (see ``Limits``)."""
    return Finding(
        "SHEET_TOO_LARGE", "warning",
        f"“{name}”的工作表“{sheet}”已用区域过大（{used}），多半是很远的单元格里有零散内容，"
        "已跳过该表。请在 Excel 中按 Ctrl+End 找到并删除多余内容后再试。",
        location=Source(name, sheet, used.split(":")[-1]), expected=used)


def sheet_unreadable(name: str, sheet: str, why: str) -> Finding:
    """The finding for a sheet or table that could not be read: nothing is left out in silence."""
    return Finding("SHEET_UNREADABLE", "error",
                   f"“{name}”的工作表“{sheet}”无法读取：{why}。该表中的自评表未被汇总，"
                   "请在 Excel/WPS 中打开后重新保存再试。", location=Source(name, sheet, "A1"))


def left_out(name: str, item) -> Finding:
    """The finding for one :class:`~xltools.readers.excel.Skipped` sheet or cell."""
    code, sheet, detail, cell = item
    if code == "SHEET_TOO_LARGE":
        return sheet_too_large(name, sheet, detail)
    if code == "CELL_TEXT_TOO_LONG":
        return Finding("CELL_TEXT_TOO_LONG", "warning",
                       f"“{name}”的“{sheet}”{cell} 中的文字过长（{detail} 个字符），"
                       "只读取了前 32767 个字符。", location=Source(name, sheet, cell))
    return sheet_unreadable(name, sheet, detail)


def _parser_reason(exc: Exception, kind: str = "excel") -> str:
    """One Chinese line for a parser failure; a Word file is told to go back to Word/WPS."""
    text = str(exc)
    if type(exc).__name__ == "PasswordError" or "password" in text.lower() or "encrypt" in text.lower():
        return ENCRYPTED
    app = "Word/WPS" if kind == "word" else "Excel/WPS"
    return f"文件已损坏或格式无法识别，请用 {app} 打开后重新保存再试。"


def read_forms(path: str | Path, limits: Limits = Limits(), name: str | None = None) -> ReadOutcome:
    """All forms in one file; raises :class:`ReadError` when the file cannot be opened."""
    path = Path(path)
    name = name or path.name
    skipped: list = []
    grids = join_split_tables(read_grids(path, limits, name, skipped))
    if SUMMARY_SHEETS <= {g.sheet for g in grids}:  # a 部门汇总 of an earlier run, in the folder
        return ReadOutcome([], [Finding(
            "SUMMARY_SKIPPED", "info",
            f"“{name}”是 xltools 生成的部门汇总工作簿，不是自评表，已跳过。",
            location=Source(name, "汇总", "A1"))])
    forms: list[Form] = []
    findings: list[Finding] = [left_out(name, item) for item in skipped]
    for grid in grids:
        found, extra = locate_forms(grid)
        forms.extend(found)
        findings.extend(extra)
    if not forms and (grids or not skipped):  # every sheet left out: that finding says why
        looked = "、".join(g.sheet for g in grids) or "（文档中没有表格）"
        first = grids[0].sheet if grids else ""
        findings.append(Finding(
            "NO_FORM", "error",
            f"“{name}”中没有找到项目支出绩效自评表（已查看：{looked}）。"
            "请确认表中有“项目名称”“绩效指标”等栏目。",
            location=Source(name, first, "A1") if first else None))
    return ReadOutcome(forms, findings)
