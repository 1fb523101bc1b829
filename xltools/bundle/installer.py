"""The Windows installer of the offline bundle: per user, no admin rights, no network.

This file is copied into the bundle as ``installer.py`` and run by ``安装.cmd`` / ``卸载.cmd``
with the Python 3.11/3.12 they found (``py`` launcher, the per-user install folders, or the
embeddable Python the bundle carries in ``python\\``). It uses the standard library only.

What ``install`` does, in order (everything it creates is recorded in a manifest, so
``uninstall`` takes exactly that back out)::

    %LOCALAPPDATA%\\xltools\\venv\\            per-user environment, from wheelhouse\\ with --no-index
       (embeddable Python: %LOCALAPPDATA%\\xltools\\python\\, packages installed with --prefix)
    %LOCALAPPDATA%\\xltools\\xltools.conf      the one user config (INTERPRETER_WIN, RULES)
    %LOCALAPPDATA%\\xltools\\workbooks\\       the template and the sample
    %APPDATA%\\Microsoft\\Excel\\XLSTART\\xltools.xlam   the add-in, opened by Excel at start
    HKCU\\Software\\Microsoft\\Office\\<ver>\\Excel\\Security\\Trusted Locations\\xltools
                                             Path = %LOCALAPPDATA%\\xltools\\, AllowSubfolders = 1
    %LOCALAPPDATA%\\xltools\\install-manifest.json

then it starts the installed ``pythonw`` with ``import xltools, xlwings`` and prints one
Chinese line: ``安装完成：…`` or ``安装失败：…（详细信息见 …\\install.log）``.

Everything that touches Windows goes through :class:`System` (environment, files, processes,
and a ``winreg``-like module), so the logic runs on Linux in the tests with a fake registry.

Example (what the tests do)::

    system = System(env={"LOCALAPPDATA": str(tmp / "local"), "APPDATA": str(tmp / "roaming")},
                    winreg=FakeWinreg(), runner=fake_runner)
    code = main(["install", "--bundle", str(bundle_dir)], system=system)
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

APP = "xltools"
DIST = "xltools-jxzp"
CONFIG_NAME = "xltools.conf"
MANIFEST_NAME = "install-manifest.json"
LOG_NAME = "install.log"
ADDIN_NAME = "xltools.xlam"
WORKBOOKS = ("绩效自评模板.xlsm", "示例_昌吉州党委宣传部2020.xlsm")
OFFICE_VERSIONS = ("16.0", "15.0", "14.0")  # 2016/2019/2021/365, 2013, 2010
TRUST_KEY = r"Software\Microsoft\Office\{ver}\Excel\Security\Trusted Locations\xltools"
SUPPORTED = ((3, 11), (3, 12))
CHECK_IMPORT = "import xltools, xlwings"


class InstallError(Exception):
    """A step failed; ``str`` is one Chinese line saying what to do."""


# ------------------------------------------------------------------------------------------------
# the small interface to Windows


class System:
    """Environment variables, files, processes and the registry, in one replaceable object.

    ``winreg`` is the standard ``winreg`` module on Windows or a stand-in with the same
    functions (``CreateKeyEx``, ``OpenKey``, ``QueryValueEx``, ``SetValueEx``, ``DeleteValue``,
    ``DeleteKey``, ``EnumValue``, ``EnumKey``) in tests. ``runner(args) -> (exit code, output)``.
    """

    def __init__(self, *, env=None, winreg=None, runner=None, python=None, windows=None):
        self.env = dict(os.environ if env is None else env)
        if winreg is None and sys.platform == "win32":
            import winreg as _winreg

            winreg = _winreg
        self.winreg = winreg
        self.runner = runner or _run
        self.python = Path(python or sys.executable)
        self.windows = (sys.platform == "win32") if windows is None else windows

    # --- paths -----------------------------------------------------------------------------
    def folder(self, name: str) -> Path:
        value = self.env.get(name)
        if not value:
            raise InstallError(f"环境变量 {name} 未设置，无法确定安装位置。")
        return Path(value)

    def scripts(self, prefix: Path) -> Path:
        return prefix / ("Scripts" if self.windows else "bin")

    def exe(self, folder: Path, name: str) -> Path:
        return folder / (f"{name}.exe" if self.windows else name)

    # --- files -------------------------------------------------------------------------------
    def copy(self, src: Path, dst: Path) -> None:
        """Copy the bytes only: no 'downloaded from the internet' mark travels with them."""
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(dst.name + ".tmp")
        tmp.write_bytes(src.read_bytes())
        os.replace(tmp, dst)
        if self.windows:
            try:
                os.remove(str(dst) + ":Zone.Identifier")
            except OSError:
                pass

    # --- registry ----------------------------------------------------------------------------
    def reg_exists(self, key: str) -> bool:
        w = self.winreg
        try:
            w.CloseKey(w.OpenKey(w.HKEY_CURRENT_USER, key))
            return True
        except OSError:
            return False

    def reg_get(self, key: str, name: str):
        w = self.winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, key) as k:
                return w.QueryValueEx(k, name)
        except OSError:
            return None

    def reg_set(self, key: str, name: str, value, kind: str) -> None:
        w = self.winreg
        with w.CreateKeyEx(w.HKEY_CURRENT_USER, key, 0, w.KEY_WRITE) as k:
            w.SetValueEx(k, name, 0, getattr(w, kind), value)

    def reg_delete_value(self, key: str, name: str) -> None:
        w = self.winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, key, 0, w.KEY_WRITE) as k:
                w.DeleteValue(k, name)
        except OSError:
            pass

    def reg_delete_key_if_empty(self, key: str) -> bool:
        w = self.winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, key) as k:
                try:
                    w.EnumValue(k, 0)
                    return False
                except OSError:
                    pass
                try:
                    w.EnumKey(k, 0)
                    return False
                except OSError:
                    pass
            w.DeleteKey(w.HKEY_CURRENT_USER, key)
            return True
        except OSError:
            return False


def _run(args: list[str]) -> tuple[int, str]:
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        done = subprocess.run([str(a) for a in args], capture_output=True, creationflags=flags)
    except OSError as exc:
        return 127, f"{type(exc).__name__}: {exc}"
    out = (done.stdout or b"") + (done.stderr or b"")
    return done.returncode, out.decode("utf-8", "replace")


# ------------------------------------------------------------------------------------------------
# the manifest: what install created


class Manifest:
    """Files, folders and registry values install created, in order; saved as JSON."""

    def __init__(self, path: Path, data: dict | None = None):
        self.path = path
        self.data = data or {"version": 1, "files": [], "folders": [], "registry": [], "created": ""}

    @classmethod
    def load(cls, path: Path) -> "Manifest | None":
        try:
            return cls(path, json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def add(self, kind: str, entry) -> None:
        if entry not in self.data[kind]:
            self.data[kind].append(entry)
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.data["created"] = self.data["created"] or _dt.datetime.now().isoformat(timespec="seconds")
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


# ------------------------------------------------------------------------------------------------
# install


class Layout:
    """Where everything goes for this user."""

    def __init__(self, system: System):
        self.system = system
        self.root = system.folder("LOCALAPPDATA") / APP
        self.venv = self.root / "venv"
        self.embedded = self.root / "python"
        self.config = self.root / CONFIG_NAME
        self.manifest = self.root / MANIFEST_NAME
        self.log = self.root / LOG_NAME
        self.workbooks = self.root / "workbooks"
        self.xlstart = system.folder("APPDATA") / "Microsoft" / "Excel" / "XLSTART"
        self.addin = self.xlstart / ADDIN_NAME


def is_embedded(python: Path) -> bool:
    """The embeddable distribution has a ``python3XX._pth`` file next to ``python.exe``."""
    return any(p.suffix == "._pth" or p.name.endswith("._pth") for p in python.parent.glob("python3*._pth"))


def check_python(version=None) -> None:
    version = tuple((version or sys.version_info)[:2])
    if version not in SUPPORTED:
        raise InstallError(f"需要 Python 3.11 或 3.12，当前是 {version[0]}.{version[1]}。"
                           "请安装 Python 3.11/3.12（可装在本用户目录，无需管理员），或使用带 Python 的安装包。")


def _wheel_name(bundle: Path) -> str:
    own = sorted(bundle.glob("wheelhouse/xltools_jxzp-*.whl"))
    if not own:
        raise InstallError(f"安装包不完整：{bundle / 'wheelhouse'} 中没有 xltools 的安装文件，请重新解压安装包。")
    return DIST


def make_environment(system: System, layout: Layout, bundle: Path, manifest: Manifest, log) -> Path:
    """Create the per-user Python environment; returns its ``pythonw``."""
    wheelhouse = bundle / "wheelhouse"
    dist = _wheel_name(bundle)
    pip_args = ["install", "--no-index", "--find-links", str(wheelhouse), "--disable-pip-version-check",
                "--no-warn-script-location", dist]
    if is_embedded(system.python):
        target = layout.embedded
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(system.python.parent, target)
        manifest.add("folders", str(target))
        _enable_site(target)
        pips = sorted(wheelhouse.glob("pip-*.whl"))
        if not pips:
            raise InstallError("安装包缺少 pip，无法使用随附的 Python，请重新生成安装包（--python-zip）。")
        python = system.exe(target, "python")
        _step(system, log, [python, str(pips[-1]) + "/pip"] + pip_args + ["--prefix", str(target)],
              "安装 xltools 及其依赖")
        return system.exe(target, "pythonw")
    if layout.venv.exists():
        shutil.rmtree(layout.venv)
    manifest.add("folders", str(layout.venv))
    _step(system, log, [system.python, "-m", "venv", str(layout.venv)], "创建 Python 环境")
    python = system.exe(system.scripts(layout.venv), "python")
    _step(system, log, [python, "-m", "pip"] + pip_args, "安装 xltools 及其依赖")
    return system.exe(system.scripts(layout.venv), "pythonw")


def _enable_site(prefix: Path) -> None:
    """Let the embeddable Python see ``Lib\\site-packages`` (its ``._pth`` file lists sys.path)."""
    for pth in prefix.glob("python3*._pth"):
        lines = [line for line in pth.read_text(encoding="utf-8").splitlines() if line.strip() != "#import site"]
        for needed in ("Lib\\site-packages", "import site"):
            if needed not in lines:
                lines.append(needed)
        pth.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _step(system: System, log, args, what: str) -> str:
    log(f"$ {' '.join(str(a) for a in args)}")
    code, out = system.runner([str(a) for a in args])
    log(out)
    if code != 0:
        raise InstallError(f"{what}失败（退出码 {code}）。")
    return out


def write_config(path: Path, interpreter: Path, rules: str = "") -> None:
    """The one config file the add-in, the template and the XT_ functions read (UTF-8 with BOM).

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "xltools.conf"
    >>> write_config(p, Path("C:/Users/张三/AppData/Local/xltools/venv/Scripts/pythonw.exe"))
    >>> p.read_bytes()[:3] == b"\\xef\\xbb\\xbf" and "INTERPRETER_WIN=" in p.read_text("utf-8-sig")
    True
    """
    text = ("# xltools 设置（安装.cmd 写入；可用记事本修改，保存为 UTF-8 或 ANSI 均可）\r\n"
            "# INTERPRETER_WIN：Python 位置；RULES：规则包文件（空 = 全国规则包）\r\n"
            f"INTERPRETER_WIN={interpreter}\r\n"
            f"RULES={rules}\r\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def office_versions(system: System) -> list[str]:
    """Office versions this user has run (their Excel key exists); 16.0 when none is found."""
    found = [v for v in OFFICE_VERSIONS if system.reg_exists(rf"Software\Microsoft\Office\{v}\Excel")]
    return found or ["16.0"]


def trust_folder(system: System, folder: Path, manifest: Manifest) -> list[str]:
    keys = []
    for ver in office_versions(system):
        key = TRUST_KEY.format(ver=ver)
        existed = system.reg_exists(key)
        values = (("Path", str(folder) + ("\\" if system.windows else "/"), "REG_SZ"),
                  ("AllowSubfolders", 1, "REG_DWORD"),
                  ("Description", "xltools 绩效自评（安装.cmd 添加）", "REG_SZ"),
                  ("Date", _dt.date.today().isoformat(), "REG_SZ"))
        for name, value, kind in values:
            old = system.reg_get(key, name)
            system.reg_set(key, name, value, kind)
            manifest.add("registry", {"key": key, "name": name, "old": list(old) if old else None,
                                      "key_created": not existed})
        keys.append(key)
    return keys


def verify(system: System, pythonw: Path, log) -> None:
    if not pythonw.exists():
        raise InstallError(f"安装后找不到 {pythonw}。")
    code, out = system.runner([str(pythonw), "-c", CHECK_IMPORT])
    log(f"$ {pythonw} -c \"{CHECK_IMPORT}\" -> {code}\n{out}")
    if code != 0:
        raise InstallError("安装后的 Python 无法载入 xltools 或 xlwings。")


def install(bundle: Path, system: System, log) -> str:
    check_python(_python_version(system))
    layout = Layout(system)
    previous = Manifest.load(layout.manifest)
    if previous is not None:
        log("发现以前的安装，先卸载。")
        undo(previous, system, log, keep_log=True)
    manifest = Manifest(layout.manifest)
    manifest.add("folders", str(layout.root))
    pythonw = make_environment(system, layout, bundle, manifest, log)
    write_config(layout.config, pythonw)
    manifest.add("files", str(layout.config))
    for name in WORKBOOKS:
        src = bundle / name
        if src.exists():
            system.copy(src, layout.workbooks / name)
            manifest.add("files", str(layout.workbooks / name))
    manifest.add("folders", str(layout.workbooks))
    addin_src = bundle / ADDIN_NAME
    if not addin_src.exists():
        raise InstallError(f"安装包不完整：缺少 {ADDIN_NAME}。")
    xlstart_existed = layout.xlstart.exists()
    try:
        system.copy(addin_src, layout.addin)
    except PermissionError as exc:
        raise InstallError("无法写入 Excel 启动文件夹：请先关闭所有 Excel 窗口，再运行安装.cmd。") from exc
    manifest.add("files", str(layout.addin))
    if not xlstart_existed:
        manifest.add("folders", str(layout.xlstart))
    trust_folder(system, layout.root, manifest)
    verify(system, pythonw, log)
    return (f"安装完成：请重新打开 Excel，功能区会出现“绩效自评”选项卡；模板和示例在 {layout.workbooks}。")


def _python_version(system: System):
    return getattr(system, "version", None) or sys.version_info


# ------------------------------------------------------------------------------------------------
# uninstall


def undo(manifest: Manifest, system: System, log, *, keep_log: bool = False) -> int:
    """Remove what the manifest lists, newest first; returns how many entries were undone."""
    done = 0
    for entry in reversed(manifest.data.get("registry", [])):
        key, name, old = entry["key"], entry["name"], entry.get("old")
        if old:
            system.reg_set(key, name, old[0], _kind_name(system, old[1]))
        else:
            system.reg_delete_value(key, name)
        done += 1
    for key in {e["key"] for e in manifest.data.get("registry", []) if e.get("key_created")}:
        system.reg_delete_key_if_empty(key)
    for file in reversed(manifest.data.get("files", [])):
        try:
            Path(file).unlink()
            done += 1
        except FileNotFoundError:
            pass
        except PermissionError as exc:
            raise InstallError(f"无法删除 {file}：请先关闭所有 Excel 窗口，再运行卸载.cmd。") from exc
    for folder in reversed(manifest.data.get("folders", [])):
        path = Path(folder)
        if not path.exists():
            continue
        if path == manifest.path.parent:
            continue  # the install root: emptied last, below
        if path.name in ("venv", "python"):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.rmdir()  # only when empty: never a folder the user filled
            except OSError:
                continue
        done += 1
    try:
        manifest.path.unlink()
    except FileNotFoundError:
        pass
    root = manifest.path.parent
    if not keep_log:
        for leftover in (root / LOG_NAME,):
            try:
                leftover.unlink()
            except OSError:
                pass
    try:
        root.rmdir()
    except OSError:
        pass
    return done


def _kind_name(system: System, kind) -> str:
    for name in ("REG_SZ", "REG_DWORD", "REG_EXPAND_SZ"):
        if getattr(system.winreg, name, None) == kind:
            return name
    return "REG_SZ"


def uninstall(system: System, log) -> str:
    layout = Layout(system)
    manifest = Manifest.load(layout.manifest)
    if manifest is None:
        return f"未发现 xltools 的安装记录（{layout.manifest}），无需卸载。"
    undo(manifest, system, log)
    return "卸载完成：已删除 xltools 的 Python 环境、加载项、设置和受信任位置。"


# ------------------------------------------------------------------------------------------------
# entry point


def main(argv: list[str] | None = None, *, system: System | None = None, out=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or _console
    action = argv[0] if argv else "install"
    bundle = Path(argv[argv.index("--bundle") + 1]) if "--bundle" in argv else Path(__file__).resolve().parent
    system = system or System()
    lines: list[str] = []

    def log(text: str) -> None:
        lines.append(str(text))

    try:
        layout = Layout(system)
        log_path = layout.log
    except InstallError as exc:
        out(f"{'安装' if action == 'install' else '卸载'}失败：{exc}")
        return 1
    try:
        if action == "install":
            text = install(bundle, system, log)
        elif action == "uninstall":
            text = uninstall(system, log)
        else:
            out(f"用法：installer.py install|uninstall（收到 {action}）")
            return 2
        code = 0
    except InstallError as exc:
        text, code = f"{'安装' if action == 'install' else '卸载'}失败：{exc}（详细信息见 {log_path}）", 1
    except Exception as exc:  # never an English traceback on the console: it goes to the log
        log(traceback.format_exc())
        text, code = (f"{'安装' if action == 'install' else '卸载'}失败：程序内部错误 {type(exc).__name__}"
                      f"（详细信息见 {log_path}）"), 1
    if action == "install" or code != 0:
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(log_path, "a", encoding="utf-8") as fh:
                fh.write(f"==== {_dt.datetime.now().isoformat(timespec='seconds')} {action}\n")
                fh.write("\n".join(lines) + f"\n{text}\n")
        except OSError:
            pass
    out(text)
    return code


def _console(text: str) -> None:
    try:
        print(text)
    except UnicodeEncodeError:
        sys.stdout.buffer.write((text + "\n").encode(sys.stdout.encoding or "utf-8", "replace"))


if __name__ == "__main__":
    sys.exit(main())
