"""Batches of uploaded forms in the service's private temporary folder.

The page creates a batch, uploads each file into it under the name the browser gives (a folder
dropped in keeps its sub-folders: ``2020年自评表/宣传部.xlsx``), then asks for the check. A
name is taken only when every part of it is a plain file or folder name: no ``..``, no drive,
no absolute path, no hidden or Office lock file, nothing outside the batch folder; files are
created new (never over another file, never through a link). Limits on the size of a file, the
number of files and the bytes of a batch are enforced while the bytes arrive.

Example::

    >>> safe_relative_path("2020年自评表/宣传部.xlsx")
    ('2020年自评表', '宣传部.xlsx')
    >>> safe_relative_path("../etc/passwd.xlsx")
    Traceback (most recent call last):
    ...
    xltools.serve.uploads.UploadError: 文件名“../etc/passwd.xlsx”不是可接受的相对路径（不能含“..”、盘符、控制字符或以“/”开头）。
"""

from __future__ import annotations

import os
import shutil
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..readers.files import FOLDER_EXTS

MB = 1024 * 1024


class UploadError(Exception):
    """An upload refused; ``args[0]`` is one Chinese line; ``status`` the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int = 50 * MB
    max_files: int = 2000
    max_batch_bytes: int = 1024 * MB
    max_batches: int = 8  # the oldest batch is removed when a ninth is made
    max_rules_bytes: int = 256 * 1024
    max_json_bytes: int = 32 * MB  # a posted workbook (the WPS add-in)


def safe_relative_path(name: str) -> tuple[str, ...]:
    """The parts of an uploaded file's relative name, or :class:`UploadError`."""
    parts = tuple(name.split("/")) if name else ()
    bad = (not parts or "\\" in name or any(ord(ch) < 32 for ch in name) or len(parts) > 16
           or any(p in ("", ".", "..") or ":" in p for p in parts))
    if bad:
        raise UploadError(f"文件名“{name}”不是可接受的相对路径（不能含“..”、盘符、控制字符或以“/”开头）。")
    if any(p.startswith(".") or p.startswith("~$") for p in parts):
        raise UploadError(f"文件名“{name}”是隐藏文件或 Office 临时文件，已忽略。")
    if any(len(p.encode("utf-8")) > 255 for p in parts):
        raise UploadError(f"文件名“{name}”过长。")
    if os.path.splitext(parts[-1])[1].lower() not in FOLDER_EXTS:
        raise UploadError(f"“{parts[-1]}”不是自评表文件（支持 .xlsx .xlsm .xls .docx）。", 415)
    return parts


@dataclass
class Batch:
    id: str
    folder: Path
    files: list[Path] = field(default_factory=list)
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def target(self, name: str) -> Path:
        """Where the upload ``name`` goes: inside the batch folder, or :class:`UploadError`."""
        path = self.folder.joinpath(*safe_relative_path(name))
        root = os.path.realpath(self.folder)
        parent = os.path.realpath(path.parent)
        if os.path.commonpath([root, parent]) != root:
            raise UploadError(f"文件名“{name}”指向上传文件夹之外，已拒绝。")
        return path


class Batches:
    """The batches of this run, all inside ``root`` (the private temporary folder)."""

    def __init__(self, root: Path, limits: UploadLimits = UploadLimits()):
        self.root = root
        self.limits = limits
        self._batches: OrderedDict[str, Batch] = OrderedDict()
        self._lock = threading.Lock()

    def create(self) -> Batch:
        batch_id = secrets.token_hex(8)
        folder = self.root / batch_id
        folder.mkdir(mode=0o700)
        batch = Batch(batch_id, folder)
        with self._lock:
            self._batches[batch_id] = batch
            while len(self._batches) > self.limits.max_batches:
                _, old = self._batches.popitem(last=False)
                shutil.rmtree(old.folder, ignore_errors=True)
        return batch

    def get(self, batch_id: str) -> Batch:
        with self._lock:
            batch = self._batches.get(batch_id)
        if batch is None:
            raise UploadError("这批文件已不存在（服务重启过或已清除），请重新添加文件。", 404)
        return batch

    def remove(self, batch_id: str) -> None:
        with self._lock:
            batch = self._batches.pop(batch_id, None)
        if batch is not None:
            shutil.rmtree(batch.folder, ignore_errors=True)

    async def receive(self, batch: Batch, name: str, chunks, declared: int | None) -> Path:
        """Write the upload ``name`` from the async iterator ``chunks`` into ``batch``."""
        limits = self.limits
        path = batch.target(name)
        if declared is not None and declared > limits.max_file_bytes:
            raise UploadError(_too_large(path.name, limits.max_file_bytes), 413)
        with batch.lock:
            if len(batch.files) >= limits.max_files:
                raise UploadError(f"一次最多上传 {limits.max_files} 个文件。", 413)
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                             | getattr(os, "O_BINARY", 0), 0o600)
            except FileExistsError:
                raise UploadError(f"“{name}”已经上传过。", 409) from None
            batch.files.append(path)
        size = added = 0
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > limits.max_file_bytes:
                        raise UploadError(_too_large(path.name, limits.max_file_bytes), 413)
                    with batch.lock:
                        if batch.bytes + len(chunk) > limits.max_batch_bytes:
                            raise UploadError(
                                f"这批文件合计超过 {limits.max_batch_bytes // MB} MB，请分批处理。", 413)
                        batch.bytes += len(chunk)
                        added += len(chunk)
                    out.write(chunk)
        except BaseException:
            with batch.lock:
                batch.files.remove(path)
                batch.bytes -= added
            path.unlink(missing_ok=True)
            raise
        return path


def _too_large(name: str, limit: int) -> str:
    return f"“{name}”超过单个文件 {limit // MB} MB 的上限，未上传。"
