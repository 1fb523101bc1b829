"""xltools — score, audit and consolidate 项目支出绩效自评表 in Excel and on the command line.

Layers (dependencies point inward):

- ``xltools.core``: data model, notation parser, rule packs, scoring, audit. Pure, no I/O.
- ``xltools.readers`` / ``xltools.writers``: sources → grids → forms; summary workbooks.
- front ends: ``xltools.cli`` (the ``xltools`` command) and ``xltools.excel`` (xlwings macros, UDFs).
"""

__version__ = "0.1.0"


def consolidate(paths, rules=None, workers=None):
    """Read, score and audit every form under ``paths``; return a :class:`~xltools.api.Summary`.

    See :func:`xltools.api.consolidate`.
    """
    from .api import consolidate as _consolidate

    return _consolidate(paths, rules=rules, workers=workers)


def write_report(paths, out, rules=None, **options):
    """Write a draft 绩效自评报告 (.docx); see :func:`xltools.api.write_report`."""
    from .api import write_report as _write_report

    return _write_report(paths, out, rules=rules, **options)
