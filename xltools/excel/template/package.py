"""Assemble the final OOXML package: content types, ribbon part and relationship, fixed metadata.

One function, :func:`assemble`, turns the parts (openpyxl's sheets + pyOpenVBA's project) into
the zip Excel opens. Reproducible by construction: every member has the same timestamp
(1980-01-01), the same attributes and a fixed order ([Content_Types].xml, _rels/.rels, then by
name), and ``docProps/core.xml`` carries fixed times, so a rebuild is byte-identical with the
same zlib.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from . import contenttypes, relationships

CUSTOM_UI_PART = "customUI/customUI14.xml"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
DOC_TIME = "2021-01-01T00:00:00Z"
CORE = "docProps/core.xml"


def core_properties(title: str) -> bytes:
    """``docProps/core.xml`` with fixed created/modified times (no build clock in the file)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>xltools</dc:creator>"
        "<cp:lastModifiedBy>xltools</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{DOC_TIME}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{DOC_TIME}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode("utf-8")


def assemble(parts: dict[str, bytes], *, addin: bool, ribbon: bytes | None, title: str) -> bytes:
    """The finished .xlsm/.xlam bytes from ``parts`` (as :func:`vbaproject.with_vba_project` gives)."""
    parts = dict(parts)
    types = parts["[Content_Types].xml"]
    types = contenttypes.set_main_type(types, addin=addin)
    types = contenttypes.ensure_default(types, "bin", contenttypes.VBA_PROJECT)
    types = contenttypes.ensure_default(types, "xml", contenttypes.XML)
    parts["[Content_Types].xml"] = types
    if ribbon is not None:
        parts[CUSTOM_UI_PART] = ribbon
        parts["_rels/.rels"] = relationships.add_relationship(
            parts["_rels/.rels"], relationships.RIBBON_2010, CUSTOM_UI_PART)
    if CORE in parts:
        parts[CORE] = core_properties(title)
    return write_zip(parts)


def member_order(names) -> list[str]:
    first = ["[Content_Types].xml", "_rels/.rels"]
    return [n for n in first if n in names] + sorted(n for n in names if n not in first)


def write_zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in member_order(parts):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, parts[name], compresslevel=6)
    return buf.getvalue()


def zip_contents(data: bytes) -> list[tuple[str, bytes]]:
    """Member names and uncompressed bytes, in order (what ``--check`` compares)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]
