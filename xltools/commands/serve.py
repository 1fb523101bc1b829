"""``xltools serve [--port N] [--no-browser]``: the local page (and the WPS add-in's service).

Starts a web service on 127.0.0.1 only and opens the page in the browser: add forms by dragging
files or a folder in, see every form's numbers and findings, download the 部门汇总 — the same
results as ``check`` and ``consolidate``. Exit codes: 0 — stopped (Ctrl-C or the page's 关闭服务);
2 — the service could not start (one Chinese line on stderr).

Example::

    $ xltools serve
    xltools 本地服务已启动：http://127.0.0.1:53127/?token=…
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, metavar="N",
                        help="监听的端口（默认自动选择空闲端口；只监听本机 127.0.0.1）")
    parser.add_argument("--no-browser", action="store_true", help="不自动打开浏览器（WPS 加载项启动服务时使用）")
    parser.add_argument("--max-file-mb", type=float, default=None, metavar="N",
                        help="上传的单个文件的大小上限（MB，默认 50）")
    parser.add_argument("--max-files", type=int, default=None, metavar="N",
                        help="一次最多上传的文件数（默认 2000）")


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from ..serve.server import ServeError, serve
    from ..serve.uploads import MB, UploadLimits

    if not 0 <= args.port <= 65535:
        print("错误：--port 必须是 0 到 65535 之间的整数（0 表示自动选择）。", file=sys.stderr)
        return 2
    limits = UploadLimits()
    if args.max_file_mb is not None:
        if not 0.001 <= args.max_file_mb <= 1000:
            print("错误：--max-file-mb 必须是 0.001 到 1000 之间的数（单位 MB）。", file=sys.stderr)
            return 2
        limits = dataclasses.replace(limits, max_file_bytes=int(args.max_file_mb * MB))
    if args.max_files is not None:
        if not 1 <= args.max_files <= 100_000:
            print("错误：--max-files 必须是 1 到 100000 之间的整数。", file=sys.stderr)
            return 2
        limits = dataclasses.replace(limits, max_files=args.max_files)
    try:
        return serve(args.port, open_browser=not args.no_browser, limits=limits)
    except ServeError as exc:
        print(f"错误：{exc.args[0]}", file=sys.stderr)
        return 2
