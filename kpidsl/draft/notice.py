"""Reading a notice as published: a .docx (python-docx), or the text extracted from one, where
a table is flattened one cell a line, each cell's first line starting with a tab, and a name
may be broken by spaces or line breaks. Both become the same list of blocks: paragraphs and
tables (rows of cell texts), in document order."""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..data import regular_file
from ..errors import KpiError, diagnostic

MAX_NOTICE_BYTES = 50 << 20


@dataclass
class Table:
    rows: list[list[str]]


Block = str | Table  # a paragraph, or a table


def _refuse(path: Path, reason: str) -> KpiError:
    return KpiError([diagnostic("E301", "zh", path=str(path), reason=reason)])


def read(path: Path) -> list[Block]:
    regular_file(path, str(path), "zh", limit=MAX_NOTICE_BYTES)
    raw = path.read_bytes()
    if raw.startswith(b"PK"):
        return _docx(path)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):  # the OLE container of Word 97–2003
        raise _refuse(path, "是旧版 Word 文档（.doc）；请在 Word 或 WPS 中另存为 .docx 后再起草")
    if b"\x00" in raw[:4096] or raw.startswith(b"%PDF"):
        raise _refuse(path, "不是文本或 .docx 文件；请给出通知的 .docx，或从中提取的文本")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # text saved from Word on a Chinese Windows
        except UnicodeDecodeError:
            raise _refuse(path, "既不是 UTF-8 也不是 GB18030 编码的文本") from None
    blocks = _text(text)
    if not any(isinstance(b, Table) or b.strip() for b in blocks):
        raise _refuse(path, "通知是空的，没有可起草的内容")
    return blocks


def _docx(path: Path) -> list[Block]:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise _refuse(path, "读取 .docx 需要 python-docx（pip install python-docx）") from None
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as e:
        raise _refuse(path, f"不是可读的 .docx 文件（{e}）") from None
    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.extend(Paragraph(child, document).text.split("\n"))
        elif tag == "tbl":
            rows = []
            for row in DocxTable(child, document).rows:
                cells, seen = [], set()
                for cell in row.cells:  # a merged cell is repeated: keep it once, as the text does
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell.text)
                rows.append(cells)
            blocks.append(Table(rows))
    if not any(isinstance(b, Table) or b.strip() for b in blocks):
        raise _refuse(path, "通知是空的，没有可起草的内容")
    return blocks


def _text(text: str) -> list[Block]:
    """Paragraphs and tables of extracted text. A line starting with a tab starts a cell; lines
    after it continue the cell, unless two blank lines and an unindented line end the table; a
    blank line then a new cell starts a new row."""
    blocks: list[Block] = []
    rows: list[list[str]] | None = None
    blank = 0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith("\t"):
            if rows is None:
                rows = [[]]
            elif blank:
                rows.append([])
            rows[-1].append(line[1:])
            blank = 0
        elif not line.strip():
            blank += 1
        elif rows is not None and rows[-1] and (blank < 2 or line[0].isspace()):
            rows[-1][-1] += "\n" + line
            blank = 0
        else:
            if rows is not None:
                blocks.append(Table([r for r in rows if r]))
                rows = None
            blocks.append(line)
            blank = 0
    if rows is not None:
        blocks.append(Table([r for r in rows if r]))
    return blocks


def squeeze(text: str) -> str:
    """A name as the document means it: spaces and line breaks out, brackets full-width."""
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）")
