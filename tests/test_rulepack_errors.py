"""A broken rule pack file gets a Chinese message naming the file, the line and what is wrong;
tomllib's English never reaches the user."""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

import pytest

from xltools.core.rulepack import TOML_ERRORS_CN, RulePackError, load_rulepack

HEAD = 'extends = "national"\nname = "某省"\n'


def english_left(message: str, path: Path) -> list[str]:
    """English words in the message once the file name, the echoed line, the user's own keys
    (in “”) and “TOML” are removed."""
    text = message.replace(str(path), "")
    text = re.sub(r"第 \d+ 行：.*$", "", text)
    text = re.sub(r"“[^”]*”", "", text)
    return re.findall(r"[A-Za-z]{2,}", text.replace("TOML", ""))


# (file body, line reported, words of the Chinese explanation)
BROKEN = [
    (HEAD + "[budget]\nlow_rate_percent = 90%\n", 4, "一行只能写一条“键 = 值”"),
    (HEAD + "[qualitative]\nmatch_order = [\"未达成\" \"达成\"]\n", 4, "列表缺少结尾的“]”"),
    (HEAD + "[budget]\nweight = \"10\n", 4, "字符串缺少结尾的引号"),
    (HEAD + "[budget]\nweight = \"10\"\nweight = \"12\"\n", 5, "同一个键写了两次"),
    (HEAD + "[budget]\n[budget]\n", 4, "表“budget”写了两次"),
    (HEAD + "[grades\n", 3, "表名缺少结尾的“]”"),
    (HEAD + "名称 = \"x\"\n", 3, "含中文的键名须加英文引号"),
    (HEAD + "title = “某省规则”\n", 3, "英文引号"),
    (HEAD + "[tolerances]\nscore\n", 4, "键名之后缺少“=”"),
    (HEAD + "level1_weights.standard = [{ name = \"产出指标\", name = \"x\" }]\n", 3, "行内表中的键“name”写了两次"),
    (HEAD + "title = \"C:\\省\\规则\"\n", 3, "反斜杠"),
]


@pytest.mark.parametrize("body, line, words", BROKEN, ids=[b[2][:8] for b in BROKEN])
def test_a_syntax_error_names_file_line_and_what_is_wrong(tmp_path, body, line, words):
    path = tmp_path / "省级规则.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RulePackError) as err:
        load_rulepack(path)
    message = str(err.value)
    assert message.startswith(f"规则包文件“{path}”不是有效的 TOML：第 {line} 行")
    assert words in message
    assert f"第 {line} 行：{body.splitlines()[line - 1].strip()}" in message  # the line as written
    assert english_left(message, path) == [], message
    assert "\n" not in message


def test_an_error_at_the_end_of_the_file(tmp_path):
    path = tmp_path / "未写完.toml"
    path.write_text(HEAD + "[budget]\nweight = ", encoding="utf-8")
    message = str(pytest.raises(RulePackError, load_rulepack, path).value)
    assert "文件末尾（第 4 行之后）" in message and "值无效" in message
    assert english_left(message, path) == []


def test_a_gbk_file_names_the_line_and_a_bom_is_accepted(tmp_path):
    gbk = tmp_path / "gbk.toml"
    # (规 is not a UTF-8 lead byte in GBK; 某省 happens to be valid UTF-8 and would pass line 2)
    gbk.write_bytes('extends = "national"\ntitle = "规则"\n'.encode("gbk"))
    message = str(pytest.raises(RulePackError, load_rulepack, gbk).value)
    assert f"规则包文件“{gbk}”第 2 行不是 UTF-8 编码" in message
    bom = tmp_path / "bom.toml"
    bom.write_bytes((HEAD + 'title = "某省规则"\n').encode("utf-8-sig"))  # Notepad's UTF-8
    assert load_rulepack(bom).name == "某省"


def test_a_folder_is_not_a_pack(tmp_path):
    with pytest.raises(RulePackError, match="是一个文件夹"):
        load_rulepack(tmp_path)


def _parser_messages() -> list[str]:
    """Every message tomllib's parser can raise, f-string fields filled with a sample detail."""
    source = inspect.getsource(inspect.getmodule(tomllib.loads))
    found = re.findall(r"""suffixed_err\(\s*src,\s*\w+,\s*(f?)(["'])(.*?)\2\s*\)""", source, re.S)
    samples = {"key": "('budget',)", "cont_key": "('a', 'b')", "abs_key_parent": "('a',)",
               "key_stem": "'a'", "expect": "\"'''\"", "src[pos]": "'\\x07'", "char": "'\\x07'"}
    out = []
    for is_f, _quote, text in found:
        if is_f:
            text = re.sub(r"\{([^{}!]+)(![rs])?\}", lambda m: samples.get(m.group(1), "'x'"), text)
        out.append(text.replace("\\\\", "\\"))
    return out


def test_every_message_of_the_parser_has_a_chinese_translation():
    messages = _parser_messages()
    assert len(messages) >= 20 and "Invalid value" in messages
    missing = [m for m in messages if not any(re.fullmatch(p, m) for p, _ in TOML_ERRORS_CN)]
    assert missing == []
