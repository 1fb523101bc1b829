"""``xltools bundle windows``: the offline installation bundle for Windows x64, built on Linux.

The zip ``xltools-<version>-windows-x64.zip`` holds one folder ``xltools-<version>/``::

    安装.cmd  卸载.cmd            ASCII, CRLF: find Python 3.11/3.12, run installer.py
    安装说明.txt                  Chinese (UTF-8 with BOM, CRLF)
    installer.py                  xltools/bundle/installer.py (standard library only)
    support/no_python.txt         what 安装.cmd prints when no Python is found
    wheelhouse/                   every runtime wheel for cp311 and cp312 win_amd64 + ours
    xltools.xlam  绩效自评模板.xlsm  示例_昌吉州党委宣传部2020.xlsm
    python/                       only with --python-zip: the embeddable CPython (+ pip wheel)

Wheels come from ``pip download --only-binary=:all: --platform win_amd64 --python-version 3.1x
--implementation cp``. pip evaluates environment markers for the *build* machine, so a
dependency marked ``sys_platform == "win32"`` (xlwings → pywin32) is left out on Linux;
:func:`windows_only_requirements` reads every downloaded wheel's ``Requires-Dist`` with the
markers evaluated for Windows and the missing ones are downloaded as well.

Downloads are cached in ``cache_dir`` (default ``~/.cache/xltools-bundle``): a wheel already
there is not fetched again, and pip's own HTTP cache serves the index pages.

Example::

    xltools bundle windows -o dist
    # 已生成：dist/xltools-0.1.0-windows-x64.zip（83.1 MB，wheel 37 个）
"""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ..writers.atomic import atomic_path

PYTHON_VERSIONS = ("3.11", "3.12")
PLATFORM = "win_amd64"
DIST = "xltools-jxzp"
FILES = Path(__file__).resolve().parent / "files"
REPO_ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = ("xltools.xlam", "绩效自评模板.xlsm", "示例_昌吉州党委宣传部2020.xlsm")
FIXED_TIME = (2020, 1, 1, 0, 0, 0)


class BundleError(Exception):
    """The bundle cannot be built; ``str`` is one Chinese line."""


def bundle_name(version: str) -> str:
    """>>> bundle_name("0.1.0")
    'xltools-0.1.0-windows-x64.zip'
    """
    return f"xltools-{version}-windows-x64.zip"


def _pip(args: list[str], what: str) -> str:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BundleError(f"{what}失败：{' '.join(tail)}")
    return done.stdout


def own_wheel(out: Path, source: Path = REPO_ROOT) -> Path:
    """Build the project's wheel (no dependencies) from the source tree."""
    if not (source / "pyproject.toml").is_file():
        raise BundleError(f"找不到 xltools 源代码（{source / 'pyproject.toml'}），安装包只能在源代码目录中生成。")
    out.mkdir(parents=True, exist_ok=True)
    # from a clean copy: a build/ folder left in the source tree could slip stale files in
    clean = out / "source"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(source / "xltools", clean / "xltools",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(source / name, clean / name)
    _pip(["wheel", "--no-deps", "-q", "-w", str(out), str(clean)], "生成 xltools 的 wheel")
    wheels = sorted(out.glob("xltools_jxzp-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise BundleError("生成 xltools 的 wheel 失败：没有得到 .whl 文件。")
    return wheels[-1]


def download(requirements: list[str], dest: Path, python_version: str) -> None:
    """Windows x64 wheels for one CPython version (binary only, markers of the build machine)."""
    dest.mkdir(parents=True, exist_ok=True)
    _pip(["download", "-q", "--only-binary=:all:", "--platform", PLATFORM, "--python-version", python_version,
          "--implementation", "cp", "-d", str(dest), *requirements],
         f"下载 Windows（Python {python_version}）的依赖")


def wheel_metadata(path: Path):
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(z.read(name).decode("utf-8"))


def _packaging():
    try:
        from packaging.markers import Marker
        from packaging.requirements import Requirement
        from packaging.utils import canonicalize_name
    except ImportError:  # pip always carries it
        from pip._vendor.packaging.markers import Marker  # type: ignore[no-redef]
        from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
        from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[no-redef]
    return Marker, Requirement, canonicalize_name


def windows_environment(python_version: str) -> dict[str, str]:
    """Marker values of CPython ``python_version`` on 64-bit Windows."""
    return {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
            "platform_machine": "AMD64", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "python_version": python_version,
            "python_full_version": python_version + ".0", "implementation_version": python_version + ".0",
            "extra": ""}


def wheel_project(path: Path) -> str:
    _m, _r, canonical = _packaging()
    return canonical(path.name.split("-")[0])


def windows_only_requirements(wheels: list[Path], python_version: str) -> list[str]:
    """Requirements that hold on Windows but have no wheel among ``wheels``.

    >>> windows_only_requirements([], "3.11")
    []
    """
    _marker, Requirement, canonical = _packaging()
    have = {wheel_project(w) for w in wheels}
    env = windows_environment(python_version)
    missing: list[str] = []
    for wheel in wheels:
        for line in wheel_metadata(wheel).get_all("Requires-Dist") or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            if canonical(req.name) not in have and str(req) not in missing:
                req.marker = None
                missing.append(str(req))
    return missing


def pinned_windows_only(source: Path = REPO_ROOT) -> list[str]:
    """Our own pins of Windows-only dependencies (``… ; sys_platform == 'win32'`` in pyproject)."""
    text = (source / "pyproject.toml").read_text(encoding="utf-8")
    return re.findall(r'"([A-Za-z0-9_.\-]+==[^;"]+);\s*sys_platform\s*==\s*[\'"]win32[\'"]"', text)


def wheel_fits(name: str, python_version: str) -> bool:
    """Does a wheel file name install on CPython ``python_version``, Windows x64?

    >>> wheel_fits("numpy-2.4.6-cp311-cp311-win_amd64.whl", "3.11"), wheel_fits("rich-15.0.0-py3-none-any.whl", "3.12")
    (True, True)
    >>> wheel_fits("numpy-2.4.6-cp311-cp311-win_amd64.whl", "3.12")
    False
    """
    parts = name[:-4].split("-")
    py, abi, plat = parts[-3], parts[-2], parts[-1]
    cp = "cp" + python_version.replace(".", "")
    if not any(p in ("any", PLATFORM) for p in plat.split(".")):
        return False
    tags = py.split(".")
    if abi == "abi3":
        return any(t.startswith("cp3") and int(t[3:]) <= int(cp[3:]) for t in tags)
    return cp in tags or any(t in ("py3", "py2.py3") for t in tags) or "py3" in tags


def closure(own: Path, wheels: list[Path], python_version: str, pins: dict[str, str] | None = None) -> list[Path]:
    """The wheels ``own`` needs on Windows for ``python_version``: its requirements followed
    through every wheel's ``Requires-Dist`` (markers evaluated for Windows), the highest
    fitting version of each (the ``pins`` version when given). Raises :class:`BundleError` naming what is missing."""
    _marker, Requirement, canonical = _packaging()
    from pip._vendor.packaging.version import Version  # noqa: PLC0415 (pip carries it)

    env = windows_environment(python_version)
    by_name: dict[str, list[Path]] = {}
    for w in wheels:
        if wheel_fits(w.name, python_version):
            by_name.setdefault(wheel_project(w), []).append(w)
    chosen: dict[str, Path] = {wheel_project(own): own}
    todo = [own]
    while todo:
        wheel = todo.pop()
        for line in wheel_metadata(wheel).get_all("Requires-Dist") or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            name = canonical(req.name)
            if name in chosen:
                continue
            fits = [w for w in by_name.get(name, []) if req.specifier.contains(w.name.split("-")[1], prereleases=True)
                    and (not pins or name not in pins or w.name.split("-")[1] == pins[name])]
            if not fits:
                raise BundleError(f"Windows（Python {python_version}）缺少依赖 {req}。")
            best = max(fits, key=lambda w: Version(w.name.split("-")[1]))
            chosen[name] = best
            todo.append(best)
    return sorted(chosen.values())


def wheelhouse(dest: Path, own: Path, cache_dir: Path, *, with_pip: bool = False) -> list[Path]:
    """Every wheel the project needs on Windows x64 for CPython 3.11 and 3.12, copied to ``dest``.

    The versions resolved for the first Python are the constraints of the next, so both
    environments run the same versions.
    """
    dest.mkdir(parents=True, exist_ok=True)
    found: dict[str, Path] = {}
    pins: list[str] = []
    for version in PYTHON_VERSIONS:
        cache = cache_dir / f"cp{version.replace('.', '')}-{PLATFORM}"
        constraints = cache_dir / f"constraints-{version}.txt"
        constraints.parent.mkdir(parents=True, exist_ok=True)
        constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
        extra = ["-c", str(constraints)]
        download([str(own), *pinned_windows_only(), *extra], cache, version)
        for _round in range(5):  # a Windows-only dependency may have its own
            wheels = [w for w in cache.glob("*.whl") if not w.name.startswith("xltools_jxzp-")] + [own]
            missing = windows_only_requirements(wheels, version)
            if not missing:
                break
            download([*missing, *extra], cache, version)
        else:
            raise BundleError(f"Windows 依赖无法补全：{', '.join(missing)}")
        wheels = [w for w in cache.glob("*.whl") if not w.name.startswith("xltools_jxzp-")]
        chosen = closure(own, wheels, version, dict(p.split("==") for p in pins))
        if not pins:
            pins = [f"{wheel_project(w)}=={w.name.split('-')[1]}" for w in chosen if w != own]
        if with_pip:
            download(["pip"], cache, version)
            chosen.append(max(cache.glob("pip-*.whl")))
        for wheel in chosen:
            found[wheel.name] = wheel
    for name, path in sorted(found.items()):
        shutil.copyfile(path, dest / name)
    return sorted(dest.glob("*.whl"))


def embeddable_python(zip_path: Path, dest: Path) -> str:
    """Unpack the embeddable CPython zip (python.org) into ``dest``; returns its version tag."""
    try:
        with zipfile.ZipFile(zip_path) as z:
            names = z.namelist()
            tags = [m.group(1) for n in names if (m := re.fullmatch(r"python(3\d+)\._pth", n))]
            if "python.exe" not in names or "pythonw.exe" not in names or not tags:
                raise BundleError(f"{zip_path.name} 不是 Windows 嵌入式 Python（embeddable package）压缩包。")
            if tags[0] not in ("311", "312"):
                raise BundleError(f"{zip_path.name} 是 Python {tags[0][0]}.{tags[0][1:]}，需要 3.11 或 3.12。")
            z.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise BundleError(f"{zip_path.name} 不是有效的 zip 文件。") from exc
    except OSError as exc:
        raise BundleError(f"无法读取 {zip_path}：{exc.strerror or exc}") from exc
    return tags[0]


def _crlf(text: bytes) -> bytes:
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def stage(folder: Path, *, wheels_dir: Path, workbooks: Path, python_zip: Path | None) -> None:
    """Lay out the bundle's folder (everything but the wheels, which ``wheels_dir`` holds)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "安装.cmd").write_bytes(_crlf((FILES / "install.cmd").read_bytes()))
    (folder / "卸载.cmd").write_bytes(_crlf((FILES / "uninstall.cmd").read_bytes()))
    (folder / "安装说明.txt").write_bytes(_crlf((FILES / "readme_zh.txt").read_bytes()))
    (folder / "support").mkdir(exist_ok=True)
    (folder / "support" / "no_python.txt").write_bytes(_crlf((FILES / "no_python.txt").read_bytes()))
    shutil.copyfile(Path(__file__).resolve().parent / "installer.py", folder / "installer.py")
    for name in WORKBOOKS:
        src = workbooks / name
        if not src.is_file():
            raise BundleError(f"找不到 {src}，请先运行 xltools template build。")
        shutil.copyfile(src, folder / name)
    if wheels_dir != folder / "wheelhouse":
        shutil.copytree(wheels_dir, folder / "wheelhouse", dirs_exist_ok=True)
    if python_zip is not None:
        embeddable_python(python_zip, folder / "python")


def write_zip(folder: Path, out: Path) -> None:
    """A reproducible zip of ``folder`` (sorted names, fixed times, UTF-8 names)."""
    with atomic_path(out, "安装包") as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for path in sorted(folder.rglob("*")):
                if path.is_dir():
                    continue
                arc = f"{folder.name}/{path.relative_to(folder).as_posix()}"
                info = zipfile.ZipInfo(arc, FIXED_TIME)
                info.external_attr = 0o644 << 16
                kind = zipfile.ZIP_STORED if path.suffix == ".whl" else zipfile.ZIP_DEFLATED
                info.compress_type = kind
                with open(path, "rb") as src, z.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)


def build_windows_bundle(out_dir: str | Path, *, python_zip: str | Path | None = None,
                         cache_dir: str | Path | None = None, workbooks: str | Path | None = None,
                         source: Path = REPO_ROOT) -> Path:
    """Build the bundle zip into ``out_dir``; returns its path."""
    from .. import __version__

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BundleError(f"无法创建输出文件夹 {out}：{exc.strerror or exc}") from exc
    cache = Path(cache_dir) if cache_dir else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "xltools-bundle"
    py_zip = Path(python_zip) if python_zip else None
    if py_zip is not None and not py_zip.is_file():
        raise BundleError(f"找不到嵌入式 Python 压缩包：{py_zip}")
    with tempfile.TemporaryDirectory(prefix="xltools-bundle-") as tmp:
        folder = Path(tmp) / f"xltools-{__version__}"
        own = own_wheel(Path(tmp) / "own", source)
        wheelhouse(folder / "wheelhouse", own, cache, with_pip=py_zip is not None)
        stage(folder, wheels_dir=folder / "wheelhouse", workbooks=Path(workbooks) if workbooks else source / "workbooks",
              python_zip=py_zip)
        target = out / bundle_name(__version__)
        write_zip(folder, target)
    return target
