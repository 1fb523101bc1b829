"""Render the README picture of the draft 绩效自评报告 (developer script, re-runnable).

    .venv/bin/python docs/make_report_image.py        # writes docs/images/report-page*.png

Steps: ``xltools report workbooks/samples -o <tmp>/绩效自评报告.docx``; LibreOffice (headless,
private profile) converts it to PDF; ``pdftoppm`` rasterises the first two pages, which are put
side by side (Pillow) and reduced to a palette so the PNG stays small. Needs LibreOffice and
poppler-utils; every subprocess has a timeout. Nothing here is imported by the package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "report-pages.png"
PAGES = (1, 2)
DPI = 60
TIMEOUT = 240


def main() -> int:
    from PIL import Image

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        print("需要 LibreOffice（soffice）和 poppler-utils（pdftoppm）。", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        docx = work / "绩效自评报告.docx"
        subprocess.run([sys.executable, "-m", "xltools", "report", str(ROOT / "workbooks" / "samples"),
                        "-o", str(docx)], check=True, timeout=TIMEOUT)
        subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(docx)],
                       check=True, timeout=TIMEOUT, capture_output=True)
        pdf = docx.with_suffix(".pdf")
        images = []
        for page in PAGES:
            stem = work / f"page{page}"
            subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(DPI), "-png",
                            "-singlefile", str(pdf), str(stem)], check=True, timeout=TIMEOUT)
            images.append(Image.open(f"{stem}.png").convert("RGB"))
        gap = 16
        sheet = Image.new("RGB", (sum(i.width for i in images) + gap * (len(images) + 1),
                                  max(i.height for i in images) + 2 * gap), (200, 200, 200))
        x = gap
        for image in images:
            sheet.paste(image, (x, gap))
            x += image.width + gap
        OUT.parent.mkdir(parents=True, exist_ok=True)
        sheet.quantize(colors=64).save(OUT, optimize=True)
    print(f"已写入 {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
