"""An official-looking Word document (python-docx): GB/T 9704 page, fonts, headings, page numbers.

- Page: A4, 天头 37 mm, 订口 28 mm, body 156 × 225 mm (so bottom 35 mm, right 26 mm), 22 lines of
  三号 text per page (fixed line pitch 28.95 pt).
- Fonts: title 方正小标宋简体 二号, body 仿宋_GB2312 三号, 一级标题 黑体 三号, 二级标题 楷体_GB2312
  三号. A machine without the GB fonts shows 宋体 / 仿宋 / 楷体 instead: each font is declared in
  the font table with that ``altName`` (the substitute Word and WPS use).
- Headings use Word's built-in ``Heading 1``/``Heading 2`` styles (outline levels 0/1), so the
  navigation pane lists them; the title uses ``Title``.
- Page numbers: ``— N —`` centred in the footer, 宋体 四号.

Example::

    >>> doc = new_document()
    >>> round(doc.sections[0].page_width.mm), round(doc.sections[0].top_margin.mm)
    (210, 37)
    >>> p = paragraph(doc, [("原因：", False), ("（请补充偏差原因）", True)])
    >>> [r.font.highlight_color for r in p.runs][1] is not None
    True
"""

from __future__ import annotations

from typing import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, NUMBER_FONT = (
    "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体")
ALT_NAMES = {"方正小标宋简体": "宋体", "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体"}
LATIN = "Times New Roman"
SIZE_2, SIZE_3, SIZE_4, SIZE_TABLE = Pt(22), Pt(16), Pt(14), Pt(10.5)
LINE_PITCH = Pt(28.95)


def set_fonts(target, east_asia: str, latin: str = LATIN) -> None:
    """Set the fonts of a style or run: ``east_asia`` for Chinese, ``latin`` for digits."""
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):  # theme fonts would override the names below
            del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _declare_fonts(doc) -> None:
    """Add the GB fonts to the font table, each with the substitute a machine without it uses."""
    part = None
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
    if part is None:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alt in ALT_NAMES.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "auto"})
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style(doc, name: str, font: str, size, *, bold: bool = False, outline: int | None = None,
           centre: bool = False, indent: bool = False) -> None:
    style = doc.styles[name]
    set_fonts(style, font)
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = None
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:color", "w:bCs", "w:iCs", "w:spacing", "w:kern"):
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH if size <= SIZE_3 else Pt(36)
    fmt.first_line_indent = Pt(32) if indent else Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centre else WD_ALIGN_PARAGRAPH.LEFT
    ppr = style.element.get_or_add_pPr()
    for el in ppr.findall(qn("w:pBdr")):  # the Title style's underline border
        ppr.remove(el)
    if outline is not None:
        lvl = ppr.find(qn("w:outlineLvl"))
        if lvl is None:
            lvl = OxmlElement("w:outlineLvl")
            ppr.append(lvl)
        lvl.set(qn("w:val"), str(outline))


def _page_number(section) -> None:
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    footer.add_run(" —")
    for r in footer.runs:
        set_fonts(r, NUMBER_FONT)
        r.font.size = SIZE_4


def new_document(title: str = ""):
    """An empty document with the page, styles, font table and footer set up."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    _declare_fonts(doc)
    _style(doc, "Normal", BODY_FONT, SIZE_3, indent=True)
    _style(doc, "Title", TITLE_FONT, SIZE_2, centre=True)
    _style(doc, "Heading 1", H1_FONT, SIZE_3, outline=0, indent=True)
    _style(doc, "Heading 2", H2_FONT, SIZE_3, outline=1, indent=True)
    _style(doc, "Caption", BODY_FONT, SIZE_TABLE, centre=True)
    _page_number(section)
    doc.core_properties.title = title
    doc.core_properties.author = ""
    doc.core_properties.comments = "由 xltools 根据自评表生成的初稿"
    return doc


def paragraph(doc, runs: Sequence[tuple[str, bool]], style: str | None = None):
    """A paragraph of runs ``(text, owed)``; owed runs are highlighted for the writer."""
    p = doc.add_paragraph(style=style)
    for text, owed in runs:
        run = p.add_run(text)
        if owed:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return p


def heading(doc, text: str, level: int):
    return doc.add_paragraph(text, style="Heading 1" if level == 1 else "Heading 2")


def table(doc, headers: Sequence[str], rows: Sequence[Sequence[str]], *, total: Sequence[str] | None = None,
          widths_mm: Sequence[float] | None = None):
    """A bordered table: bold header row repeated on every page, numbers right-aligned."""
    body = list(rows) + ([list(total)] if total else [])
    t = doc.add_table(rows=1 + len(body), cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths_mm:
        t.autofit = False
        for col, width in zip(t.columns, widths_mm):
            col.width = Mm(width)
    for r, values in enumerate([list(headers)] + body):
        row = t.rows[r]
        if r == 0:
            tr_pr = row._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            tr_pr.append(el)
        for c, value in enumerate(values):
            cell = row.cells[c]
            p = cell.paragraphs[0]
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing = Pt(16)
            text = "" if value is None else str(value)
            numeric = r > 0 and c > 0 and _numeric(text)
            p.alignment = (WD_ALIGN_PARAGRAPH.CENTER if r == 0 else
                           WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)
            run = p.add_run(text)
            run.font.size = SIZE_TABLE
            run.font.bold = r == 0 or (total is not None and r == len(body))
            if widths_mm:
                cell.width = Mm(widths_mm[c])
    return t


def _numeric(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "").replace("%", "").replace("-", "").isdigit()


def picture(doc, png: bytes, width_mm: float = 150):
    import io

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
    return p
