"""xltools — score, audit and consolidate 项目支出绩效自评表 in Excel and on the command line.

Layers (dependencies point inward):

- ``xltools.core``: data model, notation parser, rule packs, scoring, audit. Pure, no I/O.
- ``xltools.readers`` / ``xltools.writers``: sources → grids → forms; summary workbooks.
- front ends: ``xltools.cli`` (the ``xltools`` command) and ``xltools.excel`` (xlwings macros, UDFs).

The Python API (see :mod:`xltools.api`)::

    >>> import xltools
    >>> report = xltools.check("收到的自评表")           # doctest: +SKIP
    >>> summary = xltools.consolidate(["甲/", "乙.xlsx"])  # doctest: +SKIP

``paths`` is one ``str``/``Path`` or an iterable of them; a missing path or a folder search over
``max_files`` files (default 20,000) raises :class:`InputError` with a Chinese message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .inputs import MAX_FILES, InputError, PathNotFoundError, Paths, Rules, TooManyFilesError

if TYPE_CHECKING:
    from .api import Summary
    from .pipeline import Report

__version__ = "0.1.0"

__all__ = ["check", "consolidate", "write_report", "InputError", "PathNotFoundError", "TooManyFilesError",
           "MAX_FILES", "__version__"]


def check(paths: Paths, rules: Rules = None, workers: int | None = None, *,
          max_files: int | None = MAX_FILES) -> "Report":
    """Read, score and audit every form under ``paths``; return the pipeline's ``Report``
    (``.results``: each form's scores; ``.findings``: every finding).

    See :func:`xltools.api.check`.
    """
    from .api import check as _check

    return _check(paths, rules=rules, workers=workers, max_files=max_files)


def consolidate(paths: Paths, rules: Rules = None, workers: int | None = None, *,
                max_files: int | None = MAX_FILES) -> "Summary":
    """Read, score and audit every form under ``paths``; return a :class:`~xltools.api.Summary`
    (pandas DataFrames ``.forms``, ``.indicators``, ``.findings``; ``.write(path)``).

    See :func:`xltools.api.consolidate`.
    """
    from .api import consolidate as _consolidate

    return _consolidate(paths, rules=rules, workers=workers, max_files=max_files)


def write_report(paths: Paths, out, rules: Rules = None, **options):
    """Write a draft 绩效自评报告 (.docx) of the forms under ``paths``; returns its path.

    See :func:`xltools.api.write_report` for the options (``department``, ``year``,
    ``wording``, ``workers``).
    """
    from .api import write_report as _write_report

    return _write_report(paths, out, rules=rules, **options)
