"""The grade-distribution chart of the report, drawn as a PNG from the same counts as its table.

Drawn with Pillow (no plotting library to install on locked-down Windows). Chinese labels need a
CJK font: the usual Windows, macOS and Linux font files are tried in turn; without one the chart
is left out and the table alone carries the numbers (:func:`grade_chart` returns ``None``).

Example::

    >>> png = grade_chart([("优", 3), ("良", 1), ("中", 0), ("差", 0)])   # doctest: +SKIP
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"                                # doctest: +SKIP
    True
"""

from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

FONT_CANDIDATES = (
    # Windows
    "simhei.ttf", "msyh.ttc", "msyh.ttf", "simsun.ttc", "simfang.ttf",
    # macOS
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Medium.ttc",
    # Linux (UOS, 麒麟, Debian): Noto CJK, WenQuanYi, Droid
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
WIDTH, HEIGHT = 1200, 675  # 16:9 at 150 dpi ≈ 20 × 11 cm
BAR = (68, 114, 196)
INK = (38, 38, 38)
GRID = (217, 217, 217)


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """The first CJK font file found on this machine, or ``None``."""
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    for name in FONT_CANDIDATES:
        paths = [Path(name)]
        if not os.path.isabs(name):
            paths = [Path(windir or "C:/Windows") / "Fonts" / name,
                     Path(os.environ.get("LOCALAPPDATA", "")) / "Microsoft/Windows/Fonts" / name]
        for path in paths:
            if path.is_file():
                return str(path)
    return None


def _font(size: int):
    from PIL import ImageFont

    path = cjk_font_path()
    return None if path is None else ImageFont.truetype(path, size)


def grade_chart(counts: Sequence[tuple[str, int]], title: str | None = None) -> bytes | None:
    """A bar chart PNG of ``(grade, project count)``; ``None`` without a CJK font. The caption
    under the picture names it; ``title`` draws a heading inside the picture as well."""
    from PIL import Image, ImageDraw

    label_font, title_font = _font(30), _font(36)
    if label_font is None or not counts:
        return None
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    left, right, top, bottom = 110, WIDTH - 60, (110 if title else 50), HEIGHT - 90
    if title:
        draw.text((WIDTH // 2, 50), title, font=title_font, fill=INK, anchor="mm")
    peak = max(max(c for _, c in counts), 1)
    step = max(1, -(-peak // 5))
    axis_max = step * -(-peak // step)
    for tick in range(0, axis_max + 1, step):
        y = bottom - (bottom - top) * tick / axis_max
        draw.line([(left, y), (right, y)], fill=GRID, width=2)
        draw.text((left - 16, y), str(tick), font=label_font, fill=INK, anchor="rm")
    slot = (right - left) / len(counts)
    for i, (name, count) in enumerate(counts):
        x0 = left + slot * i + slot * 0.2
        x1 = left + slot * (i + 1) - slot * 0.2
        y = bottom - (bottom - top) * count / axis_max
        if count:
            draw.rectangle([x0, y, x1, bottom], fill=BAR)
        draw.text(((x0 + x1) / 2, y - 10), str(count), font=label_font, fill=INK, anchor="mb")
        draw.text(((x0 + x1) / 2, bottom + 16), name, font=label_font, fill=INK, anchor="mt")
    draw.line([(left, bottom), (right, bottom)], fill=INK, width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(150, 150))
    return buffer.getvalue()
