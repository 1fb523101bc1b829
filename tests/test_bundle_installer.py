"""The bundle's installer on Linux: a fake ``winreg``, real files under tmp, a fake process runner.

What a Windows install leaves behind (and uninstall takes back) is checked file by file and
value by value; the runner plays ``python -m venv``, ``pip install`` and ``pythonw -c import``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xltools.bundle import installer
from xltools.bundle.installer import System, main


class FakeKey:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeWinreg:
    """The part of ``winreg`` the installer uses, over a dict of HKCU keys → {name: (value, type)}."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_WRITE = 0x20006
    REG_SZ, REG_DWORD, REG_EXPAND_SZ = 1, 4, 2

    def __init__(self, keys=None):
        self.keys: dict[str, dict[str, tuple]] = {}
        for path, values in (keys or {}).items():  # a key's parents exist, as in a real registry
            self.CreateKeyEx(self.HKEY_CURRENT_USER, path)
            self.keys[path.lower()].update(values)

    def _get(self, path):
        if path.lower() not in self.keys:
            raise FileNotFoundError(2, "no such key", path)
        return self.keys[path.lower()]

    def OpenKey(self, root, path, reserved=0, access=0):
        self._get(path)
        return FakeKey(path)

    def CloseKey(self, key):
        pass

    def CreateKeyEx(self, root, path, reserved=0, access=0):
        parts = path.split("\\")
        for n in range(1, len(parts) + 1):
            self.keys.setdefault("\\".join(parts[:n]).lower(), {})
        return FakeKey(path)

    def QueryValueEx(self, key, name):
        values = self._get(key.path)
        if name not in values:
            raise FileNotFoundError(2, "no such value", name)
        return values[name]

    def SetValueEx(self, key, name, reserved, kind, value):
        self._get(key.path)[name] = (value, kind)

    def DeleteValue(self, key, name):
        values = self._get(key.path)
        if name not in values:
            raise FileNotFoundError(2, "no such value", name)
        del values[name]

    def EnumValue(self, key, index):
        items = list(self._get(key.path).items())
        if index >= len(items):
            raise OSError(259, "no more data")
        name, (value, kind) = items[index]
        return name, value, kind

    def EnumKey(self, key, index):
        prefix = key.path.lower() + "\\"
        children = sorted({k[len(prefix):].split("\\")[0] for k in self.keys if k.startswith(prefix)})
        if index >= len(children):
            raise OSError(259, "no more data")
        return children[index]

    def DeleteKey(self, root, path):
        prefix = path.lower() + "\\"
        if any(k.startswith(prefix) for k in self.keys):
            raise PermissionError(5, "has subkeys")
        self._get(path)
        del self.keys[path.lower()]


class Runner:
    """Plays the processes the installer starts; records every command."""

    def __init__(self, *, import_ok=True):
        self.calls: list[list[str]] = []
        self.import_ok = import_ok

    def __call__(self, args):
        self.calls.append(args)
        if args[1:3] == ["-m", "venv"]:
            scripts = Path(args[3]) / "Scripts"
            scripts.mkdir(parents=True)
            for exe in ("python.exe", "pythonw.exe"):
                (scripts / exe).write_bytes(b"MZ")
            return 0, "venv created"
        if "install" in args and ("pip" in args or args[1].endswith("/pip")):
            assert "--no-index" in args and "--find-links" in args  # never the network
            prefix = Path(args[args.index("--prefix") + 1]) if "--prefix" in args else Path(args[0]).parents[1]
            (prefix / "Lib" / "site-packages" / "xltools").mkdir(parents=True)
            return 0, "Successfully installed xltools-jxzp-0.1.0 xlwings-0.37.8"
        if args[1:] == ["-c", "import xltools, xlwings"]:
            return (0, "") if self.import_ok else (1, "ModuleNotFoundError: No module named 'xlwings'")
        raise AssertionError(f"unexpected command {args}")


@pytest.fixture
def bundle(tmp_path):
    folder = tmp_path / "解压" / "xltools-0.1.0"
    (folder / "wheelhouse").mkdir(parents=True)
    (folder / "wheelhouse" / "xltools_jxzp-0.1.0-py3-none-any.whl").write_bytes(b"PK")
    (folder / "wheelhouse" / "pip-25.0-py3-none-any.whl").write_bytes(b"PK")
    (folder / "xltools.xlam").write_bytes(b"addin")
    for name in installer.WORKBOOKS:
        (folder / name).write_bytes(name.encode("utf-8"))
    return folder


def make_system(tmp_path, winreg=None, runner=None, python=None, version=(3, 12)):
    home = tmp_path / "Users" / "张会计"  # a Chinese user name in every path
    system = System(env={"LOCALAPPDATA": str(home / "AppData" / "Local"),
                         "APPDATA": str(home / "AppData" / "Roaming")},
                    winreg=winreg or FakeWinreg(), runner=runner or Runner(),
                    python=python or tmp_path / "Python312" / "python.exe", windows=True)
    system.version = version
    return system


def run(action, bundle, system):
    out: list[str] = []
    code = main([action, "--bundle", str(bundle)], system=system, out=out.append)
    return code, out


def test_install_creates_venv_config_addin_workbooks_and_trust(tmp_path, bundle):
    system = make_system(tmp_path)
    code, out = run("install", bundle, system)
    assert code == 0 and len(out) == 1 and out[0].startswith("安装完成：")
    layout = installer.Layout(system)
    root = layout.root
    calls = system.runner.calls
    assert calls[0] == [str(system.python), "-m", "venv", str(root / "venv")]
    assert calls[1][:3] == [str(root / "venv" / "Scripts" / "python.exe"), "-m", "pip"]
    assert calls[1][calls[1].index("--find-links") + 1] == str(bundle / "wheelhouse")
    assert calls[-1] == [str(root / "venv" / "Scripts" / "pythonw.exe"), "-c", "import xltools, xlwings"]
    conf = layout.config.read_bytes()
    assert conf.startswith(b"\xef\xbb\xbf")
    assert f"INTERPRETER_WIN={root / 'venv' / 'Scripts' / 'pythonw.exe'}" in conf.decode("utf-8-sig")
    assert layout.addin.read_bytes() == b"addin"
    assert layout.addin.parent.name == "XLSTART"
    for name in installer.WORKBOOKS:
        assert (root / "workbooks" / name).is_file()
    key = r"Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations\xltools"
    assert system.reg_get(key, "Path") == (str(root) + "\\", FakeWinreg.REG_SZ)
    assert system.reg_get(key, "AllowSubfolders") == (1, FakeWinreg.REG_DWORD)
    manifest = json.loads(layout.manifest.read_text(encoding="utf-8"))
    assert str(layout.addin) in manifest["files"] and str(root / "venv") in manifest["folders"]


def test_trust_goes_to_every_office_version_the_user_has(tmp_path, bundle):
    reg = FakeWinreg({r"Software\Microsoft\Office\15.0\Excel": {}, r"Software\Microsoft\Office\16.0\Excel": {}})
    system = make_system(tmp_path, winreg=reg)
    assert run("install", bundle, system)[0] == 0
    assert installer.office_versions(system) == ["16.0", "15.0"]
    for ver in ("16.0", "15.0"):
        assert system.reg_get(installer.TRUST_KEY.format(ver=ver), "AllowSubfolders")[0] == 1
    assert not system.reg_exists(installer.TRUST_KEY.format(ver="14.0"))


def test_uninstall_takes_back_exactly_what_install_did(tmp_path, bundle):
    trust = installer.TRUST_KEY.format(ver="16.0")
    other = r"Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations\Location0"
    reg = FakeWinreg({r"Software\Microsoft\Office\16.0\Excel": {},
                      other: {"Path": ("C:\\单位文件\\", 1)},
                      trust: {"Path": ("D:\\旧位置\\", 1), "Note": ("用户自己的", 1)}})
    system = make_system(tmp_path, winreg=reg)
    layout = installer.Layout(system)
    layout.xlstart.mkdir(parents=True)
    (layout.xlstart / "PERSONAL.XLSB").write_bytes(b"mine")  # the user's own start-up file
    before = {k: dict(v) for k, v in reg.keys.items()}
    assert run("install", bundle, system)[0] == 0
    assert reg.keys[trust.lower()]["Path"][0].endswith("xltools\\")
    code, out = run("uninstall", bundle, system)
    assert code == 0 and out == ["卸载完成：已删除 xltools 的 Python 环境、加载项、设置和受信任位置。"]
    assert reg.keys == before  # the old Path is back, the user's Note and other locations untouched
    assert (layout.xlstart / "PERSONAL.XLSB").read_bytes() == b"mine"
    assert not layout.addin.exists()
    assert not layout.root.exists()
    code, out = run("uninstall", bundle, system)
    assert code == 0 and out[0].startswith("未发现 xltools 的安装记录")


def test_uninstall_removes_the_trust_key_it_created(tmp_path, bundle):
    system = make_system(tmp_path)
    run("install", bundle, system)
    run("uninstall", bundle, system)
    assert not system.reg_exists(installer.TRUST_KEY.format(ver="16.0"))
    assert not installer.Layout(system).xlstart.exists()  # created by install, empty again


def test_reinstall_replaces_the_previous_install(tmp_path, bundle):
    system = make_system(tmp_path)
    assert run("install", bundle, system)[0] == 0
    stale = installer.Layout(system).root / "venv" / "stale.txt"
    stale.write_text("old")
    assert run("install", bundle, system)[0] == 0
    assert not stale.exists()
    assert sum(1 for c in system.runner.calls if c[1:3] == ["-m", "venv"]) == 2


def test_failed_check_is_one_chinese_line_with_the_log(tmp_path, bundle):
    system = make_system(tmp_path, runner=Runner(import_ok=False))
    code, out = run("install", bundle, system)
    log = installer.Layout(system).log
    assert code == 1 and len(out) == 1
    assert out[0] == f"安装失败：安装后的 Python 无法载入 xltools 或 xlwings。（详细信息见 {log}）"
    assert "ModuleNotFoundError" in log.read_text(encoding="utf-8")
    assert "Traceback" not in out[0]


def test_wrong_python_version_says_what_to_install(tmp_path, bundle):
    system = make_system(tmp_path, version=(3, 10))
    code, out = run("install", bundle, system)
    assert code == 1 and "需要 Python 3.11 或 3.12，当前是 3.10" in out[0]
    assert system.runner.calls == []


def test_unexpected_error_goes_to_the_log_not_the_console(tmp_path, bundle):
    def broken(args):
        raise RuntimeError("boom")

    system = make_system(tmp_path, runner=broken)
    code, out = run("install", bundle, system)
    assert code == 1 and out[0].startswith("安装失败：程序内部错误 RuntimeError")
    assert "Traceback" in installer.Layout(system).log.read_text(encoding="utf-8")


def test_incomplete_bundle(tmp_path, bundle):
    (bundle / "wheelhouse" / "xltools_jxzp-0.1.0-py3-none-any.whl").unlink()
    code, out = run("install", bundle, make_system(tmp_path))
    assert code == 1 and "安装包不完整" in out[0]


def test_excel_holding_the_addin_asks_to_close_excel(tmp_path, bundle, monkeypatch):
    system = make_system(tmp_path)
    real_copy = System.copy

    def copy(self, src, dst):
        if dst.name == installer.ADDIN_NAME:
            raise PermissionError(13, "in use")
        real_copy(self, src, dst)

    monkeypatch.setattr(System, "copy", copy)
    code, out = run("install", bundle, system)
    assert code == 1 and "请先关闭所有 Excel 窗口" in out[0]


def test_embeddable_python_is_copied_and_packages_go_into_it(tmp_path, bundle):
    embedded = bundle / "python"
    embedded.mkdir()
    for name in ("python.exe", "pythonw.exe", "python312.dll"):
        (embedded / name).write_bytes(b"MZ")
    (embedded / "python312._pth").write_text("python312.zip\n.\n#import site\n", encoding="utf-8")
    system = make_system(tmp_path, python=embedded / "python.exe")
    code, out = run("install", bundle, system)
    assert code == 0, out
    target = installer.Layout(system).root / "python"
    pth = (target / "python312._pth").read_text(encoding="utf-8").splitlines()
    assert "import site" in pth and "Lib\\site-packages" in pth and "#import site" not in pth
    pip_call = system.runner.calls[0]
    assert pip_call[1].endswith("pip-25.0-py3-none-any.whl/pip") and pip_call[-2:] == ["--prefix", str(target)]
    assert f"INTERPRETER_WIN={target / 'pythonw.exe'}" in installer.Layout(system).config.read_text("utf-8-sig")
    run("uninstall", bundle, system)
    assert not target.exists() and (embedded / "python.exe").exists()  # the bundle's copy stays


def test_missing_localappdata_is_one_line(tmp_path, bundle):
    system = System(env={}, winreg=FakeWinreg(), runner=Runner(), windows=True)
    system.version = (3, 11)
    code, out = run("install", bundle, system)
    assert code == 1 and out == ["安装失败：环境变量 LOCALAPPDATA 未设置，无法确定安装位置。"]
