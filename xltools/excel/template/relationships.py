"""``_rels/.rels``: the package relationship that makes Office load the ribbon.

openpyxl keeps a ``customUI`` part but drops this relationship, so the ribbon silently
disappears; we add it after every openpyxl save.

>>> rels = b'<Relationships xmlns="r"><Relationship Id="rId1" Type="t" Target="xl/workbook.xml"/></Relationships>'
>>> b'Id="rId2"' in add_relationship(rels, RIBBON_2010, "customUI/customUI14.xml")
True
"""

from __future__ import annotations

import re

RIBBON_2010 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_2007 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"


def relationships(rels: bytes) -> list[dict[str, str]]:
    """Every relationship as a dict of its attributes."""
    return [dict(re.findall(r'(\w+)="([^"]*)"', m.decode()))
            for m in re.findall(rb"<Relationship\b[^>]*>", rels)]


def add_relationship(rels: bytes, rel_type: str, target: str) -> bytes:
    """Add a relationship (next free ``rIdN``) unless one of that type and target exists."""
    existing = relationships(rels)
    if any(r.get("Type") == rel_type and r.get("Target") == target for r in existing):
        return rels
    numbers = [int(n) for n in re.findall(rb'Id="rId(\d+)"', rels)]
    new = f'<Relationship Id="rId{max(numbers, default=0) + 1}" Type="{rel_type}" Target="{target}"/>'
    return rels.replace(b"</Relationships>", new.encode() + b"</Relationships>", 1)
