"""The one user config: where Python is and which rule pack to use, for buttons and XT_ functions.

``安装.cmd`` writes ``%LOCALAPPDATA%\\xltools\\xltools.conf``::

    # comments start with #
    INTERPRETER_WIN=C:\\Users\\张会计\\AppData\\Local\\xltools\\venv\\Scripts\\pythonw.exe
    RULES=%USERPROFILE%\\Documents\\我省规则.toml

The VBA (``vba_bridge/XltoolsRibbon.bas``) reads ``INTERPRETER_WIN`` from it before every call
into Python (xlwings' ``GetConfig`` asks it first, so the ribbon and the UDFs start the same
Python; no sheet in a workbook can beat it). Python reads ``RULES`` from it here, for the
ribbon macros and the ``XT_`` functions alike. Both sides read the file whatever a text editor
saved it as: UTF-8 with or without BOM, UTF-16 with BOM, or the ANSI code page (GBK).
``%VAR%`` references expand; a relative ``RULES`` path is relative to the config's folder; a
bare name (``platform_example``) is a built-in pack.

``XLTOOLS_CONFIG`` (an environment variable) points at another file: tests use it.

>>> decode_config(b"\\xef\\xbb\\xbfRULES=\\xe7\\x9c\\x81.toml"), decode_config("RULES=省.toml".encode("gbk"))
('RULES=省.toml', 'RULES=省.toml')
>>> parse_config("# x\\nrules = a.toml\\nINTERPRETER_WIN=C:\\\\py.exe\\n")
{'RULES': 'a.toml', 'INTERPRETER_WIN': 'C:\\\\py.exe'}
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

CONFIG_NAME = "xltools.conf"
APP_FOLDER = "xltools"
_VAR = re.compile(r"%([^%]+)%")


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """``XLTOOLS_CONFIG``, else ``%LOCALAPPDATA%\\xltools\\xltools.conf`` (``~/.config/xltools`` elsewhere)."""
    env = os.environ if env is None else env
    if env.get("XLTOOLS_CONFIG"):
        return Path(env["XLTOOLS_CONFIG"])
    base = env.get("LOCALAPPDATA")
    if base:
        return Path(base) / APP_FOLDER / CONFIG_NAME
    return Path(env.get("HOME") or Path.home()) / ".config" / APP_FOLDER / CONFIG_NAME


def log_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the ribbon macros write the full detail of a failure."""
    return config_path(env).parent / "logs" / "xltools.log"


def decode_config(data: bytes) -> str:
    """Text of the config file, whatever encoding Notepad saved it in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gbk", "replace")


def parse_config(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines (keys case-insensitive, stored upper-case); ``#`` starts a comment line."""
    out: dict[str, str] = {}
    for line in text.replace("\r", "\n").split("\n"):
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        if key.strip():
            out[key.strip().upper()] = value.strip()
    return out


def expand(value: str, env: Mapping[str, str] | None = None) -> str:
    """``%VAR%`` (Windows style, on every platform) and ``~``.

    >>> expand("%HOMEX%\\\\a", {"HOMEX": "C:\\\\Users\\\\张三"})
    'C:\\\\Users\\\\张三\\\\a'
    """
    env = os.environ if env is None else env
    value = _VAR.sub(lambda m: env.get(m.group(1), env.get(m.group(1).upper(), m.group(0))), value)
    return os.path.expanduser(value)


def read_config(path: Path | None = None) -> dict[str, str]:
    """The settings, or ``{}`` when there is no config file."""
    path = config_path() if path is None else path
    try:
        return parse_config(decode_config(path.read_bytes()))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return {}
    except OSError as exc:
        raise OSError(f"无法读取设置文件 {path}：{exc.strerror or exc}") from exc


def configured_rules(path: Path | None = None) -> str | None:
    """The rule pack the user chose (a file path or a built-in pack name), ``None`` for the default."""
    path = config_path() if path is None else path
    value = expand(read_config(path).get("RULES", ""))
    if not value:
        return None
    candidate = Path(value)
    if candidate.suffix or "/" in value or "\\" in value:
        if not candidate.is_absolute() and not re.match(r"^[A-Za-z]:[\\/]", value):
            candidate = path.parent / candidate
        return str(candidate)
    return value


def config_stamp(path: Path | None = None) -> tuple[str, float]:
    """What changes when the config changes (for caches)."""
    path = config_path() if path is None else path
    try:
        return str(path), path.stat().st_mtime
    except OSError:
        return str(path), 0.0
