"""``xltools bundle windows``: the zip's layout, and its wheelhouse resolving offline for Windows.

The build downloads Windows wheels from the package index once per machine (cached in
``~/.cache/xltools-bundle``, or ``$XLTOOLS_BUNDLE_CACHE``), then every check here is offline:
``pip install --dry-run --no-index --find-links wheelhouse --platform win_amd64
--python-version 3.11|3.12 --only-binary=:all: --target …``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import xltools
from xltools.bundle import build
from xltools.commands import bundle as bundle_cmd

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    cache = os.environ.get("XLTOOLS_BUNDLE_CACHE") or str(Path.home() / ".cache" / "xltools-bundle")
    path = build.build_windows_bundle(out, cache_dir=cache)
    folder = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(path) as z:
        z.extractall(folder)
    return path, folder / f"xltools-{xltools.__version__}"


def test_zip_name_and_layout(bundle):
    path, folder = bundle
    assert path.name == f"xltools-{xltools.__version__}-windows-x64.zip"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for name in ("安装.cmd", "卸载.cmd", "安装说明.txt", "installer.py", "support/no_python.txt",
                 "xltools.xlam", "绩效自评模板.xlsm", "示例_昌吉州党委宣传部2020.xlsm"):
        assert name in names
    assert (folder / "installer.py").read_bytes() == (ROOT / "xltools/bundle/installer.py").read_bytes()
    assert (folder / "xltools.xlam").read_bytes() == (ROOT / "workbooks/xltools.xlam").read_bytes()
    assert not (folder / "python").exists()  # no --python-zip


def test_cmd_files_are_ascii_crlf_and_run_the_installer(bundle):
    _path, folder = bundle
    for name, action in (("安装.cmd", "install"), ("卸载.cmd", "uninstall")):
        data = (folder / name).read_bytes()
        data.decode("ascii")
        assert b"\n" not in data.replace(b"\r\n", b"")
        text = data.decode("ascii")
        assert f'installer.py" {action}' in text
        assert "py -%%V" in text and r"python\python.exe" in text and "Programs\\Python\\Python312" in text
    guide = (folder / "安装说明.txt").read_bytes()
    assert guide.startswith(b"\xef\xbb\xbf") and b"\n" not in guide.replace(b"\r\n", b"")
    text = guide.decode("utf-8-sig")
    assert "安装.cmd" in text and "卸载.cmd" in text and "受信任位置" in text and "pip install" not in text


def test_wheelhouse_has_pywin32_and_our_wheel_for_both_pythons(bundle):
    _path, folder = bundle
    wheels = sorted((folder / "wheelhouse").glob("*.whl"))
    names = [w.name for w in wheels]
    for tag in ("cp311", "cp312"):
        assert any(n.startswith("pywin32-") and f"-{tag}-" in n and n.endswith("win_amd64.whl") for n in names)
        assert any(n.startswith("xlwings-") and f"-{tag}-" in n for n in names)
        assert build.closure(next(w for w in wheels if w.name.startswith("xltools_jxzp-")), wheels,
                             f"3.{tag[3:]}")  # every Windows requirement has its wheel
        assert build.windows_only_requirements(
            [w for w in wheels if build.wheel_fits(w.name, f"3.{tag[3:]}")], f"3.{tag[3:]}") == []
    assert any(n.startswith(f"xltools_jxzp-{xltools.__version__}-") for n in names)
    assert not any("linux" in n or "macosx" in n for n in names)


@pytest.mark.parametrize("version", ["3.11", "3.12"])
def test_wheelhouse_resolves_offline_for_windows(bundle, version, tmp_path):
    _path, folder = bundle
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--isolated", "--no-index",
         "--disable-pip-version-check", "--find-links", str(folder / "wheelhouse"), "--platform", "win_amd64",
         "--python-version", version, "--only-binary=:all:", "--target", str(tmp_path / "t"), "xltools-jxzp"],
        capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    would = done.stdout.split("Would install", 1)[1]
    for dist in ("xltools-jxzp", "xlwings-0.37.8", "pandas", "numpy", "lxml", "python-calamine", "openpyxl"):
        assert dist in would


def test_wheel_fits():
    assert build.wheel_fits("lxml-6.2.0-cp312-cp312-win_amd64.whl", "3.12")
    assert not build.wheel_fits("lxml-6.2.0-cp312-cp312-win_amd64.whl", "3.11")
    assert not build.wheel_fits("lxml-6.2.0-cp312-cp312-manylinux_2_28_x86_64.whl", "3.12")
    assert build.wheel_fits("x-1.0-cp38-abi3-win_amd64.whl", "3.11")
    assert build.wheel_fits("openpyxl-3.1.5-py2.py3-none-any.whl", "3.11")


def test_pywin32_pin_comes_from_pyproject():
    assert build.pinned_windows_only() == ["pywin32==312"]


def test_python_zip_must_be_the_embeddable_311_or_312(tmp_path):
    bad = tmp_path / "python-3.10.11-embed-amd64.zip"
    with zipfile.ZipFile(bad, "w") as z:
        for n in ("python.exe", "pythonw.exe", "python310._pth"):
            z.writestr(n, b"")
    with pytest.raises(build.BundleError, match="需要 3.11 或 3.12"):
        build.embeddable_python(bad, tmp_path / "out")
    not_python = tmp_path / "x.zip"
    with zipfile.ZipFile(not_python, "w") as z:
        z.writestr("readme.txt", b"")
    with pytest.raises(build.BundleError, match="不是 Windows 嵌入式 Python"):
        build.embeddable_python(not_python, tmp_path / "out")
    good = tmp_path / "python-3.12.8-embed-amd64.zip"
    with zipfile.ZipFile(good, "w") as z:
        for n in ("python.exe", "pythonw.exe", "python312._pth", "python312.dll"):
            z.writestr(n, b"x")
    assert build.embeddable_python(good, tmp_path / "out") == "312"
    assert (tmp_path / "out" / "python312._pth").is_file()


def test_cli_errors_are_one_chinese_line(tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    bundle_cmd.add_arguments(parser)
    args = parser.parse_args(["windows", "-o", str(tmp_path), "--python-zip", str(tmp_path / "无.zip")])
    assert bundle_cmd.run(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：找不到嵌入式 Python 压缩包") and err.count("\n") == 1


def test_our_own_distribution_name_and_no_doc_installs_by_name_from_an_index():
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "xltools-jxzp"  # "xltools" on PyPI is somebody else's (2015, 0.1)
    assert project["scripts"] == {"xltools": "xltools.cli:main"}
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "xltools/bundle/files/readme_zh.txt"]
    for doc in docs:
        text = doc.read_text(encoding="utf-8-sig")
        for line in text.splitlines():
            if re.search(r"pip install\s+(-U\s+)?xltools(-jxzp)?\b(?![./\w-])", line):
                assert "不要" in line, f"{doc.name}: {line}"  # only ever as a warning
