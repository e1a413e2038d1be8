"""Legal-basis citations (公开依据): parsing and formatting ``《title》（number）``.

Legal bases need their document number (豫民文〔2020〕102号 §四（三）: 全称、文号).
A number is accepted in one of the recognised shapes (``国发〔2012〕45号``,
``国务院令第711号``, ``…第N号``, a standard code such as ``GB/T37276-2018``).
A basis may go without a number when it is a generic reference (not wrapped in
《》, or starting with 各地/其他/相关), a law cited by its title
(《中华人民共和国…法》), or when it is explicitly marked ``《title》（泛指）``
(:data:`GENERIC_MARKER`, still understood on import). The exporters never
add that marker: a number-less citation is written as it is, and the importers
match it against the legal library or keep it as written with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .cells import WHITESPACE_RE, norm, strip_bullet
from .table import BasisRow

#: Written in brackets after a basis title to say "no document number on purpose".
GENERIC_MARKER = "泛指"

_NUMBER_SHAPES = (
    # 国发〔2012〕45号, 豫政办〔2019〕194号, 民发[2012]220号
    re.compile(
        r"^[\u4e00-\u9fffA-Za-z]{0,20}\s*[〔［\[【（(]\s*\d{4}\s*[〕］\]】）)]\s*第?\s*\d+\s*号$"
    ),
    # 中华人民共和国国务院令第711号, 民政部令第66号, 公告第1号
    re.compile(r"^[\u4e00-\u9fffA-Za-z0-9〔〕]{0,40}第\s*\d+\s*号$"),
    # GB/T37276-2018, GB/T 37276—2018, MZ/T 032-2012, DB41/T 1234-2016
    re.compile(
        r"^[A-Z]{1,4}\d{0,6}(?:/[A-Z])?\s*\d+(?:\.\d+)*\s*[-—–－]\s*(?:19|20)\d{2}$"
    ),
)
_NUMBER_LIKE_RE = re.compile(r"[〔［\[【]\s*\d{4}|号\s*$|令第|^(?:GB|DB|MZ)")
_LAW_TITLE_RE = re.compile(r"^《中华人民共和国[^《》]*法典?》$")
_GENERIC_PREFIXES = ("各地", "其他", "相关")


def _is_document_number(text: str) -> bool:
    """Whether ``text`` is a document number in a recognised shape."""
    text = text.strip()
    return any(shape.match(text) for shape in _NUMBER_SHAPES)


def _number_optional(title: str) -> bool:
    """Whether a basis with this title may be cited without a document number.

    Generic references (not wrapped in 《》, or starting with 各地/其他/相关) and
    laws cited by their title (《中华人民共和国…法》) carry no number.
    """
    title = title.strip()
    if not title.startswith("《") or title.startswith(_GENERIC_PREFIXES):
        return True
    return bool(_LAW_TITLE_RE.match(WHITESPACE_RE.sub("", title)))


def format_basis(basis: BasisRow) -> str:
    """Render a basis as printed in the table: ``《title》（number）``.

    A basis without a number is printed as written: never with a ``（泛指）``
    marker (issue 16: 《养老机构管理办法》 is a numbered 民政部令, not a generic
    reference). The importers accept it again: the library matches the title to
    its number, and an unknown title is kept as written with a warning.
    """
    if basis.number:
        return f"{basis.title}（{basis.number}）"
    return basis.title


@dataclass(frozen=True)
class ParsedBasis:
    """A basis as read from a cell, with what :func:`basis_problems` needs to judge it."""

    basis: BasisRow
    generic: bool = False  # marked （泛指）
    malformed_number: bool = False


def _trailing_bracket(text: str) -> tuple[str, str] | None:
    """Split ``head（inner）`` at the balanced bracket pair that ends ``text``."""
    if not text or text[-1] not in "）)":
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char in "）)":
            depth += 1
        elif char in "（(":
            depth -= 1
            if depth == 0:
                return text[:index].rstrip(), text[index + 1 : -1].strip()
    return None


def _parse_one_basis(text: str) -> ParsedBasis:
    """Read one citation: ``《title》（number）``, ``《title》number`` or a bare title."""
    text = strip_bullet(text)
    split = _trailing_bracket(text)
    if split is not None:
        head, inner = split
        if head:
            if norm(inner) == GENERIC_MARKER:
                return ParsedBasis(BasisRow(head, ""), generic=True)
            if _is_document_number(inner):
                return ParsedBasis(BasisRow(head, inner))
            if _NUMBER_LIKE_RE.search(inner):
                return ParsedBasis(BasisRow(head, inner), malformed_number=True)
    match = re.match(r"^(.*》)\s*(\S.*)$", text)
    if match:
        head, tail = match.group(1), match.group(2).strip()
        if _is_document_number(tail):
            return ParsedBasis(BasisRow(head, tail))
        if _NUMBER_LIKE_RE.search(tail):
            return ParsedBasis(BasisRow(head, tail), malformed_number=True)
    return ParsedBasis(BasisRow(text, ""))


def _split_basis_line(line: str) -> list[str]:
    """Split one line holding several bases.

    Splits at ``；`` and at ``、`` or spaces between a complete citation (ending in
    ``）`` or ``号``, or a bare 《title》) and the next ``《``, never inside 《》
    or brackets, so 其他有关法律、行政法规 stays one generic reference.
    """
    parts: list[str] = []
    buffer: list[str] = []
    title_depth = bracket_depth = 0
    index, length = 0, len(line)

    def flush() -> None:
        piece = "".join(buffer).strip()
        if piece:
            parts.append(piece)
        buffer.clear()

    while index < length:
        char = line[index]
        at_top = title_depth == 0 and bracket_depth == 0
        if at_top and char in "；;":
            flush()
            index += 1
            continue
        if at_top and (char == "、" or char.isspace()):
            end = index
            while end < length and (line[end] == "、" or line[end].isspace()):
                end += 1
            current = "".join(buffer).rstrip()
            complete = bool(current) and (
                current[-1] in "）)号" or (current[-1] == "》" and current[0] == "《")
            )
            if complete and end < length and line[end] == "《":
                flush()
                index = end
                continue
        if char == "《":
            title_depth += 1
        elif char == "》":
            title_depth = max(0, title_depth - 1)
        elif char in "（(":
            bracket_depth += 1
        elif char in "）)":
            bracket_depth = max(0, bracket_depth - 1)
        buffer.append(char)
        index += 1
    flush()
    return parts


def parse_basis(text: str) -> list[BasisRow]:
    """Parse a 公开依据 cell into bases (no validation; see the importers for that).

    One basis per line; ``●`` bullets and ``1.`` numbering are dropped; a line
    holding several citations joined by ``、`` is split. ``《title》（number）``,
    ``《title》(number)`` and ``《title》number`` are understood; ``（泛指）``
    means "no number".
    """
    return [parsed.basis for parsed in parse_basis_cell(text)]


def parse_basis_cell(text: str) -> list[ParsedBasis]:
    """Every citation of a 公开依据 cell: one per line, several on a line split."""
    parsed: list[ParsedBasis] = []
    for line in (text or "").splitlines():
        for piece in re.split(r"[●•]", line):
            for part in _split_basis_line(piece):
                part = strip_bullet(part)
                if part:
                    parsed.append(_parse_one_basis(part))
    return parsed


def basis_problems(parsed: ParsedBasis) -> list[str]:
    """What is wrong with a parsed basis (no title, a malformed or missing number)."""
    basis = parsed.basis
    if not basis.title:
        return [_("有一条公开依据缺少文件名称。")]
    if parsed.malformed_number:
        return [
            _(
                "%(title)s的文号“%(number)s”格式不正确，应写作“国发〔2012〕45号”"
                "“国务院令第711号”或标准编号（如GB/T 37276-2018）。"
            )
            % {"title": basis.title, "number": basis.number}
        ]
    if basis.number:
        if not _is_document_number(basis.number):
            return [
                _("%(title)s的文号“%(number)s”格式不正确。")
                % {"title": basis.title, "number": basis.number}
            ]
        return []
    if parsed.generic or _number_optional(basis.title):
        return []
    return [
        _("%(title)s缺少文号，请补全文号；依据库中没有此文件时按原文保留。")
        % {"title": basis.title}
    ]


# ---------------------------------------------------------------------------
# Shared import machinery
