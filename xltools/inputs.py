"""The paths a caller hands to xltools: one or many, each checked to exist, folder walks bounded.

Every public function that takes input paths (``xltools.consolidate``, ``xltools.check``) runs
them through :func:`input_files` first:

- one ``str`` or ``os.PathLike`` (``Path``) is one path — a string is never iterated character by
  character (``"workbooks/samples"`` would otherwise start a walk at ``/``);
- any other iterable (list, tuple, generator…) is a collection of such paths;
- a path that does not exist raises :class:`PathNotFoundError` naming it;
- folders are searched recursively, and a search that would take in more than ``max_files`` files
  (default :data:`MAX_FILES`) stops early with :class:`TooManyFilesError` — pass a larger
  ``max_files`` (or ``None``) when the batch really is that large.

Every error here is an :class:`InputError` whose ``args[0]`` is one Chinese sentence.

Example::

    >>> input_files("不存在的文件夹")
    Traceback (most recent call last):
    ...
    xltools.inputs.PathNotFoundError: 找不到“不存在的文件夹”：文件或文件夹不存在。
    >>> input_files(42)
    Traceback (most recent call last):
    ...
    xltools.inputs.InputError: 输入路径应是文件或文件夹的路径（str 或 Path），或由它们组成的列表，而不是 int。
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Union

from .core.rulepack import RulePack

MAX_FILES = 20_000  # default bound of a folder walk

PathLike = Union[str, os.PathLike[str]]
Paths = Union[PathLike, Iterable[PathLike]]
# the rule pack a caller names: a TOML file, a built-in name ("platform_example"), a loaded pack
Rules = Union[str, os.PathLike[str], RulePack, None]


class InputError(ValueError):
    """The input paths cannot be used; ``args[0]`` is one Chinese sentence."""


class PathNotFoundError(InputError, FileNotFoundError):
    """A given file or folder does not exist (``path`` holds it)."""

    def __init__(self, path: PathLike):
        self.path = os.fspath(path)
        super().__init__(f"找不到“{self.path}”：文件或文件夹不存在。")


class TooManyFilesError(InputError):
    """A folder walk would take in more than ``limit`` files."""

    def __init__(self, limit: int, where: list[str]):
        self.limit = limit
        self.where = where
        places = "、".join(f"“{w}”" for w in where[:3]) + ("等" if len(where) > 3 else "")
        super().__init__(
            f"{places}中的表格文件超过 {limit} 个，已停止查找（是否选错了文件夹？）。"
            f"如确需一次处理这么多文件，请调高上限，例如 max_files={max(limit * 5, 100_000)}。")


def as_path_list(paths: Paths) -> list[PathLike]:
    """``paths`` as a list of paths: one ``str``/``PathLike`` becomes a list of one.

    >>> as_path_list("a.xlsx"), as_path_list(Path("b")), as_path_list(("a", Path("b")))
    (['a.xlsx'], [PosixPath('b')], ['a', PosixPath('b')])
    """
    if isinstance(paths, (str, os.PathLike)):
        return [paths]
    if isinstance(paths, (bytes, bytearray)):
        raise InputError("输入路径请用 str 或 Path，不要用 bytes。")
    try:
        items = list(paths)
    except TypeError:
        raise InputError("输入路径应是文件或文件夹的路径（str 或 Path），或由它们组成的列表，"
                         f"而不是 {type(paths).__name__}。") from None
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise InputError(f"输入路径列表中的 {item!r} 不是文件或文件夹的路径"
                             f"（应为 str 或 Path，而不是 {type(item).__name__}）。")
    return items


def _count_files(folder: str, budget: int) -> int:
    """How many files the folder walk of :func:`xltools.readers.files.input_file_names` would
    consider under ``folder`` — the same skips (hidden, ``~$`` lock files, linked folders,
    other extensions) — counting at most ``budget + 1`` so that a walk of ``/`` stops at once."""
    from .readers.files import FOLDER_EXTS

    count = 0
    stack = [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
            except OSError:
                continue
            if name.startswith("~$") or os.path.splitext(name)[1].lower() not in FOLDER_EXTS:
                continue
            count += 1
            if count > budget:
                return count
    return count


def input_files(paths: Paths, max_files: int | None = MAX_FILES) -> list[str]:
    """The files to read for ``paths`` (see the module docstring), in input order.

    Raises :class:`InputError` (a missing path: :class:`PathNotFoundError`; a walk over
    ``max_files``: :class:`TooManyFilesError`). ``max_files=None`` removes the bound.
    """
    from .pipeline import expand_paths

    items = as_path_list(paths)
    for item in items:
        if os.fspath(item) and not os.path.exists(item):
            raise PathNotFoundError(item)
    if max_files is not None:
        if max_files < 1:
            raise InputError(f"max_files 应是正整数，而不是 {max_files!r}。")
        seen, over = 0, []
        for item in items:
            text = os.fspath(item)
            if text and os.path.isdir(text):
                seen += _count_files(text, max_files - seen)
                over.append(text)
            elif text:
                seen += 1
            if seen > max_files:
                raise TooManyFilesError(max_files, over or [text])
    return expand_paths(items)
