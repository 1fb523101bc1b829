"""``[Content_Types].xml``: the macro-enabled main part, the VBA project and the ribbon part.

The main part's type decides what Excel thinks the file is; openpyxl and pyOpenVBA may leave
the plain-xlsx type, and Excel refuses an ``.xlsm`` that says it is an ``.xlsx``.

>>> xml = b'<Types xmlns="x"><Default Extension="xml" ContentType="application/xml"/>' \\
...       b'<Override PartName="/xl/workbook.xml" ContentType="a.main+xml"/></Types>'
>>> b'sheet.macroEnabled.main+xml' in set_main_type(xml, addin=False)
True
"""

from __future__ import annotations

import re

WORKBOOK_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ADDIN_MACRO = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_PROJECT = "application/vnd.ms-office.vbaProject"
XML = "application/xml"
_MAIN = re.compile(rb'(<Override\s+PartName="/xl/workbook\.xml"\s+ContentType=")[^"]*(")')


def set_main_type(types: bytes, *, addin: bool) -> bytes:
    """Give ``/xl/workbook.xml`` the macro-enabled workbook (or add-in) content type."""
    wanted = (ADDIN_MACRO if addin else WORKBOOK_MACRO).encode()
    out, count = _MAIN.subn(rb"\g<1>" + wanted + rb"\g<2>", types)
    if count != 1:
        raise ValueError("[Content_Types].xml has no override for /xl/workbook.xml")
    return out


def ensure_default(types: bytes, extension: str, content_type: str) -> bytes:
    """Add ``<Default Extension=… ContentType=…/>`` unless the extension already has one."""
    if re.search(rb'<Default\s+Extension="' + re.escape(extension.encode()) + rb'"', types, re.I):
        return types
    default = f'<Default Extension="{extension}" ContentType="{content_type}"/>'.encode()
    return re.sub(rb"(<Types\b[^>]*>)", rb"\g<1>" + default, types, count=1)


def content_type_of(types: bytes, part: str) -> str | None:
    """The content type a part gets: its Override, else its extension's Default."""
    found = re.search(rb'<Override\s+PartName="' + re.escape(part.encode()) + rb'"\s+ContentType="([^"]*)"', types)
    if found:
        return found.group(1).decode()
    ext = part.rsplit(".", 1)[-1]
    found = re.search(rb'<Default\s+Extension="' + re.escape(ext.encode()) + rb'"\s+ContentType="([^"]*)"', types, re.I)
    return found.group(1).decode() if found else None
