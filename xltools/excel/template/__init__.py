"""Builder of the Excel template, add-in and sample workbook from text sources.

Sources: ``vba_bridge/`` (our VBA as ASCII text and the ribbon ``customUI14.xml``), xlwings' VBA
from the installed package, the UDF wrappers generated from :mod:`xltools.excel.udfs`, the sheet
writer :mod:`xltools.writers.form_sheet`. See :mod:`.build` for what goes into each file.

    >>> from xltools.excel.template import build_all
    >>> build_all("workbooks")  # doctest: +SKIP
    [PosixPath('workbooks/绩效自评模板.xlsm'), PosixPath('workbooks/xltools.xlam'), ...]
"""

from .build import ADDIN_NAME, SAMPLE_NAME, TEMPLATE_NAME, BuildError, Variant, build_all, check

__all__ = ["ADDIN_NAME", "SAMPLE_NAME", "TEMPLATE_NAME", "BuildError", "Variant", "build_all", "check"]
