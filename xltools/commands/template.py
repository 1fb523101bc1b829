"""``xltools template build [--out DIR] [--check] [--sample FILE]``: build the Excel workbooks.

Builds ``绩效自评模板.xlsm``, ``xltools.xlam`` and (when ``DIR/samples/`` holds the sample
department's forms) ``示例_昌吉州党委宣传部2020.xlsm`` from the text sources in ``vba_bridge/``.
``--check`` writes nothing: it rebuilds into a temporary folder and exits 1 when a committed file
is missing (缺失) or stale (过期). Without ``--out`` the project root is found from the current
folder upwards (the folder holding ``vba_bridge/`` and ``pyproject.toml``) and ``workbooks/`` in it
is used; outside the project the command says "请在项目根目录运行". Exit codes: 0 built / current,
1 missing or stale, 2 the build failed or the project was not found (one Chinese line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="操作")
    build = sub.add_parser("build", help="生成模板、加载项和示例工作簿", description="生成模板、加载项和示例工作簿")
    build.add_argument("--out", default=None, metavar="DIR", help="输出文件夹（默认为项目根目录下的 workbooks）")
    build.add_argument("--check", action="store_true", help="只检查已提交的文件是否与源文件一致，不写文件")
    build.add_argument("--sample", metavar="FILE", default=None,
                       help="示例工作簿的源文件（默认 DIR/samples/昌吉州党委宣传部2020_自评表.docx 或 .xlsx）")


def project_root(start: Path | None = None) -> Path | None:
    """The folder at or above ``start`` (default: the current folder) that holds both
    ``vba_bridge/`` and ``pyproject.toml``, or ``None``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "vba_bridge").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    return None


def run(args: argparse.Namespace) -> int:
    if getattr(args, "action", None) != "build":
        print("用法：xltools template build [--out DIR] [--check]", file=sys.stderr)
        return 2
    from ..excel.template import BuildError, build
    from ..excel.template import build_all, check

    if args.out is None:
        root = project_root()
        if root is None:
            print("错误：找不到项目（含 vba_bridge 文件夹和 pyproject.toml 的文件夹），请在项目根目录运行，"
                  "或用 --out 指定输出文件夹。", file=sys.stderr)
            return 2
        out = root / "workbooks"
    else:
        out = Path(args.out)
    sample = Path(args.sample) if args.sample else None
    if sample is not None and not sample.is_file():
        print(f"错误：示例源文件“{sample}”不存在。", file=sys.stderr)
        return 2
    try:
        if args.check:
            stale = check(out, sample_source=sample)
            if stale:
                for name in stale:
                    if (out / name).is_file():
                        print(f"过期：{out / name} 与源文件不一致，请运行 xltools template build 重新生成。")
                    else:
                        print(f"缺失：{out / name} 不存在，请运行 xltools template build 生成。")
                return 1
            print(f"{out} 中的工作簿与源文件一致。")
            return 0
        written = build_all(out, sample_source=sample)
    except BuildError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"已生成：{path}")
    if build.SAMPLE_NAME not in {p.name for p in written}:
        print(f"提示：{out / build.SAMPLE_DIR} 中没有示例源文件，未生成示例工作簿。")
    return 0
