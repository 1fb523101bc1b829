"""Build the committed workbooks from their text sources, and check that they are current.

=============================  ================================================================
``绩效自评模板.xlsm``           说明 · 自评表 (empty national form, formulas, validation) · hidden
                               ``xlwings.conf``; VBA: xlwings (standalone) · XltoolsRibbon ·
                               xlwings_udfs; ribbon ``customUI/customUI14.xml``
``xltools.xlam``               the add-in: sheet ``xltools.conf``; VBA: xlwings (custom add-in
                               variant, PROJECT_NAME=xltools) · XltoolsRibbon · xlwings_udfs
                               (ActiveWorkbook); the same ribbon
``示例_昌吉州党委宣传部2020.xlsm``  the template with the sample department's six forms, read from
                               ``workbooks/samples/`` through ``xltools.readers.files``
=============================  ================================================================

Each file: openpyxl writes the sheets → pyOpenVBA adds the source-only VBA project →
:func:`package.assemble` fixes content types, adds the ribbon and writes a reproducible zip.

:func:`check` rebuilds into a temporary folder and lists the committed files whose content
differs (member names, order and uncompressed bytes are compared, so a different zlib does not
count as stale).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ...core.model import Form
from ...writers.atomic import OutputError, atomic_path
from . import package, sheets, sources, udf_wrappers, vbaproject

TEMPLATE_NAME = "绩效自评模板.xlsm"
ADDIN_NAME = "xltools.xlam"
SAMPLE_NAME = "示例_昌吉州党委宣传部2020.xlsm"
SAMPLE_STEM = "昌吉州党委宣传部2020_自评表"
SAMPLE_DIR = "samples"


class BuildError(Exception):
    """The build cannot go on; ``str`` is one Chinese line."""


@dataclass(frozen=True)
class Variant:
    """What differs between builds: the xlwings module, the UDF target, extra modules."""

    addin: bool = False
    xlwings_module: sources.VbaModule | None = None  # None: the installed xlwings module
    udf_module: str = udf_wrappers.DEFAULT_UDF_MODULE


def _openpyxl_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def vba_modules(variant: Variant = Variant(), *, bridge: Path | None = None) -> list[sources.VbaModule]:
    """The standard modules of a workbook, in project order."""
    xlwings = variant.xlwings_module or sources.xlwings_module(addin=variant.addin)
    ribbon = sources.bridge_module("XltoolsRibbon.bas", bridge)
    udfs = sources.VbaModule(udf_wrappers.UDF_MODULE_NAME,
                             udf_wrappers.udf_module_source(variant.udf_module, addin=variant.addin))
    return [xlwings, ribbon, udfs]


def package_bytes(wb, *, title: str, variant: Variant = Variant(), bridge: Path | None = None) -> bytes:
    """A finished workbook (or add-in) from an openpyxl workbook."""
    try:
        modules = vba_modules(variant, bridge=bridge)
        parts = vbaproject.with_vba_project(_openpyxl_bytes(wb), modules)
        return package.assemble(parts, addin=variant.addin, ribbon=sources.ribbon_xml(bridge), title=title)
    except (sources.SourceError, udf_wrappers.UdfWrapperError, vbaproject.VbaProjectError) as exc:
        raise BuildError(str(exc)) from exc


def template_bytes(forms: list[Form] | None = None, *, formulas=True, variant: Variant = Variant(),
                   bridge: Path | None = None, title: str = "项目支出绩效自评表") -> bytes:
    try:  # the 说明 sheet lists the ribbon's buttons and the UDFs
        wb = sheets.workbook(forms, sample=bool(forms), formulas=formulas, bridge=bridge)
    except (sources.SourceError, udf_wrappers.UdfWrapperError) as exc:
        raise BuildError(str(exc)) from exc
    return package_bytes(wb, title=title, variant=variant, bridge=bridge)


def addin_bytes(*, bridge: Path | None = None) -> bytes:
    return package_bytes(sheets.addin_workbook(), title="xltools 加载项", variant=Variant(addin=True),
                         bridge=bridge)


def default_sample_source(out_dir: Path) -> Path | None:
    for suffix in (".docx", ".xlsx"):
        path = Path(out_dir) / SAMPLE_DIR / f"{SAMPLE_STEM}{suffix}"
        if path.is_file():
            return path
    return None


def sample_forms(source: Path) -> list[Form]:
    """The sample department's forms, read through the project's readers."""
    try:
        from ...readers.files import ReadError, read_forms
    except ImportError as exc:
        raise BuildError(f"读取模块不可用，无法生成示例工作簿（{exc}）。") from exc
    try:
        outcome = read_forms(source)
    except ReadError as exc:
        raise BuildError(exc.reason) from exc
    forms = list(getattr(outcome, "forms", outcome))
    if not forms:
        raise BuildError(f"示例源文件 {source.name} 中没有读到自评表。")
    return forms


def sample_bytes(source: Path, *, bridge: Path | None = None) -> bytes:
    """The sample: one sheet per form, the filer's values kept, formulas only where none."""
    forms = sample_forms(source)
    return template_bytes(forms, formulas="missing", bridge=bridge,
                          title="示例：昌吉州党委宣传部2020年度项目支出绩效自评表")


def build_outputs(out_dir: Path, sample_source: Path | None) -> dict[str, bytes]:
    """Every output's bytes by file name; the sample only when a source exists."""
    outputs = {TEMPLATE_NAME: template_bytes(), ADDIN_NAME: addin_bytes()}
    source = Path(sample_source) if sample_source else default_sample_source(out_dir)
    if source is not None:
        outputs[SAMPLE_NAME] = sample_bytes(source)
    return outputs


def build_all(out_dir: str | Path = "workbooks", *, sample_source: str | Path | None = None) -> list[Path]:
    """Write the template, the add-in and (when its source exists) the sample into ``out_dir``."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"无法创建输出文件夹 {out}：{exc.strerror or exc}") from exc
    written = []
    for name, data in build_outputs(out, Path(sample_source) if sample_source else None).items():
        path = out / name
        try:
            with atomic_path(path, "工作簿") as tmp:  # an interrupted build leaves the old file
                Path(tmp).write_bytes(data)
        except OutputError as exc:
            raise BuildError(exc.args[0]) from exc
        written.append(path)
    return written


def _same_content(committed: Path, fresh: Path) -> bool:
    if not committed.is_file():
        return False
    try:
        return package.zip_contents(committed.read_bytes()) == package.zip_contents(fresh.read_bytes())
    except zipfile.BadZipFile:
        return False


def check(out_dir: str | Path = "workbooks", *, sample_source: str | Path | None = None) -> list[str]:
    """Names of the committed outputs that are missing or differ from a fresh build."""
    out = Path(out_dir)
    stale = []
    with tempfile.TemporaryDirectory(prefix="xltools-check-") as tmp:
        source = Path(sample_source) if sample_source else default_sample_source(out)
        fresh = build_all(tmp, sample_source=source)
        for path in fresh:
            if not _same_content(out / path.name, path):
                stale.append(path.name)
    return stale
