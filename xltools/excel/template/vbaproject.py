"""Put a VBA project into a workbook package, in the interoperable source-only form.

pyOpenVBA adds the project the way Excel adds a first macro (document modules for the workbook
and each sheet, code names, the project relationship and content type). We then make every
module *source-only* (no compiled p-code: MODULEOFFSET 0) and write the ``VBA/_VBA_PROJECT``
stream as the 7 bytes [MS-OVBA] 2.3.4.1 allows for a project without a performance cache::

    CC 61  FF FF  00  03 00      Reserved1 | Version 0xFFFF | Reserved2 | Reserved3

so Office compiles every module from its source when the file opens — exactly the form of
xlwings' own shipped templates, which are also written without Excel.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from pyopenvba import ExcelFile
from pyopenvba.cfb import CFB
from pyopenvba.vba import VBAModuleKind, parse_vba_project

from .sources import VbaModule

VBA_PROJECT_STREAM = bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x03, 0x00])
VBA_PART = "xl/vbaProject.bin"


class VbaProjectError(Exception):
    """The project could not be written; ``str`` is one Chinese line."""


def source_only_project(project_bin: bytes) -> bytes:
    """``vbaProject.bin`` with the 7-byte ``_VBA_PROJECT`` stream; refuses compiled modules."""
    cfb = CFB.from_bytes(project_bin)
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_STREAM)
    data = cfb.to_bytes()
    compiled = [m.name for m in parse_vba_project(CFB.from_bytes(data)).modules if m.text_offset]
    if compiled:
        raise VbaProjectError("VBA 模块仍含编译代码：" + "、".join(compiled))
    return data


def with_vba_project(package: bytes, modules: list[VbaModule]) -> dict[str, bytes]:
    """The parts of ``package`` (an .xlsm zip without VBA) once it holds ``modules``.

    Returns ``{part name: bytes}`` in the zip's order; ``xl/vbaProject.bin`` is source-only.
    """
    with tempfile.TemporaryDirectory(prefix="xltools-vba-") as tmp:
        src, out = Path(tmp) / "in.xlsm", Path(tmp) / "out.xlsm"
        src.write_bytes(package)
        try:
            with ExcelFile(src) as book:
                project = book.add_vba_project()
                for module in project.modules:  # document modules: rewrite as source only
                    module.source = module.source
                    module.dirty = True
                for module in modules:
                    project.add_module(module.name, module.source, kind=VBAModuleKind.standard)
                book.save(out)
        except Exception as exc:  # pyOpenVBA raises its own errors; keep one line for the user
            raise VbaProjectError(f"无法写入 VBA 工程（{type(exc).__name__}: {exc}）。") from exc
        with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as z:
            parts = {info.filename: z.read(info.filename) for info in z.infolist()}
    parts[VBA_PART] = source_only_project(parts[VBA_PART])
    return parts
