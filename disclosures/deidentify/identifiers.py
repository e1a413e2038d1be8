"""Identifiers in text: digit normalisation, ID/mobile/bank-card classification, scanning.

Pure: `scan_text` finds ID numbers (GB 11643 check digit), mobile numbers and
bank cards however a clerk typed them and replaces them by ``*``.
"""

from __future__ import annotations

import operator
import re
import sys
import unicodedata
from collections.abc import Callable
from functools import cache

from django.utils.translation import gettext_lazy as _

FINDING_KIND_LABELS = {
    "id_number": _("身份证号"),
    "id_number_bad_check": _("身份证号（校验位错误）"),
    "mobile": _("手机号"),
    "bank_card": _("银行卡号"),
    "long_digits": _("11位以上的长数字"),
}


# ------------------------------------------------------------ digits and ID numbers

_ASCII_EXTRA = {
    ord("Ｘ"): "X",
    ord("ｘ"): "x",
    ord("＋"): "+",
}


@cache
def _digit_table() -> dict[int, str]:
    """Every Unicode decimal digit (full-width, Arabic-Indic, …) to its ASCII digit.

    Built on first use: most cells are ASCII and never need it.
    """
    table = dict(_ASCII_EXTRA)
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if char.isdecimal():
            table[code] = str(unicodedata.decimal(char))
    return table


def normalise_digits(text: str) -> str:
    """Map full-width and other Unicode digits (and ``Ｘ``, ``＋``) to ASCII.

    Length-preserving, so positions in the result are positions in ``text``.
    """
    if text.isascii():
        return text
    return text.translate(_digit_table())


# Separators a clerk may type inside one identifier: any whitespace (including
# the ideographic space), zero-width characters, soft hyphen and every dash.
_SEP = r"\s\u00ad\u200b-\u200d\u2060\ufeff\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
# Wider separators that only count for identifier-shaped numbers (mobile and ID):
# "138.1234.5678", "(0371)", "138/1234/5678".
_SEP_WIDE = _SEP + r"./\\()（）．·・_"

# Tier 1: a run of digits with separators inside, an optional leading "+" and a
# trailing X (the check character of an ID number). Possessive quantifiers keep
# it linear on long strings.
_RUN = re.compile(rf"(?:\+[{_SEP}]*+)?[0-9](?:[{_SEP}]*+[0-9])*+(?:[{_SEP}]*+[Xx])?")
_RUN_WIDE = re.compile(
    rf"(?:\+[{_SEP_WIDE}]*+)?[0-9](?:[{_SEP_WIDE}]*+[0-9])*+(?:[{_SEP_WIDE}]*+[Xx])?"
)
_NOT_DIGIT_OR_X = re.compile(r"[^0-9Xx]")
_NOT_DIGIT = re.compile(r"[^0-9]")
_TRAILING_X = re.compile(rf"[{_SEP}{_SEP_WIDE}]*[Xx]$")
_HAS_DIGIT = re.compile(r"\d").search
_ELEVEN_DIGITS = re.compile(r"(?:\d\D*+){11}").match  # from the first digit on
_ANY_DIGIT = re.compile(r"\d")
_SEP_CHARS = re.compile(rf"[{_SEP}]+")
_LONG_RUN = re.compile(r"[0-9]{11,}").search

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"


def gb11643_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character (``0``–``9`` or ``X``) for 17 digits."""
    digits = normalise_digits(first17)
    if len(digits) != 17 or not digits.isdigit():
        raise ValueError("gb11643_check_digit needs exactly 17 digits")
    total = sum(map(operator.mul, map(int, digits), _GB11643_WEIGHTS))
    return _GB11643_CHECK[total % 11]


def _compact(text: str) -> str:
    """Digits and X only, ASCII, upper-case X."""
    return _NOT_DIGIT_OR_X.sub("", normalise_digits(text)).upper()


def _plausible_date(year: int, month: int, day: int) -> bool:
    return 1850 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _plausible_id18(digits: str) -> bool:
    return digits[0] != "0" and _plausible_date(
        int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    )


def _plausible_id15(digits: str) -> bool:
    return digits[0] not in "09" and _plausible_date(
        1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    )


def is_valid_id_number(value: str) -> bool:
    """Whether ``value`` is a resident ID number (公民身份号码) with a correct check.

    18 characters: 17 digits and the GB 11643 check character (``x`` accepted);
    15 characters: the old all-digit format, which has no check character, so
    only its birth date is checked. Separators and full-width digits are ignored.
    """
    compact = _compact(value)
    if len(compact) == 18 and compact[:17].isdigit():
        return (
            _plausible_id18(compact)
            and gb11643_check_digit(compact[:17]) == compact[17]
        )
    if len(compact) == 15 and compact.isdigit():
        return _plausible_id15(compact)
    return False


def _mobile_core(digits: str) -> str | None:
    """The 11-digit mobile number inside ``digits`` (with or without 86/0086)."""
    n = len(digits)
    if n == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif n == 15 and digits.startswith("0086"):
        digits = digits[4:]
    elif n != 11:
        return None
    if digits[0] == "1" and digits[1] in "3456789":
        return digits
    return None


def _classify(digits: str, has_x: bool) -> str | None:
    """Finding kind of a tier-1 run: ``digits`` are ASCII digits without X."""
    n = len(digits)
    if has_x and n == 17:
        return (
            "id_number" if gb11643_check_digit(digits) == "X" else "id_number_bad_check"
        )
    if n < 11:
        return None
    if n == 18:
        if gb11643_check_digit(digits[:17]) == digits[17]:
            return "id_number"
        return "id_number_bad_check" if _plausible_id18(digits) else "bank_card"
    if _mobile_core(digits):
        return "mobile"
    if n == 15 and _plausible_id15(digits):
        return "id_number"
    if 13 <= n <= 19:
        return "bank_card"
    return "long_digits"


def _classify_wide(digits: str, has_x: bool) -> str | None:
    """Finding kind of a wide run: only identifier-shaped numbers count here.

    Dots and brackets also separate dates and amounts ("2024.01.01-2024.12.31"),
    so a wide run is masked only when it is a mobile or an 18-character ID.
    """
    n = len(digits)
    if has_x and n == 17:
        return (
            "id_number" if gb11643_check_digit(digits) == "X" else "id_number_bad_check"
        )
    if _mobile_core(digits):
        return "mobile"
    if n == 18 and _plausible_id18(digits):
        if gb11643_check_digit(digits[:17]) == digits[17]:
            return "id_number"
        return "id_number_bad_check"
    return None


Masker = Callable[[str, str], str]  # (finding kind, compact identifier) -> replacement


def _replace_runs(
    text: str,
    norm: str,
    pattern: re.Pattern,
    classify: Callable[[str, bool], str | None],
    masker: Masker | None,
    short_masker: Callable[[str], str] | None,
    kinds: list[str],
) -> str:
    """Replace the identifier runs ``pattern`` finds in ``norm`` within ``text``."""
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(norm):
        span = match.group()
        compact = _compact(span)
        has_x = compact.endswith("X")
        digits = compact[:-1] if has_x else compact
        kind = classify(digits, has_x)
        start, end = match.span()
        x_is_check = has_x and len(digits) == 17 and kind is not None
        if has_x and not x_is_check:
            # The X is a letter after a number, not a check character: keep it.
            end -= len(_TRAILING_X.search(span).group())
        if kind is None:
            if short_masker is None or len(digits) < 5:
                continue
            replacement = short_masker(digits)
        else:
            kinds.append(kind)
            identifier = digits + "X" if x_is_check else digits
            replacement = masker(kind, identifier) if masker else "*" * (end - start)
        pieces.append(text[last:start])
        pieces.append(replacement)
        last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


_DIGIT_GROUP = re.compile(r"[0-9]+")
_WIDE_LENGTHS = frozenset({11, 13, 15, 17, 18})


def _replace_wide_runs(
    text: str, norm: str, masker: Masker | None, kinds: list[str]
) -> str:
    """Mask mobiles and ID numbers written with dots, slashes or brackets.

    A wide run may hold more than the identifier ("5.138.1234.5678"), so every
    stretch of consecutive digit groups inside it is tried, shortest first.
    """
    spans: list[tuple[int, int, str, str]] = []
    for match in _RUN_WIDE.finditer(norm):
        run = match.group()
        groups = [(g.start(), g.end()) for g in _DIGIT_GROUP.finditer(run)]
        if sum(end - start for start, end in groups) < 11:
            continue
        ends_with_x = run[-1] in "Xx"
        i = 0
        while i < len(groups):
            digits = ""
            for j in range(i, len(groups)):
                digits += run[groups[j][0] : groups[j][1]]
                if len(digits) > 18:
                    break
                if len(digits) not in _WIDE_LENGTHS:
                    continue
                has_x = ends_with_x and j == len(groups) - 1 and len(digits) == 17
                kind = _classify_wide(digits, has_x)
                if kind is None:
                    continue
                start = match.start() + groups[i][0]
                if i == 0 and run[0] == "+":
                    start = match.start()
                end = match.end() if has_x else match.start() + groups[j][1]
                spans.append((start, end, kind, digits + "X" if has_x else digits))
                i = j
                break
            i += 1
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end, kind, identifier in spans:
        kinds.append(kind)
        pieces.append(text[last:start])
        pieces.append(masker(kind, identifier) if masker else "*" * (end - start))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _has_eleven_digits(text: str) -> bool:
    match = _HAS_DIGIT(text)
    return match is not None and _ELEVEN_DIGITS(text, match.start()) is not None


def _scan(
    text: str,
    masker: Masker | None = None,
    *,
    short_masker: Callable[[str], str] | None = None,
) -> tuple[str, list[str]]:
    """Mask identifiers in ``text``; return the new text and the kinds found.

    ``masker`` may replace a found identifier by a partial mask (enabled ID and
    phone columns); by default the whole span becomes ``*``. ``short_masker``
    also handles digit runs of 5 to 10 digits (landlines in a phone column).
    """
    kinds: list[str] = []
    norm = normalise_digits(text)
    text = _replace_runs(text, norm, _RUN, _classify, masker, short_masker, kinds)
    # Tier 2: identifier-shaped numbers written with dots, slashes or brackets.
    norm = normalise_digits(text)
    if _has_eleven_digits(norm):
        text = _replace_wide_runs(text, norm, masker, kinds)
        norm = normalise_digits(text)
        # Belt and braces: the invariant holds whatever the classification said.
        if _LONG_RUN(_SEP_CHARS.sub("", norm)):
            kinds.append("long_digits")
            text = _ANY_DIGIT.sub("*", text)
    return text, kinds


def scan_text(text: str) -> tuple[str, list[str]]:
    """Find and mask identifiers in free text; return the masked text and kinds.

    Finds ID numbers (18 characters with or without a correct GB 11643 check,
    the 15-digit old format, lower-case ``x``), mobile numbers (with or without
    ``+86``/``0086``, any separators) and bank cards (13–19 digits), written with
    full-width digits, spaces or hyphens inside. Each is replaced by as many
    ``*`` as it had characters. Any other run of 11 or more digits is masked too
    (``long_digits``). Kinds are ``id_number``, ``id_number_bad_check``,
    ``mobile``, ``bank_card`` and ``long_digits``. Text with fewer than 11 digits
    is returned unchanged.
    """
    if not _has_eleven_digits(text):
        return text, []
    return _scan(text)
