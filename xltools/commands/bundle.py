"""``xltools bundle windows -o DIR [--python-zip FILE] [--cache DIR]``: the offline Windows bundle.

Writes ``DIR/xltools-<version>-windows-x64.zip`` (see :mod:`xltools.bundle.build`): the wheels
for CPython 3.11 and 3.12 on Windows x64, the add-in, template and sample, 安装.cmd, 卸载.cmd and
安装说明.txt. Runs on Linux; needs the package index for the wheels (cached for the next run).
Exit codes: 0 written, 2 failed (one Chinese line on stderr).
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="target", metavar="平台")
    win = sub.add_parser("windows", help="生成 Windows x64 离线安装包（zip）",
                         description="生成 Windows x64 离线安装包：依赖 wheel、加载项、模板、示例、安装.cmd 和卸载.cmd")
    win.add_argument("-o", "--out", required=True, metavar="DIR", help="输出文件夹")
    win.add_argument("--python-zip", metavar="FILE", default=None,
                     help="python.org 的 Windows 嵌入式 Python 3.11/3.12 压缩包（embeddable package），随包附带")
    win.add_argument("--cache", metavar="DIR", default=None, help="下载缓存文件夹（默认 ~/.cache/xltools-bundle）")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "target", None) != "windows":
        print("用法：xltools bundle windows -o DIR [--python-zip FILE]", file=sys.stderr)
        return 2
    from ..bundle.build import BundleError, build_windows_bundle

    try:
        path = build_windows_bundle(args.out, python_zip=args.python_zip, cache_dir=args.cache)
    except BundleError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(f"已生成：{path}（{path.stat().st_size / 1e6:.1f} MB）")
    return 0
