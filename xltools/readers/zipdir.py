"""The central directory of a zip file held in memory (.xlsx .xlsm .docx are zip files).

A form file is small (≈ 10 KB): the reader takes its bytes in one read, checks the member sizes
here (the zip-bomb guard) and inflates the one sheet the formula scan needs, without
:mod:`zipfile`'s per-member objects and file handles — for 10,000 files that is about a tenth
of a millisecond each. Anything this plain parser does not expect (ZIP64, data before the zip,
several disks, encryption, another compression, a CRC or size that does not match) goes to
:mod:`zipfile` itself, so its errors and answers stay the library's own.

Example::

    >>> import io, zipfile
    >>> raw = io.BytesIO()
    >>> with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("xl/workbook.xml", "<workbook>年度</workbook>")
    >>> zd = open_zip(raw.getvalue())
    >>> [(m.filename, m.file_size) for m in zd.infolist()]
    [('xl/workbook.xml', 27)]
    >>> zd.read("xl/workbook.xml").decode()
    '<workbook>年度</workbook>'
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from typing import NamedTuple

_EOCD = b"PK\x05\x06"
_EOCD_TAIL = struct.Struct("<4H2LH")  # after the signature: disks, counts, size, offset, comment
_CENTRAL = struct.Struct("<4s6H3L5HLL")  # a central directory header (46 bytes)
_LOCAL_NAMES = struct.Struct("<HH")  # name and extra lengths, at offset 26 of a local header
_MAX_COMMENT = 65535
_ZIP64 = 0xFFFFFFFF


class MemberSizeMismatch(zipfile.BadZipFile):
    """A member inflates to more bytes than its header declares (a zip bomb that lies about
    its size): inflating stops at the declared size plus one byte."""


MAX_RATIO = 1100  # deflate expands at most ≈ 1032:1


def verify_sizes(zf, members, *, always_below: int = 4096) -> None:
    """Raise :class:`MemberSizeMismatch` for a member of ``members`` (from ``zf.infolist()``)
    that inflates to more than its declared ``file_size``; inflating each stops one byte past
    it, so a lie costs no more than the declared size. A member stored in fewer than
    ``always_below`` bytes is trusted (it cannot inflate past ≈ 4 MB) unless the small ones
    together could exceed what the large ones may hold.

        >>> import io, zipfile
        >>> raw = io.BytesIO()
        >>> with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        ...     z.writestr("a.xml", "0" * 10_000)
        >>> zd = open_zip(raw.getvalue()); verify_sizes(zd, zd.infolist(), always_below=0)
        >>> m = zd.infolist()[0]; zd.members["a.xml"] = m._replace(file_size=100)
        >>> verify_sizes(zd, zd.infolist(), always_below=0)
        Traceback (most recent call last):
        xltools.readers.zipdir.MemberSizeMismatch: a.xml
    """
    members = [m for m in members if m.compress_type != zipfile.ZIP_STORED]
    small = [m for m in members if m.compress_size < always_below]
    if sum(m.compress_size for m in small) * MAX_RATIO > 64 * 1024 * 1024:
        always_below = 0  # many small members: their worst case is not small any more
    for member in members:
        if member.compress_size >= always_below:
            _check_one(zf, member)


def _check_one(zf, member) -> None:
    if isinstance(zf, ZipDirectory) and not member.flag_bits & 0x1 and \
            member.compress_type == zipfile.ZIP_DEFLATED:
        data, offset = zf.data, member.header_offset
        if data[offset:offset + 4] == b"PK\x03\x04":
            n_name, n_extra = _LOCAL_NAMES.unpack_from(data, offset + 26)
            start = offset + 30 + n_name + n_extra
            inflater = zlib.decompressobj(-15)
            try:
                out = inflater.decompress(data[start:start + member.compress_size],
                                          member.file_size + 1)
            except zlib.error:
                return  # damaged, not lying: the parser says so
            if len(out) > member.file_size or inflater.unconsumed_tail:
                raise MemberSizeMismatch(member.filename)
            return
    # anything else (ZIP64, data before the zip, encryption) is read by zipfile, which stops at
    # the declared size by itself; the worker's memory limit bounds what it inflates meanwhile


class Member(NamedTuple):
    """One central directory entry, with the names :class:`zipfile.ZipInfo` uses."""

    filename: str
    flag_bits: int
    compress_type: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int


class ZipDirectory:
    """Members of an in-memory zip: :meth:`infolist`, :meth:`namelist` and :meth:`read` like a
    :class:`zipfile.ZipFile` opened for reading. Made by :func:`open_zip`."""

    def __init__(self, data: bytes, members: dict[str, Member]):
        self.data = data
        self.members = members
        self._fallback: zipfile.ZipFile | None = None

    def infolist(self) -> list[Member]:
        return list(self.members.values())

    def namelist(self) -> list[str]:
        return list(self.members)

    def read(self, name: str) -> bytes:
        """The member's bytes; ``KeyError`` when there is no such member."""
        member = self.members[name]
        if not member.flag_bits & 0x1 and member.compress_type in (zipfile.ZIP_STORED,
                                                                   zipfile.ZIP_DEFLATED):
            try:
                data = self._direct(member)
            except MemberSizeMismatch:
                raise
            except (zlib.error, struct.error, ValueError, UnicodeDecodeError):
                data = None
            if data is not None:
                return data
        return self.zipfile().read(name)  # raises the library's own error

    def head(self, name: str, size: int) -> bytes:
        """The first ``size`` bytes of a member, inflating no more than that."""
        member = self.members[name]
        data, offset = self.data, member.header_offset
        if not member.flag_bits & 0x1 and data[offset:offset + 4] == b"PK\x03\x04" and \
                member.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            n_name, n_extra = _LOCAL_NAMES.unpack_from(data, offset + 26)
            start = offset + 30 + n_name + n_extra
            stored = data[start:start + member.compress_size]
            if member.compress_type == zipfile.ZIP_STORED:
                return stored[:size]
            try:
                return zlib.decompressobj(-15).decompress(stored, size)
            except zlib.error:
                return b""
        return member_head(self.zipfile(), name, size)

    def zipfile(self) -> zipfile.ZipFile:
        if self._fallback is None:
            self._fallback = zipfile.ZipFile(io.BytesIO(self.data))
        return self._fallback

    def close(self) -> None:
        if self._fallback is not None:
            self._fallback.close()

    def _direct(self, member: Member) -> bytes | None:
        data, offset = self.data, member.header_offset
        if data[offset:offset + 4] != b"PK\x03\x04":
            return None
        n_name, n_extra = _LOCAL_NAMES.unpack_from(data, offset + 26)
        name = data[offset + 30:offset + 30 + n_name]
        if _decode_name(name, member.flag_bits) != member.filename:
            return None
        start = offset + 30 + n_name + n_extra
        stored = data[start:start + member.compress_size]
        if len(stored) != member.compress_size:
            return None
        if member.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)  # never more than declared: a lying size stops here
            out = inflater.decompress(stored, member.file_size + 1)
            if len(out) > member.file_size or inflater.unconsumed_tail:
                raise MemberSizeMismatch(member.filename)
        else:
            out = stored
        if len(out) != member.file_size or zlib.crc32(out) != member.CRC:
            return None
        return out


def member_head(zf, name: str, size: int) -> bytes:
    """The first ``size`` bytes of a member of ``zf`` (a :class:`ZipDirectory` or
    :class:`zipfile.ZipFile`), ``b""`` when it cannot be read."""
    if isinstance(zf, ZipDirectory):
        return zf.head(name, size)
    try:
        with zf.open(name) as fh:
            return fh.read(size)
    except (KeyError, zipfile.BadZipFile, OSError, zlib.error, EOFError, ValueError,
            RuntimeError, NotImplementedError):
        return b""


def _decode_name(raw: bytes, flags: int) -> str:
    """A member name as :class:`zipfile.ZipInfo` gives it."""
    name = raw.decode("utf-8" if flags & 0x800 else "cp437")
    nul = name.find("\x00")
    if nul >= 0:
        name = name[:nul]
    if os.sep != "/" and os.sep in name:
        name = name.replace(os.sep, "/")
    return name


def parse_directory(data: bytes) -> ZipDirectory | None:
    """The central directory of ``data``, or ``None`` when it is anything but the plain case
    (then :class:`zipfile.ZipFile` must read it)."""
    end = data.rfind(_EOCD, max(0, len(data) - 22 - _MAX_COMMENT))
    if end < 0 or len(data) < end + 22:
        return None
    disk, cd_disk, here, total, cd_size, cd_offset, _ = _EOCD_TAIL.unpack_from(data, end + 4)
    if disk or cd_disk or here != total or cd_offset + cd_size != end or \
            _ZIP64 in (cd_size, cd_offset) or total == 0xFFFF:
        return None
    members: dict[str, Member] = {}
    pos = cd_offset
    unpack = _CENTRAL.unpack_from
    for _ in range(total):
        if pos + 46 > end:
            return None
        (sig, _made, _need, flags, method, _time, _date, crc, csize, usize, n_name, n_extra,
         n_comment, _disk, _iattr, _eattr, offset) = unpack(data, pos)
        if sig != b"PK\x01\x02" or _ZIP64 in (csize, usize, offset):
            return None
        try:
            name = _decode_name(data[pos + 46:pos + 46 + n_name], flags)
        except UnicodeDecodeError:
            return None
        members[name] = Member(name, flags, method, crc, csize, usize, offset)
        pos += 46 + n_name + n_extra + n_comment
    if pos != end:
        return None
    return ZipDirectory(data, members)


def open_zip(data: bytes) -> ZipDirectory | zipfile.ZipFile:
    """A reader of the zip in ``data``: the plain parser, else :class:`zipfile.ZipFile`
    (which raises :class:`zipfile.BadZipFile` for a damaged file)."""
    parsed = parse_directory(data)
    return parsed if parsed is not None else zipfile.ZipFile(io.BytesIO(data))
