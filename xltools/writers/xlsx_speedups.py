"""Faster versions of three steps of XlsxWriter's ``close`` for the 部门汇总, byte for byte, and
its hyperlinks kept on disk instead of in memory.

At 2,000 forms the summary holds ≈ 33 MB of sheet XML and ≈ 12,000 links, and ``close`` runs
after every file was read: each of its steps is time nobody can overlap. Three of them are done
here the same way with less work:

* the zip members are deflated at :data:`ZIP_LEVEL` 1 instead of zlib's default 6
  (:class:`FastDeflateWorkbook`: ≈ 0.22 → 0.08 s at 2,000 forms, file ≈ 20 % larger);
* a constant_memory sheet's row file is copied into the sheet XML as bytes, not decoded and
  encoded again (:func:`copy_rows_as_bytes`);
* the ``<hyperlinks>`` block is written in one string, not one escaped call per attribute
  (:func:`write_hyperlinks_at_once`).

XlsxWriter keeps every hyperlink of a sheet as an object until ``close`` and then builds a list
of its relationships: at 10,000 forms that is ≈ 90,000 links and the largest part of what the
summary's memory grows by. :func:`speed_up` also makes a sheet keep them in a
:class:`LinkSpill` (a scratch file, in row order, as XlsxWriter stores them); at close the
``<hyperlinks>`` block and the sheet's relationships part are written from that file
(:class:`SpillPackager`). Memory then stays the same whatever the number of links.

Each falls back to XlsxWriter's own method whenever what it relies on is missing or the sheet
holds anything else (internal links, cells written over links, links out of row order, …):
the spilled links are then read back into XlsxWriter's own structure first. And
``tests/test_xlsx_speedups.py`` compares the bytes with XlsxWriter's own.

Example::

    >>> import tempfile, zipfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.xlsx")
    >>> wb = FastDeflateWorkbook(path, {"constant_memory": True})
    >>> ws = wb.add_worksheet()
    >>> speed_up(ws)
    True
    >>> ws.write_url(0, 0, "external:表.xlsx#'项目001'!H28", string="表.xlsx")
    0
    >>> wb.close()
    >>> b"location=\\"'\\xe9\\xa1\\xb9" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    True
"""

from __future__ import annotations

import io
import os
import pickle
import shutil
import sys
import tempfile
import zipfile
from functools import partial

import xlsxwriter
from xlsxwriter.url import UrlTypes
from xlsxwriter.utility import xl_rowcol_to_cell

from .sorted_spill import chunk_items

try:  # what XlsxWriter's packager writes a sheet's relationships with
    from xlsxwriter.packager import Packager as _Packager
    from xlsxwriter.relationships import DOCUMENT_SCHEMA as _DOCUMENT_SCHEMA
except ImportError:  # another XlsxWriter layout: links stay in memory
    _Packager = _DOCUMENT_SCHEMA = None

ZIP_LEVEL = 1  # deflate level of the summary's zip members (XlsxWriter's own: zlib's default, 6)
_COPY_BUFFER = 1 << 18
_LINKS_PER_WRITE = 1024  # <hyperlink> elements joined into one write


class FastDeflateWorkbook(xlsxwriter.Workbook):
    """An XlsxWriter workbook whose zip members are deflated at :data:`ZIP_LEVEL`, and whose
    sheets' spilled links (:class:`LinkSpill`) are written by :class:`SpillPackager`.

    XlsxWriter has no option for the level; its ``_store_workbook`` makes the ``ZipFile``
    through its module's name, which is swapped for the time of that call only. Every reader
    opens the result the same.
    """

    def _get_packager(self):
        packager = super()._get_packager()
        if _SPILL_READY and type(packager) is _Packager:
            packager.__class__ = SpillPackager
        return packager

    def _store_workbook(self) -> None:
        module = sys.modules[xlsxwriter.Workbook.__module__]
        plain = getattr(module, "ZipFile", None)
        if plain is not zipfile.ZipFile:  # another XlsxWriter layout: leave it as it is
            return super()._store_workbook()
        module.ZipFile = partial(zipfile.ZipFile, compresslevel=ZIP_LEVEL)
        try:
            return super()._store_workbook()
        finally:
            module.ZipFile = plain


_NEEDS = ("constant_memory", "row_data_filename", "row_data_fh", "row_data_fh_closed",
          "dim_rowmin", "fh", "hyperlinks", "table", "rel_count", "external_hyper_links",
          "_xml_start_tag", "_xml_end_tag", "_escape_attributes",
          "_write_optimized_sheet_data", "_write_hyperlinks")
# what the link spill needs besides (a worksheet's link lists the packager joins)
_SPILL_NEEDS = ("_write_url", "tmpdir", "external_drawing_links", "external_vml_links",
                "external_background_links", "external_table_links",
                "external_comment_links", "is_chartsheet")


def speed_up(ws, spill_links: bool = True) -> bool:
    """Give the worksheet ``ws`` the faster row copy and hyperlinks (instance attributes that
    shadow XlsxWriter's methods) and, with ``spill_links``, a :class:`LinkSpill` that takes
    every link ``write_url`` stores; ``False`` (nothing changed) when this XlsxWriter lacks
    what they need."""
    if not getattr(ws, "constant_memory", False) or not all(hasattr(ws, a) for a in _NEEDS):
        return False
    ws._write_optimized_sheet_data = partial(copy_rows_as_bytes, ws,
                                             ws._write_optimized_sheet_data)
    ws._write_hyperlinks = partial(write_hyperlinks_at_once, ws, ws._write_hyperlinks)
    if spill_links and _SPILL_READY and all(hasattr(ws, a) for a in _SPILL_NEEDS):
        ws._xt_links = LinkSpill(ws.tmpdir)
        ws._write_url = partial(_write_url_spilled, ws, ws._write_url)
    return True


def store_link(ws, row: int, col: int, url) -> None:
    """Keep the hyperlink ``url`` (a ``Url``) of cell (``row``, ``col``) the way ``ws`` keeps
    its links: in its :class:`LinkSpill` when it has one, else in XlsxWriter's own dict (as a
    :class:`SlimLink`)."""
    spill = getattr(ws, "_xt_links", None)
    if spill is not None and url._link_type in _EXTERNAL:
        spill.add(row, col, url)
    else:
        ws.hyperlinks[row][col] = slim(url)


def _write_url_spilled(ws, original, row, col, *args, **kwargs):
    """``Worksheet._write_url``, then the link it stored moved to the sheet's spill."""
    result = original(row, col, *args, **kwargs)
    if result == 0:
        links = ws.hyperlinks.get(row)
        url = links.get(col) if links else None
        if url is not None and url._link_type in _EXTERNAL:
            del links[col]
            if not links:
                del ws.hyperlinks[row]
            ws._xt_links.add(row, col, url)
    return result


class SlimLink:
    """What XlsxWriter reads of a stored hyperlink (a ``Url``) when it writes ``<hyperlinks>``
    and the sheet's relationships, in slots (a ``Url`` also carries its whole address and a
    dict)."""

    __slots__ = ("_link_type", "_relationship_link", "_link", "_anchor", "_text", "_tip",
                 "_is_object_link")

    def _target(self) -> str:
        return self._relationship_link


def slim(url) -> "SlimLink | object":
    """``url`` as a :class:`SlimLink` (the ``Url`` itself when it lacks what that copies)."""
    try:
        return _slim_of(getattr(url, name) for name in SlimLink.__slots__)
    except AttributeError:  # another XlsxWriter: keep its own object
        return url


def _slim_of(fields) -> SlimLink:
    """A :class:`SlimLink` holding ``fields`` (in slot order)."""
    link = _new(SlimLink)
    for name, value in zip(SlimLink.__slots__, fields):
        setattr(link, name, value)
    return link


_new = object.__new__
_EXTERNAL = (UrlTypes.URL, UrlTypes.EXTERNAL)
_SPILL_READY = _Packager is not None and all(
    hasattr(_Packager, a) for a in ("_write_worksheet_rels_files", "_filename"))


class LinkSpill:
    """A sheet's external hyperlinks in a scratch file until the workbook closes: what a
    :class:`SlimLink` holds, with the cell, pickled in chunks of :data:`LINK_CHUNK`.

    Links come in row order (constant_memory writes rows in order); a second link for the
    same cell replaces the first, as in XlsxWriter's dict. A link out of order is kept too
    and marks the spill ``in_order = False``: the sheet's links are then read back into
    XlsxWriter's dict at close (:func:`restore_links`).

    >>> from xlsxwriter.url import Url
    >>> spill = LinkSpill(None)
    >>> spill.add(1, 0, Url("external:a.xlsx#'表1'!A1"))
    >>> spill.add(1, 0, Url("external:b.xlsx"))
    >>> spill.add(2, 3, Url("https://example.com"))
    >>> [(row, col, fields[1]) for row, col, fields in spill.records()], spill.in_order
    ([(1, 0, 'b.xlsx'), (2, 3, 'https://example.com')], True)
    """

    def __init__(self, folder):
        self._fh = tempfile.TemporaryFile(prefix="links-", dir=folder)
        self._chunk: list = []
        self._last = None  # the newest link: replaced by another for the same cell
        self.count = 0  # links held (cells)
        self.in_order = True

    def __len__(self) -> int:
        return self.count

    def add(self, row: int, col: int, url) -> None:
        record = (row, col, tuple(getattr(url, name) for name in SlimLink.__slots__))
        last = self._last
        if last is not None:
            if (row, col) == last[:2]:
                self._last = record
                return
            if (row, col) < last[:2]:
                self.in_order = False
            self._chunk.append(last)
            if len(self._chunk) >= LINK_CHUNK:
                pickle.dump(self._chunk, self._fh, protocol=pickle.HIGHEST_PROTOCOL)
                self._chunk = []
        self._last = record
        self.count += 1

    def records(self):
        """Every link as ``(row, col, fields)`` (fields in :class:`SlimLink` slot order), in
        the order added."""
        if self._last is not None:
            self._chunk.append(self._last)
            self._last = None
        if self._chunk:
            pickle.dump(self._chunk, self._fh, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunk = []
        self._fh.flush()
        self._fh.seek(0)
        yield from chunk_items(self._fh)
        self._fh.seek(0, os.SEEK_END)

    def close(self) -> None:
        self._fh.close()


LINK_CHUNK = 1024  # spilled links per pickle


def restore_links(ws) -> None:
    """Move a sheet's spilled links back into XlsxWriter's own dict (as :class:`SlimLink`)."""
    spill = getattr(ws, "_xt_links", None)
    if spill is None:
        return
    ws._xt_links = None
    for row, col, fields in spill.records():
        ws.hyperlinks[row].setdefault(col, _slim_of(fields))  # one XlsxWriter kept: newer
    spill.close()


def copy_rows_as_bytes(ws, original) -> None:
    """``Worksheet._write_optimized_sheet_data``: the row file (UTF-8, written by XlsxWriter
    and by the summary's fast rows) goes into the sheet XML as bytes."""
    fh = ws.fh
    if ws.dim_rowmin is None or not hasattr(fh, "buffer"):
        return original()
    if not ws.row_data_fh_closed:
        ws.row_data_fh.flush()
    ws._xml_start_tag("sheetData")
    fh.flush()
    with open(ws.row_data_filename, "rb") as rows:
        shutil.copyfileobj(rows, fh.buffer, _COPY_BUFFER)
    ws.row_data_fh.close()
    os.unlink(ws.row_data_filename)
    ws._xml_end_tag("sheetData")


def write_hyperlinks_at_once(ws, original) -> None:
    """``Worksheet._write_hyperlinks`` for a sheet whose links all point outside the workbook
    (the summary's links to the source files): the same ``<hyperlink>`` elements and
    relationships, made in one string."""
    spill = getattr(ws, "_xt_links", None)
    if spill is not None:
        if spill.count and not ws.hyperlinks and not ws.table and spill.in_order:
            return _write_spilled_links(ws, spill)
        restore_links(ws)
    links = ws.hyperlinks
    if not links or ws.table:
        return original()
    external = (UrlTypes.URL, UrlTypes.EXTERNAL)
    if any(url._link_type not in external for row in links.values() for url in row.values()):
        return original()
    escape = ws._escape_attributes
    rel, rels = ws.rel_count, ws.external_hyper_links
    parts = ["<hyperlinks>"]
    for row in sorted(links):
        cols = links[row]
        for col in sorted(cols):
            url = cols[col]
            rel += 1
            parts.append(_hyperlink(escape, row, col, rel, url._anchor, url._is_object_link,
                                    url._text, url._tip))
            rels.append(["/hyperlink", url._target(), "External"])
            if len(parts) >= _LINKS_PER_WRITE:  # tens of thousands of links: in parts
                ws.fh.write("".join(parts))
                parts = []
    parts.append("</hyperlinks>")
    ws.rel_count = rel
    ws.fh.write("".join(parts))


def _hyperlink(escape, row: int, col: int, rel: int, anchor, object_link, text, tip) -> str:
    """One external ``<hyperlink>`` element, as ``Worksheet._write_hyperlink_external``
    writes it (``escape``: the worksheet's ``_escape_attributes``)."""
    tag = f'<hyperlink ref="{xl_rowcol_to_cell(row, col)}" r:id="rId{rel}"'
    if anchor:
        tag += f' location="{escape(anchor)}"'
    if object_link:
        tag += f' display="{escape(text)}"'
    if tip:
        tag += f' tooltip="{escape(tip)}"'
    return tag + "/>"


_LINK_TYPE, _TARGET, _LINK, _ANCHOR, _TEXT, _TIP, _OBJECT = range(len(SlimLink.__slots__))


def _write_spilled_links(ws, spill: LinkSpill) -> None:
    """:func:`write_hyperlinks_at_once` from the sheet's spill: the ``<hyperlink>`` elements
    into the sheet, their relationships (as XlsxWriter's ``Relationships`` writes them) into
    a second scratch file that :class:`SpillPackager` copies into the sheet's ``.rels``."""
    escape = ws._escape_attributes
    rel = ws.rel_count
    rels = tempfile.TemporaryFile(prefix="rels-", dir=ws.tmpdir)  # UTF-8 bytes
    kind = escape(_DOCUMENT_SCHEMA + "/hyperlink")
    parts, rel_parts = ["<hyperlinks>"], []
    for row, col, link in spill.records():
        rel += 1
        parts.append(_hyperlink(escape, row, col, rel, link[_ANCHOR], link[_OBJECT],
                                link[_TEXT], link[_TIP]))
        rel_parts.append(f'<Relationship Id="rId{rel}" Type="{kind}" '
                         f'Target="{escape(link[_TARGET])}" TargetMode="External"/>')
        if len(parts) >= _LINKS_PER_WRITE:
            ws.fh.write("".join(parts))
            rels.write("".join(rel_parts).encode("utf-8"))
            parts, rel_parts = [], []
    parts.append("</hyperlinks>")
    ws.fh.write("".join(parts))
    rels.write("".join(rel_parts).encode("utf-8"))
    ws._xt_rels = (rels, rel - ws.rel_count)  # the file, and how many relationships
    ws.rel_count = rel
    ws._xt_links = None
    spill.close()


if _SPILL_READY:
    class SpillPackager(_Packager):
        """XlsxWriter's packager, writing the relationships of a sheet whose links were
        written from its spill (:func:`_write_spilled_links`) from that scratch file: the
        links first (``rId1`` …, as their ``<hyperlink>`` elements say), then whatever else
        the sheet relates to, numbered on."""

        _LISTS = ("external_hyper_links", "external_drawing_links", "external_vml_links",
                  "external_background_links", "external_table_links",
                  "external_comment_links")

        def _write_worksheet_rels_files(self) -> None:
            spilled, saved = [], []
            index = 0
            for ws in self.workbook.worksheets():
                if ws.is_chartsheet:
                    continue
                index += 1
                if getattr(ws, "_xt_rels", None) is not None:
                    spilled.append((index, ws))
                    saved.append([getattr(ws, name) for name in self._LISTS])
                    for name in self._LISTS:  # XlsxWriter's own loop leaves the sheet alone
                        setattr(ws, name, [])
            try:
                super()._write_worksheet_rels_files()
            finally:
                for (_, ws), lists in zip(spilled, saved):
                    for name, value in zip(self._LISTS, lists):
                        setattr(ws, name, value)
            for index, ws in spilled:
                self._write_spilled_rels(index, ws)

        def _write_spilled_rels(self, index: int, ws) -> None:
            rels, count = ws._xt_rels
            ws._xt_rels = None
            others = [link for name in self._LISTS for link in getattr(ws, name)]
            name = self._filename("xl/worksheets/_rels/sheet" + str(index) + ".xml.rels")
            writer = _RelsWriter()
            writer.fh = tail = io.StringIO()
            rel = count
            for kind, target, *mode in others:
                rel += 1
                attributes = [("Id", f"rId{rel}"), ("Type", _DOCUMENT_SCHEMA + kind),
                              ("Target", target)]
                if mode and mode[0]:
                    attributes.append(("TargetMode", mode[0]))
                writer._xml_empty_tag("Relationship", attributes)
            tail.write("</Relationships>")
            head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<Relationships xmlns="{_PACKAGE_SCHEMA}">')
            with rels:
                rels.seek(0)
                if isinstance(name, str):
                    with open(name, "wb") as out:
                        out.write(head.encode("utf-8"))
                        shutil.copyfileobj(rels, out, _COPY_BUFFER)
                        out.write(tail.getvalue().encode("utf-8"))
                else:  # XlsxWriter's in_memory mode: a StringIO
                    name.write(head + rels.read().decode("utf-8") + tail.getvalue())

    from xlsxwriter.relationships import PACKAGE_SCHEMA as _PACKAGE_SCHEMA
    from xlsxwriter.xmlwriter import XMLwriter as _RelsWriter
