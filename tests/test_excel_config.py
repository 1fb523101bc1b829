"""The one user config (xltools/excel/config.py): encodings, Chinese paths, %VARS%, rule packs."""

from __future__ import annotations

from pathlib import Path

import pytest

from xltools.excel import config

TEXT = "# 设置\r\nINTERPRETER_WIN=C:\\Users\\张会计\\AppData\\Local\\xltools\\venv\\Scripts\\pythonw.exe\r\nRULES=规则\\我省.toml\r\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
    TEXT.encode("gbk"),
    TEXT.encode("utf-16"),  # with its BOM, as Notepad's "Unicode"
], ids=["utf-8", "utf-8-bom", "gbk", "utf-16"])
def test_every_encoding_notepad_saves_reads_the_same(tmp_path, data):
    path = tmp_path / "用户" / "xltools.conf"
    path.parent.mkdir()
    path.write_bytes(data)
    settings = config.read_config(path)
    assert settings["INTERPRETER_WIN"] == r"C:\Users\张会计\AppData\Local\xltools\venv\Scripts\pythonw.exe"
    assert config.configured_rules(path) == str(path.parent / "规则\\我省.toml")


def test_config_path_follows_localappdata_and_the_override():
    assert config.config_path({"LOCALAPPDATA": "/u/张三/Local"}) == Path("/u/张三/Local/xltools/xltools.conf")
    assert config.config_path({"XLTOOLS_CONFIG": "/x/y.conf", "LOCALAPPDATA": "/u"}) == Path("/x/y.conf")
    assert config.log_path({"LOCALAPPDATA": "/u"}) == Path("/u/xltools/logs/xltools.log")


def test_rules_values(tmp_path, monkeypatch):
    path = tmp_path / "xltools.conf"
    assert config.configured_rules(path) is None  # no file: the national pack
    path.write_text("RULES=platform_example\n", encoding="utf-8")
    assert config.configured_rules(path) == "platform_example"  # a built-in pack by name
    monkeypatch.setenv("DOCS", str(tmp_path / "文档"))
    path.write_text("rules = %DOCS%/省.toml\n", encoding="utf-8")
    assert config.configured_rules(path) == str(tmp_path / "文档" / "省.toml")
    path.write_text("RULES=D:\\规则\\省.toml\n", encoding="utf-8")
    assert config.configured_rules(path) == "D:\\规则\\省.toml"  # a Windows absolute path stays
    path.write_text("RULES=\n", encoding="utf-8")
    assert config.configured_rules(path) is None


def test_the_installer_writes_what_the_reader_reads(tmp_path):
    from xltools.bundle.installer import write_config

    path = tmp_path / "xltools.conf"
    write_config(path, Path(r"C:\Users\张会计\AppData\Local\xltools\venv\Scripts\pythonw.exe"))
    settings = config.read_config(path)
    assert settings == {"INTERPRETER_WIN": r"C:\Users\张会计\AppData\Local\xltools\venv\Scripts\pythonw.exe",
                        "RULES": ""}
