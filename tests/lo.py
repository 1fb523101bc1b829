"""LibreOffice helpers for tests: headless conversion with a private profile, forced
recalculation on load, PDF and PNG rendering.

LibreOffice keeps stale cached values unless told otherwise, so every profile made here carries
a ``registrymodifications.xcu`` that sets ``OOXMLRecalcMode`` and ``ODFRecalcMode`` to 0 (always
recalculate). One profile per concurrent process; every subprocess has a timeout.

    >>> recalc_xcu()[:5]
    '<?xml'

Use ``requires_soffice`` (a pytest skip marker) on tests that need LibreOffice.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

TIMEOUT = 120
# The skip reason CI accepts (tests/skip_policy.py): LibreOffice is not installed.
SOFFICE_MISSING = "LibreOffice (soffice) is not installed"


def soffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_available() -> bool:
    return soffice_binary() is not None


try:
    import pytest

    requires_soffice = pytest.mark.skipif(not soffice_available(), reason=SOFFICE_MISSING)
except ImportError:  # used outside pytest (make_samples.py)
    requires_soffice = None


def recalc_xcu() -> str:
    items = "".join(
        f'<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        f'<prop oor:name="{name}" oor:op="fuse"><value>0</value></prop></item>\n'
        for name in ("OOXMLRecalcMode", "ODFRecalcMode"))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + items + '</oor:items>\n')


def prepare_profile(profile_dir: str | Path) -> Path:
    """Create (or reuse) a private profile that recalculates every formula on load."""
    profile = Path(profile_dir).resolve()
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    xcu = user / "registrymodifications.xcu"
    if not xcu.exists() or "OOXMLRecalcMode" not in xcu.read_text(encoding="utf-8"):
        xcu.write_text(recalc_xcu(), encoding="utf-8")
    return profile


def convert(path: str | Path, fmt: str, out_dir: str | Path, *, profile_dir: str | Path,
            timeout: int = TIMEOUT) -> Path:
    """``soffice --headless --convert-to fmt`` into ``out_dir``; returns the written file.

    ``fmt`` is an extension, optionally with a filter (``xlsx:"Calc MS Excel 2007 XML"``).
    Raises ``RuntimeError`` when LibreOffice is missing, fails or writes nothing."""
    binary = soffice_binary()
    if binary is None:
        raise RuntimeError(SOFFICE_MISSING)
    path = Path(path).resolve()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    profile = prepare_profile(profile_dir)
    ext = fmt.split(":", 1)[0]
    target = out / f"{path.stem}.{ext}"
    if target == path:
        raise ValueError("out_dir must differ from the input's folder for the same format")
    if target.exists():
        target.unlink()
    cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--nologo", "--nodefault", "--convert-to", fmt, "--outdir", str(out), str(path)]
    env = dict(os.environ, HOME=str(profile))
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)
    if not target.exists():
        raise RuntimeError(f"LibreOffice wrote no {ext} for {path.name}: "
                           f"{proc.stderr.decode(errors='replace')[-300:]}")
    return target


def recalc_values(path: str | Path, tmp: str | Path) -> openpyxl.Workbook:
    """Convert to .xlsx through LibreOffice (every formula recalculated) and read the values."""
    tmp = Path(tmp)
    out = convert(path, "xlsx", tmp / "recalc", profile_dir=tmp / "lo-profile")
    return openpyxl.load_workbook(out, data_only=True)


def to_pdf(path: str | Path, tmp: str | Path) -> Path:
    tmp = Path(tmp)
    return convert(path, "pdf", tmp / "pdf", profile_dir=tmp / "lo-profile")


def pdf_to_png(pdf: str | Path, out_prefix: str | Path, *, dpi: int = 80,
               timeout: int = TIMEOUT) -> list[Path]:
    """Render every page with pdftoppm: ``<prefix>-1.png``, ``<prefix>-2.png`` …"""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RuntimeError("pdftoppm (poppler-utils) is not installed")
    prefix = Path(out_prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool, "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True,
                   capture_output=True, timeout=timeout)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


_PROFILE: Path | None = None


def _process_profile() -> Path:
    """One private profile per process, removed at exit."""
    global _PROFILE
    if _PROFILE is None:
        _PROFILE = Path(tempfile.mkdtemp(prefix="xltools-lo-"))
        atexit.register(shutil.rmtree, _PROFILE, True)
    return _PROFILE


def libreoffice_resave(path: str | Path, out_dir: str | Path, *,
                       profile_dir: str | Path | None = None) -> Path:
    """Open an (openpyxl-written) workbook in LibreOffice and save it again as .xlsx into
    ``out_dir``, so every formula carries a cached value, as Excel would leave it."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "xlsx"
    if fmt not in ("xlsx", "xlsm"):
        fmt = "xlsx"
    return convert(path, fmt, out_dir, profile_dir=profile_dir or _process_profile())
