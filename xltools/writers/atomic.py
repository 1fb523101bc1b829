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

from ..core.os_errors import os_reason as _os_reason


class OutputError(Exception):
    """The output cannot be written; ``args[0]`` is one Chinese line naming the file."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Path.resolve)
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
        remove_stale_temps(folder)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=out.suffix, dir=folder)
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


def os_reason(exc: BaseException) -> str:
    """An operating-system error in Chinese (see :mod:`xltools.core.os_errors`).

    >>> os_reason(PermissionError(errno.EACCES, "Permission denied"))
    '没有写入权限'
    """
    return _os_reason(exc, "写入")


TEMP_PREFIX = ".~xltools-"
SCRATCH_PREFIX = "xltools-"  # writers.summary_workbook's scratch folders (tempfile.mkdtemp)
STALE_AFTER = 3600  # seconds: a temporary file this old is left from a killed run (a run takes minutes)


def remove_stale_temps(folder: str | Path, older_than: float = STALE_AFTER,
                       prefix: str | None = None) -> list[str]:
    """Delete the temporary files an earlier, killed run left in ``folder`` (``kill -9``
    gives no chance to clean up): only ours (``.~xltools-…`` files and ``.~xltools-…``
    files next to outputs, ``xltools-…`` scratch folders in the system's temporary folder),
    only those not changed for ``older_than`` seconds (a run still
    going keeps its own). Returns the names removed; anything that cannot be removed stays.

    >>> import tempfile, time
    >>> d = Path(tempfile.mkdtemp()); old = d / ".~xltools-abc.xlsx"; _ = old.write_bytes(b"x")
    >>> os.utime(old, (time.time() - 7 * 3600,) * 2); _ = (d / "表.xlsx").write_bytes(b"x")
    >>> remove_stale_temps(d, prefix=TEMP_PREFIX), sorted(p.name for p in d.iterdir())
    (['.~xltools-abc.xlsx'], ['表.xlsx'])
    """
    import shutil
    import time

    removed: list[str] = []
    limit = time.time() - older_than
    if prefix is None:  # the scratch folders of the summary writer, in the system's temp folder
        removed += remove_stale_temps(tempfile.gettempdir(), older_than, SCRATCH_PREFIX)
        prefix = TEMP_PREFIX
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if st.st_mtime > limit or entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            continue
    return removed


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
