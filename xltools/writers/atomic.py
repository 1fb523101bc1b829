"""Write a file atomically, and never over one of the inputs.

The content goes to a hidden temporary file in the output's own folder (same file system), which
replaces the target with ``os.replace`` only once it is complete: an interrupted run leaves the
previous output intact and no half-written workbook behind.

    >>> with atomic_path("汇总.xlsx") as tmp:          # doctest: +SKIP
    ...     write_workbook(tmp)                          # tmp is '.~xltools-abc123.xlsx'
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator


class OutputError(Exception):
    """The output cannot be written; ``args[0]`` is one Chinese line naming the file."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def refuse_inputs(out_path: str | Path, inputs: Iterable[str | Path]) -> None:
    """Raise :class:`OutputError` when ``out_path`` is one of ``inputs`` (or a link to one)."""
    out = Path(out_path)
    for item in inputs:
        if _same_file(out, Path(item)):
            raise OutputError(f"拒绝写入：输出文件 {out.name} 是输入文件之一，请另选输出文件名。")


@contextmanager
def atomic_path(out_path: str | Path, what: str = "汇总文件") -> Iterator[str]:
    """Yield a temporary path next to ``out_path``; on success move it over ``out_path``.

    ``what`` names the output in the Chinese error lines (``无法写入工作簿 a.xlsm：…``)."""
    out = Path(out_path)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"无法写入{what} {out.name}：文件夹 {folder} 不存在。")
    if out.is_dir():
        raise OutputError(f"无法写入{what} {out}：这是一个文件夹。")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".~xltools-", suffix=out.suffix, dir=folder)
    except OSError as exc:
        raise OutputError(f"无法写入{what} {out.name}：{os_reason(exc)}。") from exc
    os.close(fd)
    try:
        yield tmp
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, out)
    except OSError as exc:
        _remove(tmp)
        raise OutputError(f"无法写入{what} {out.name}：{os_reason(exc)}"
                          "（文件可能正在 Excel 中打开）。") from exc
    except BaseException:
        _remove(tmp)
        raise


_OS_REASONS = {
    errno.ENOENT: "找不到该文件或文件夹", errno.EACCES: "没有写入权限", errno.EPERM: "操作不被允许",
    errno.EROFS: "所在的磁盘或文件夹是只读的", errno.ENOSPC: "磁盘空间不足", errno.EISDIR: "这是一个文件夹",
    errno.EBUSY: "文件正被其他程序使用", errno.ENAMETOOLONG: "文件名过长", errno.EDQUOT: "磁盘配额已用完",
}


def os_reason(exc: BaseException) -> str:
    """An operating-system error in Chinese (the system's own text only when it is unknown).

    >>> os_reason(PermissionError(errno.EACCES, "Permission denied"))
    '没有写入权限'
    """
    code = getattr(exc, "errno", None)
    if code in _OS_REASONS:
        return _OS_REASONS[code]
    return getattr(exc, "strerror", None) or str(exc)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
