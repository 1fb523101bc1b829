"""``xltools rules show [national|platform_example|FILE]``: print the effective rule pack as TOML.

For copying and changing a few lines: ``xltools rules show national > 我省规则.toml``, edit, then
``xltools check --rules 我省规则.toml …``. The pack is loaded first, so a bad file gives its
Chinese error instead of being printed. A pack without ``extends`` is printed as its file stands
(its comments give the source of every rule); a pack with ``extends`` is printed merged — the
parent's values with the file's overrides applied, ``extends`` removed — so what is printed is
exactly what ``--rules`` would use, and loads on its own.

Exit codes: 0 printed; 2 the pack cannot be found or is invalid (one Chinese line on stderr).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="操作")
    show = sub.add_parser("show", help="以 TOML 显示实际生效的规则包（extends 已展开），便于复制修改",
                          description="以 TOML 显示实际生效的规则包（extends 已展开），便于复制修改。"
                                      "例如：xltools rules show national > 我省规则.toml")
    show.add_argument("pack", nargs="?", default="national", metavar="national|platform_example|FILE",
                      help="内置规则包名称或规则包文件（默认 national）")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "action", None) != "show":
        print("用法：xltools rules show [national|platform_example|FILE]", file=sys.stderr)
        return 2
    from ..core.rulepack import RulePackError, load_rulepack

    try:
        load_rulepack(args.pack)  # validates (Chinese errors) before anything is printed
        text = effective_toml(args.pack)
    except RulePackError as exc:
        print(f"错误：{exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def effective_toml(pack: str | Path) -> str:
    """The TOML text of the rule pack ``pack`` as ``--rules`` uses it (see the module doc)."""
    import tomllib

    from ..core.rulepack import _load_raw, _resolve  # the loader's own resolution and merge

    path = _resolve(str(pack))
    text = path.read_text(encoding="utf-8")
    if "extends" not in tomllib.loads(text):
        return text if text.endswith("\n") else text + "\n"
    merged = _load_raw(path)
    header = (f"# 规则包“{path.name}”实际生效的内容：extends 指向的规则包已展开，本文件的设置已覆盖其中的同名项。\n"
              "# 各条规则的出处见内置规则包的注释：xltools rules show national\n\n")
    return header + dumps(merged)


# --- a small TOML writer (the standard library reads TOML but does not write it) ----------------

def _key(key: str) -> str:
    return key if BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    # a JSON string is a TOML basic string, but for DEL, which TOML wants escaped
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007F")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if any(isinstance(v, (dict, list)) for v in value):
            return "[\n" + "".join(f"  {_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dumps(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    """``data`` (as ``tomllib`` reads it) as TOML: each table's plain keys, then its sub-tables
    as ``[a.b]`` sections; arrays of tables as arrays of inline tables.

    >>> import tomllib
    >>> doc = {"name": "我省", "budget": {"weight": "10", "keys": ["支付", "执行"]},
    ...        "bands": {"good": {"min": "80"}}, "list": [{"k": "a b", "op": ">="}]}
    >>> tomllib.loads(dumps(doc)) == doc
    True
    """
    plain = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    out = []
    if prefix and (plain or not tables):
        out.append("[" + ".".join(_key(k) for k in prefix) + "]\n")
    out.extend(f"{_key(k)} = {_value(v)}\n" for k, v in plain.items())
    for key, table in tables.items():
        if out:
            out.append("\n")
        out.append(dumps(table, prefix + (key,)))
    return "".join(out)
