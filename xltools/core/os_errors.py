"""Operating-system errors in Chinese: the system's own text (``Permission denied``) is English.

    >>> import errno
    >>> os_reason(PermissionError(errno.EACCES, "Permission denied"), "读取")
    '没有读取权限'
    >>> os_reason(OSError(errno.ELOOP, "Too many levels of symbolic links"))
    '符号链接形成了循环'
    >>> os_reason(OSError(errno.EIO, "Input/output error"))
    '磁盘读写出错（错误码 5）'
"""

from __future__ import annotations

import errno

_REASONS = {
    errno.ENOENT: "找不到该文件或文件夹", errno.EPERM: "操作不被允许",
    errno.EROFS: "所在的磁盘或文件夹是只读的", errno.ENOSPC: "磁盘空间不足", errno.EISDIR: "这是一个文件夹",
    errno.EBUSY: "文件正被其他程序使用", errno.ENAMETOOLONG: "文件名过长", errno.EDQUOT: "磁盘配额已用完",
    errno.ELOOP: "符号链接形成了循环", errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.EMFILE: "同时打开的文件过多", errno.ENFILE: "同时打开的文件过多",
    errno.ENOMEM: "内存不足", errno.EFBIG: "文件过大", errno.ETXTBSY: "文件正被其他程序使用",
    errno.EAGAIN: "资源暂时不可用，请稍后再试",
}


def os_reason(exc: BaseException, action: str = "写入") -> str:
    """An operating-system error in Chinese; ``action`` (写入, 读取) names what was refused
    for a permission error. An error without a known code says only its number."""
    code = getattr(exc, "errno", None)
    if code == errno.EACCES:
        return f"没有{action}权限"
    if code in _REASONS:
        return _REASONS[code]
    if code is not None:
        return f"磁盘读写出错（错误码 {code}）"
    return "操作系统错误"
