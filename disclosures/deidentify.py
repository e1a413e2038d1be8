"""De-identification of published name lists (名单公示去标识化, SPEC §5).

This module is pure: no ORM, no files, no clock. ``disclosures.spreadsheets``
reads uploads into rows; services and the ``deidentify`` command feed those rows
through :func:`deidentify_rows` and store or write only what comes out.

The rules, in the order they apply to a cell:

1. **Deny by default.** A column is published only when it is mapped to a kind
   that is safe to publish (:func:`publishable`). By default that is exactly the
   four fields of 《社会救助暂行办法》第六十一条 (`ARTICLE_61_KINDS`): name,
   household size, amount, village/community. The province policy may add a
   named kind (类别, 地址 cut to the village, ID and phone numbers masked); bank
   cards and the free-text kinds (备注, 原因, unmapped "other" columns,
   `FREE_TEXT_KINDS`) are never published, whatever their header says.
2. **Masking by kind.** Names follow the list's policy (full or ``张*明``),
   addresses are cut to the village or community, enabled ID numbers keep their
   first character and last two (``4***************3X``), enabled phones keep
   ``138****5678``.
3. **Scanning.** Every published cell, free text included, is scanned for ID
   numbers, mobile numbers and bank cards written in any of the ways clerks
   write them (full-width digits, spaces, hyphens, ``+86``, lower-case ``x``).
   What is found is replaced by ``*`` and reported, never quoted.

Sensitive words (health, disability, criminal record …, `SENSITIVE_WORDS`) are
not masked, because a word cannot be masked safely: the column holding them
must stay unpublished. `find_sensitive_words` names their kinds for the
warnings of the mapping page and of the processing report.

Invariant (checked by property tests): after normalising full-width digits,
whitespace and hyphens, no published cell holds a run of 11 or more digits,
unless its column is numeric by kind (amount, household size) and the cell is
a plain number below 10^10.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import cache

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ARTICLE_61_KINDS",
    "COLUMN_KIND_CHOICES",
    "COLUMN_KIND_LABELS",
    "COMPOUND_SURNAMES",
    "FINDING_KIND_LABELS",
    "FREE_TEXT_KINDS",
    "MAX_STORED_FINDINGS",
    "NUMERIC_KINDS",
    "POLICY_OPTIONAL_KINDS",
    "PROVINCE_DEFAULT_POLICY",
    "SENSITIVE_WORDS",
    "SENSITIVE_WORD_KIND_LABELS",
    "ColumnKind",
    "ColumnReport",
    "DeidentificationReport",
    "DeidentifiedTable",
    "DeidentifyError",
    "Finding",
    "MaskingPolicy",
    "cut_address_to_village",
    "deidentify_rows",
    "find_sensitive_words",
    "gb11643_check_digit",
    "is_valid_id_number",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "mask_sample",
    "normalise_digits",
    "publishable",
    "scan_text",
    "suggest_kind",
    "suggest_mapping",
]


# --------------------------------------------------------------------------- kinds


class ColumnKind(str, Enum):
    """What a column of a name list holds; decides whether and how it is published."""

    NAME = "name"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    BANK_CARD = "bank_card"
    ADDRESS = "address"
    HOUSEHOLD_SIZE = "household_size"
    AMOUNT = "amount"
    VILLAGE = "village"
    CATEGORY = "category"
    REMARK = "remark"
    REASON = "reason"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


COLUMN_KIND_LABELS = {
    ColumnKind.NAME: _("姓名"),
    ColumnKind.ID_NUMBER: _("身份证号"),
    ColumnKind.PHONE: _("手机号/电话"),
    ColumnKind.BANK_CARD: _("银行卡号"),
    ColumnKind.ADDRESS: _("地址"),
    ColumnKind.HOUSEHOLD_SIZE: _("家庭人口"),
    ColumnKind.AMOUNT: _("金额"),
    ColumnKind.VILLAGE: _("村/社区"),
    ColumnKind.CATEGORY: _("类别"),
    ColumnKind.REMARK: _("备注"),
    ColumnKind.REASON: _("原因（致困原因等）"),
    ColumnKind.OTHER: _("其他（不公开）"),
}

# For form fields: (value, label) in declaration order.
COLUMN_KIND_CHOICES = [(kind.value, COLUMN_KIND_LABELS[kind]) for kind in ColumnKind]

# Kinds whose cells are numbers; plain numeric cells there are exempt from the
# 11-digit rule (an amount is not an identifier).
NUMERIC_KINDS = frozenset({ColumnKind.AMOUNT, ColumnKind.HOUSEHOLD_SIZE})

# Published by default: exactly the four fields a 名单公示 needs
# (《社会救助暂行办法》第六十一条: 姓名、家庭人口、金额、村/社区).
ARTICLE_61_KINDS = frozenset(
    {ColumnKind.NAME, ColumnKind.HOUSEHOLD_SIZE, ColumnKind.AMOUNT, ColumnKind.VILLAGE}
)
# Named kinds the province policy may publish (switches of `MaskingPolicy`).
POLICY_OPTIONAL_KINDS = frozenset(
    {ColumnKind.CATEGORY, ColumnKind.ADDRESS, ColumnKind.ID_NUMBER, ColumnKind.PHONE}
)
# Free text is never published: a clerk writes "户主患尿毒症" into a remark, and
# no scanner can mask a diagnosis. Bank cards are never published either.
FREE_TEXT_KINDS = frozenset({ColumnKind.REMARK, ColumnKind.REASON, ColumnKind.OTHER})

FINDING_KIND_LABELS = {
    "id_number": _("身份证号"),
    "id_number_bad_check": _("身份证号（校验位错误）"),
    "mobile": _("手机号"),
    "bank_card": _("银行卡号"),
    "long_digits": _("11位以上的长数字"),
}

# Findings kept one by one in a report; beyond this only the counters grow, so a
# 100k-row list full of identifiers in its remarks still runs in bounded memory.
MAX_STORED_FINDINGS = 1000
# Rows named per warning (address not cut, …) before "等" is appended.
MAX_ROWS_PER_WARNING = 20


@dataclass(frozen=True)
class MaskingPolicy:
    """The province-wide masking policy (one for the whole province, SPEC §5).

    Lists masked differently could be combined to reveal more digits, so the
    switches belong to the province; only ``mask_names`` is chosen per list.
    Everything is off by default: only the four fields of 第六十一条 are
    published. Bank cards and free text (备注, 原因, other) are never published.
    """

    publish_id_number: bool = False
    publish_phone: bool = False
    mask_names: bool = False
    publish_category: bool = False
    publish_address: bool = False


PROVINCE_DEFAULT_POLICY = MaskingPolicy()


class DeidentifyError(ValueError):
    """Input that cannot be de-identified; the message is for the uploader (Chinese).

    ``row`` is the row number as in the source file and ``column`` the column
    letter or header, when the problem has a place.
    """

    def __init__(self, message, *, code: str = "invalid", row=None, column=None):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.row = row
        self.column = column

    def __str__(self) -> str:
        return self.message


def publishable(kind: ColumnKind | str | None, policy: MaskingPolicy) -> bool:
    """Whether a column of this kind may appear in the published list at all.

    The four kinds of 第六十一条 always; 类别, 地址, ID and phone numbers only
    when the province policy enables them; bank cards and free text never.
    """
    if kind is None or kind == "":
        return False
    kind = ColumnKind(kind)
    if kind in ARTICLE_61_KINDS:
        return True
    return {
        ColumnKind.ID_NUMBER: policy.publish_id_number,
        ColumnKind.PHONE: policy.publish_phone,
        ColumnKind.CATEGORY: policy.publish_category,
        ColumnKind.ADDRESS: policy.publish_address,
    }.get(kind, False)


def no_publishable_column_message() -> str:
    """The refusal of a mapping that publishes nothing (translated when called)."""
    return gettext("没有可以公开的列：请至少将一列对应为姓名、家庭人口、金额或村/社区。")


# ------------------------------------------------------------- header suggestions

_HEADER_NOISE = re.compile(r"[\s*＊:：\u200b\ufeff]+")
_HEADER_TRAILING_UNIT = re.compile(r"[(（][^()（）]*[)）]$")

# (kind, exact headers, substrings). Exact names are tried first, then the
# substrings in this order: identifier kinds first, so "申请人身份证号" is an ID
# number and "户主联系电话" a phone, never a name.
_HEADER_RULES: tuple[tuple[ColumnKind, frozenset[str], tuple[str, ...]], ...] = (
    (
        ColumnKind.ID_NUMBER,
        frozenset({"身份证", "证件号", "身份证号", "身份证号码", "公民身份号码", "证件号码"}),
        ("身份证", "身份号码", "证件号"),
    ),
    (
        ColumnKind.BANK_CARD,
        frozenset({"账号", "卡号", "账户", "帐号", "帐户", "银行卡号"}),
        ("银行卡", "银行账", "银行帐", "卡号", "账号", "帐号", "存折", "账户", "帐户", "开户行", "开户银行"),
    ),
    (
        ColumnKind.PHONE,
        frozenset({"电话", "手机", "手机号", "联系电话"}),
        ("电话", "手机", "联系方式"),
    ),
    (
        ColumnKind.HOUSEHOLD_SIZE,
        frozenset({"人数", "人口", "家庭人口", "保障人口"}),
        ("家庭人口", "保障人口", "人数", "户人口", "人口数"),
    ),
    (
        ColumnKind.AMOUNT,
        frozenset({"金额", "保障金", "补助标准"}),
        ("金额", "保障金", "补助标准", "补助金", "救助金", "补贴标准", "补贴金", "发放标准", "保障标准", "供养标准", "供养金"),
    ),
    (
        ColumnKind.ADDRESS,
        frozenset({"住址", "地址"}),
        ("住址", "地址", "居住地"),
    ),
    (
        ColumnKind.VILLAGE,
        frozenset({"村", "社区", "村(社区)", "村/社区", "所属村", "所在村", "村居", "村别", "村名"}),
        ("村(社区)", "村/社区", "所属村", "所在村", "村委", "社区", "村居"),
    ),
    (
        ColumnKind.CATEGORY,
        frozenset({"类别", "档次", "类型", "人员类别", "对象类别"}),
        ("保障类", "救助类", "供养类", "低保类", "对象类别", "档次", "施保类别"),
    ),
    (
        ColumnKind.REMARK,
        frozenset({"备注", "说明", "备考", "情况说明", "家庭情况"}),
        ("备注", "情况说明", "家庭情况", "基本情况"),
    ),
    (
        ColumnKind.NAME,
        frozenset({"姓名", "户主", "申请人", "救助对象", "保障对象", "供养对象", "名字", "户名"}),
        ("姓名",),
    ),
)

# Why a household is on the list (致困原因, 救助事由 …): recognised, so that the
# column is known for what it is, and never published (a free-text kind).
_REASON_EXACT = frozenset({"原因", "事由", "理由"})
_REASON_PARTS = ("原因", "事由", "理由", "致困", "致贫", "困难类型", "困难情况")

# Headers about sensitive facts that a list must not publish, whatever else
# they contain: "家庭人均收入(元)" is not an amount to publish, "残疾类别" not a
# category.
_SENSITIVE_HEADER_PARTS = ("收入", "存款", "财产", "残疾", "病", "健康", "民族", "宗教")

# Longer than this a "header" is a title or a sentence, not a column name.
_MAX_HEADER_LENGTH = 12


def _normalise_header(header: object) -> str:
    text = unicodedata.normalize("NFKC", str(header or ""))
    return _HEADER_NOISE.sub("", text).lower()


def suggest_kind(header: object) -> ColumnKind | None:
    """Suggest a column kind from a header as clerks write it, or ``None``.

    Full-width brackets, spaces, asterisks and a trailing unit such as ``（元）``
    are ignored: ``申请人（姓名）``, ``月保障金额(元)`` and ``村（社区）`` all match.
    ``None`` means "not recognised"; such a column stays unpublished, and so do
    headers naming sensitive facts (income, disability, illness …). Reasons
    (原因, 困难原因, 致困原因, 救助事由 …) are `ColumnKind.REASON`, never published.
    """
    text = _normalise_header(header)
    stripped = _HEADER_TRAILING_UNIT.sub("", text) or text
    if not text or len(stripped) > _MAX_HEADER_LENGTH:
        return None
    if stripped in _REASON_EXACT or any(part in text for part in _REASON_PARTS):
        return ColumnKind.REASON
    if any(part in text for part in _SENSITIVE_HEADER_PARTS):
        return None
    for kind, exact, _parts in _HEADER_RULES:
        if text in exact:
            return kind
    # Substrings before the unit-less exact names: in "申请人（身份证号）" the
    # bracket is the point, in "人口（人）" it is only a unit.
    for kind, _exact, parts in _HEADER_RULES:
        for part in parts:
            if part in text:
                return kind
    for kind, exact, _parts in _HEADER_RULES:
        if stripped in exact:
            return kind
    return None


def suggest_mapping(header: Sequence[object]) -> dict[int, ColumnKind]:
    """Suggested kinds by column index for the recognised headers only."""
    mapping = {}
    for index, cell in enumerate(header):
        kind = suggest_kind(cell)
        if kind is not None:
            mapping[index] = kind
    return mapping


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
    total = sum(int(d) * w for d, w in zip(digits, _GB11643_WEIGHTS, strict=True))
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
        return _plausible_id18(compact) and gb11643_check_digit(compact[:17]) == compact[17]
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
        return "id_number" if gb11643_check_digit(digits) == "X" else "id_number_bad_check"
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
        return "id_number" if gb11643_check_digit(digits) == "X" else "id_number_bad_check"
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


def _replace_wide_runs(text: str, norm: str, masker: Masker | None, kinds: list[str]) -> str:
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


# ------------------------------------------------------------------------ masking


def mask_id_number(value: str) -> str:
    """First character and last two kept, the rest ``*``: ``4***************3X``.

    Length is preserved (18 stays 18, 15 stays 15); separators are dropped,
    full-width digits become ASCII and ``x`` becomes ``X``.
    """
    compact = _compact(value)
    if len(compact) < 6:
        return "*" * len(compact)
    return compact[0] + "*" * (len(compact) - 3) + compact[-2:]


def mask_phone(value: str) -> str:
    """A mobile keeps its first three and last four digits: ``138****5678``.

    ``+86``/``0086`` is dropped. Any other number (a landline) keeps only its
    last four digits, the rest ``*``.
    """
    digits = _NOT_DIGIT.sub("", normalise_digits(value))
    mobile = _mobile_core(digits)
    if mobile:
        return mobile[:3] + "****" + mobile[7:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


COMPOUND_SURNAMES = frozenset(
    """
    欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 宇文 司徒 夏侯 轩辕 端木
    独孤 南宫 西门 百里 呼延 申屠 万俟 闻人 赫连 澹台 公冶 宗政 濮阳 太叔 仲孙 钟离
    单于 司空 司寇 东郭 南门 淳于 拓跋 第五 公羊 谷梁 巫马 左丘 梁丘 子车 颛孙 亓官
    羊舌 微生 乐正 壤驷 公良 漆雕 宰父 段干 归海 东门 公西 鲜于 闾丘 仉督 夹谷 呼衍
    锺离 歐陽 司馬 諸葛 東方 尉遲 公孫 長孫 軒轅 獨孤 南宮 西門 聞人 赫連 澹臺 濮陽
    仲孫 鍾離 單于 萬俟 令狐
    """.split()
)

_CJK_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•・]+")
_NAME_DOTS = frozenset("·•・")


def mask_name(value: str) -> str:
    """Mask the given name, keep the surname: ``张*明``, ``张*``, ``欧阳*明``.

    Compound surnames (欧阳, 司马, 诸葛, 上官 …) are kept whole. All characters of
    the given name but its last are masked; a one-character given name is
    masked entirely. Names of ethnic minorities written with a middle dot keep
    their first and last character and the dots (``买**·*力``). Anything after
    the name (``（户主）``) is kept as it is.
    """
    text = value.strip()
    match = _CJK_NAME.match(text)
    if not match:
        if len(text) <= 1:
            return text
        return text[0] + "".join(" " if c.isspace() else "*" for c in text[1:])
    name, rest = match.group(), text[match.end() :]
    if any(c in _NAME_DOTS for c in name):
        inner = "".join(c if c in _NAME_DOTS else "*" for c in name[1:-1])
        return name[0] + inner + name[-1] + rest if len(name) > 1 else name + rest
    if len(name) <= 1:
        return name + rest
    surname = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
    given = name[surname:]
    if len(given) == 1:
        return name[:surname] + "*" + rest
    return name[:surname] + "*" * (len(given) - 1) + given[-1] + rest


_VILLAGE_MARK = re.compile(r"村|社区|居委会|居民委员会")
# A kept prefix holding any of these points below the village (a house number),
# so it cannot be trusted.
_BELOW_VILLAGE = re.compile(r"\d|号|室|单元|栋|幢|门牌")


def cut_address_to_village(value: str) -> str:
    """Keep an address up to and including its village or community.

    The cut is after the first ``村``, ``社区``, ``居委会`` or ``居民委员会``.
    When there is none, or the part before it already holds a house number
    (a digit, 号, 室, 单元, 栋, 幢), nothing can be trusted and ``""`` is
    returned: publishing no address is safe, guessing a cut is not.
    """
    text = value.strip()
    match = _VILLAGE_MARK.search(text)
    if not match:
        return ""
    kept = text[: match.end()]
    if _BELOW_VILLAGE.search(kept):
        return ""
    return kept


# ----------------------------------------------------------------- sensitive words

# Words that reveal health, disability, mental state, a criminal record or drug
# use: facts about a person that no name list may publish. The one list; the
# mapping page and the processing report both use it. Matching is by
# substring: "因病致困" holds "因病", "精神残疾" both "精神" and "残疾".
SENSITIVE_WORDS: dict[str, tuple[str, ...]] = {
    "illness": (
        "尿毒症", "癌", "肿瘤", "白血病", "重病", "大病", "因病", "患病", "病重", "重症",
        "透析", "瘫痪", "偏瘫", "脑梗", "脑瘫", "植物人", "艾滋", "HIV", "ＨＩＶ", "乙肝", "结核",
        "慢性病", "化疗", "住院",
    ),
    "disability": ("残疾", "残障", "失明", "聋哑", "肢残", "重残", "盲人", "截肢"),
    "mental": ("精神", "智力", "智障", "低能", "痴呆", "弱智", "抑郁"),
    "criminal": ("刑满释放", "服刑", "在押", "劳改", "劳教", "犯罪", "判刑", "缓刑", "假释", "社区矫正"),
    "drugs": ("吸毒", "戒毒", "涉毒"),
}

SENSITIVE_WORD_KIND_LABELS = {
    "illness": _("疾病"),
    "disability": _("残疾"),
    "mental": _("精神或智力状况"),
    "criminal": _("违法犯罪记录"),
    "drugs": _("吸毒、戒毒"),
}

_SENSITIVE_KIND_OF = {
    word.lower(): kind for kind, words in SENSITIVE_WORDS.items() for word in words
}
_SENSITIVE_RE = re.compile(
    "|".join(re.escape(w) for w in sorted(_SENSITIVE_KIND_OF, key=len, reverse=True)),
    re.IGNORECASE,
)


def find_sensitive_words(text: object) -> list[str]:
    """Kinds of sensitive words in ``text`` (``illness``, ``disability`` …), each once, in order.

    Text only: numbers and empty cells hold none.
    """
    if type(text) is not str or not text:
        return []
    found: list[str] = []
    for match in _SENSITIVE_RE.finditer(text):
        kind = _SENSITIVE_KIND_OF[match.group().lower()]
        if kind not in found:
            found.append(kind)
    return found


def sensitive_kinds_label(kinds: Iterable[str]) -> str:
    """``疾病、残疾`` for ``["illness", "disability"]``."""
    return "、".join(str(SENSITIVE_WORD_KIND_LABELS[k]) for k in kinds)


# ------------------------------------------------------------------ staff samples

SAMPLE_MAX_LENGTH = 30


def mask_sample(value: object, kind: ColumnKind | str | None) -> str:
    """A source cell as the mapping page may show it to staff: masked, short.

    Masked by the column's (suggested) kind: names ``张*明``, ID numbers
    ``4***************3X``, phones ``138****5678``, bank cards all ``*``,
    addresses cut to the village; then, whatever the kind, scanned like free
    text, so an ID typed into a remark is masked too. Never the raw value.
    """
    if value is None:
        return ""
    text = _to_text(value).strip()
    if not text:
        return ""
    kind = ColumnKind(kind) if kind else None
    if kind is ColumnKind.NAME:
        text = mask_name(text)
    elif kind is ColumnKind.ID_NUMBER:
        text = _scan(text, _id_masker, short_masker=_short_all)[0]
    elif kind is ColumnKind.PHONE:
        text = _scan(text, _phone_masker, short_masker=mask_phone)[0]
    elif kind is ColumnKind.BANK_CARD:
        text = _ANY_DIGIT.sub("*", text)
    elif kind is ColumnKind.ADDRESS:
        text = cut_address_to_village(text) or gettext("（无法截取到村/社区）")
    text = scan_text(text)[0]
    if len(text) > SAMPLE_MAX_LENGTH:
        text = text[: SAMPLE_MAX_LENGTH - 1] + "…"
    return text


# ------------------------------------------------------------------------ pipeline


@dataclass
class Finding:
    """An identifier found and masked in a published cell.

    ``row`` is the row number as in the source file, ``column`` the column
    header. The finding never holds the identifier itself.
    """

    row: int
    column: str
    kind: str

    @property
    def kind_label(self) -> str:
        return str(FINDING_KIND_LABELS.get(self.kind, self.kind))

    @property
    def message(self) -> str:
        return gettext("第%(row)s行“%(column)s”列：发现%(kind)s，已遮蔽。") % {
            "row": self.row,
            "column": self.column,
            "kind": self.kind_label,
        }


@dataclass
class ColumnReport:
    """One source column: what it was mapped to and whether it is published."""

    index: int
    header: str
    kind: ColumnKind
    published: bool
    reason: str = ""
    masked_cells: int = 0
    # Published cells holding sensitive words: by word kind, and the first rows.
    sensitive: Counter = field(default_factory=Counter)
    sensitive_cells: int = 0
    sensitive_rows: list[int] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(COLUMN_KIND_LABELS[self.kind])


@dataclass
class DeidentificationReport:
    """What happened to a list; complete once its rows have been consumed."""

    columns: list[ColumnReport] = field(default_factory=list)
    rows_total: int = 0
    rows_published: int = 0
    rows_blank: int = 0
    findings: list[Finding] = field(default_factory=list)
    findings_total: int = 0
    findings_by_kind: Counter = field(default_factory=Counter)
    names_masked: int = 0
    addresses_cut: int = 0
    addresses_dropped_rows: list[int] = field(default_factory=list)
    addresses_dropped: int = 0

    @property
    def columns_kept(self) -> list[ColumnReport]:
        return [c for c in self.columns if c.published]

    @property
    def columns_dropped(self) -> list[ColumnReport]:
        return [c for c in self.columns if not c.published]

    @property
    def masked_cells(self) -> dict[str, int]:
        """Cells changed by masking, by column header."""
        return {c.header: c.masked_cells for c in self.columns_kept if c.masked_cells}

    @property
    def findings_truncated(self) -> bool:
        return self.findings_total > len(self.findings)

    def summary_lines(self) -> list[str]:
        """The summary and warnings for the uploader, in Chinese, one per line."""
        lines = [
            gettext("共读取%(total)s行数据，公开%(published)s行（跳过空行%(blank)s行）。")
            % {
                "total": self.rows_total,
                "published": self.rows_published,
                "blank": self.rows_blank,
            }
        ]
        kept = "、".join(
            gettext("“%(header)s”（%(kind)s）") % {"header": c.header, "kind": c.kind_label}
            for c in self.columns_kept
        )
        lines.append(gettext("公开的列：%(columns)s") % {"columns": kept or "—"})
        for c in self.columns_dropped:
            lines.append(
                gettext("不公开的列：“%(header)s”——%(reason)s")
                % {"header": c.header, "reason": c.reason}
            )
        if self.names_masked:
            lines.append(gettext("已遮蔽姓名%(count)s个。") % {"count": self.names_masked})
        if self.addresses_cut:
            lines.append(
                gettext("已将%(count)s个地址截取到村（社区）。") % {"count": self.addresses_cut}
            )
        if self.addresses_dropped:
            lines.append(
                gettext(
                    "警告：%(count)s个地址无法截取到村（社区），未公开：第%(rows)s行。"
                )
                % {
                    "count": self.addresses_dropped,
                    "rows": _row_list(self.addresses_dropped_rows, self.addresses_dropped),
                }
            )
        for c in self.columns_kept:
            if c.sensitive_cells:
                lines.append(
                    gettext(
                        "警告：公开的列“%(header)s”有%(count)s个单元格含有%(kinds)s等敏感信息（第%(rows)s行），"
                        "这类个人隐私不得公开，请将该列改为不公开后重新上传。"
                    )
                    % {
                        "header": c.header,
                        "count": c.sensitive_cells,
                        "kinds": sensitive_kinds_label(c.sensitive),
                        "rows": _row_list(c.sensitive_rows, c.sensitive_cells),
                    }
                )
        if self.findings_total:
            counts = "、".join(
                gettext("%(kind)s%(count)s处")
                % {"kind": FINDING_KIND_LABELS[kind], "count": count}
                for kind, count in sorted(self.findings_by_kind.items())
            )
            lines.append(
                gettext("警告：在公开的单元格中发现并遮蔽了%(total)s处个人信息（%(counts)s）：")
                % {"total": self.findings_total, "counts": counts}
            )
            lines.extend(f.message for f in self.findings)
            if self.findings_truncated:
                lines.append(
                    gettext("……另有%(count)s处未逐条列出。")
                    % {"count": self.findings_total - len(self.findings)}
                )
        return lines


def _row_list(rows: list[int], total: int) -> str:
    text = "、".join(str(r) for r in rows)
    if total > len(rows):
        text += gettext("等")
    return text


def _drop_reason(kind: ColumnKind, mapped: bool) -> str:
    if not mapped:
        return gettext("未对应到可公开的类型，默认不公开")
    if kind is ColumnKind.ID_NUMBER:
        return gettext("按全省统一规则，身份证号不公开")
    if kind is ColumnKind.PHONE:
        return gettext("按全省统一规则，电话号码不公开")
    if kind is ColumnKind.BANK_CARD:
        return gettext("银行卡号一律不公开")
    if kind is ColumnKind.CATEGORY:
        return gettext(
            "按全省统一规则，类别不公开（第六十一条只要求公开姓名、家庭人口、金额和所在村/社区）"
        )
    if kind is ColumnKind.ADDRESS:
        return gettext("按全省统一规则，地址不公开，公开所在村（社区）即可")
    if kind in (ColumnKind.REMARK, ColumnKind.REASON):
        return gettext("备注、原因等自由填写的内容可能涉及疾病、残疾等个人隐私，一律不公开")
    return gettext("“其他”类型的列不公开")


def _to_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _id_masker(kind: str, compact: str) -> str:
    if kind.startswith("id_number"):
        return mask_id_number(compact)
    return "*" * len(compact)


def _phone_masker(kind: str, compact: str) -> str:
    if kind == "mobile":
        return mask_phone(compact)
    return "*" * len(compact)


def _short_all(digits: str) -> str:
    return "*" * len(digits)


# A plain number in an amount or household-size column below this is published
# as it is; anything else there is scanned like text.
_PLAIN_NUMBER_LIMIT = 10**10


class DeidentifiedTable:
    """The published table: ``header``, then rows streamed by iterating once.

    ``kinds`` are the kinds of the published columns, in order. ``report``
    fills in while rows are consumed and is complete afterwards.
    """

    def __init__(
        self,
        header: list[str],
        kinds: list[ColumnKind],
        rows: Iterator[list],
        report: DeidentificationReport,
    ):
        self.header = header
        self.kinds = kinds
        self.report = report
        self._rows = rows
        self._consumed = False

    def __iter__(self) -> Iterator[list]:
        if self._consumed:
            raise RuntimeError("a DeidentifiedTable can be iterated only once")
        self._consumed = True
        return self._rows


def deidentify_rows(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    mapping: Mapping[int, ColumnKind | str | None],
    policy: MaskingPolicy = PROVINCE_DEFAULT_POLICY,
    *,
    first_row_number: int,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> DeidentifiedTable:
    """De-identify a name list, streaming: nothing is read before iteration.

    ``mapping`` gives the kind of each column by 0-based index; columns missing
    from it are "other" and are not published (deny by default). Cells beyond
    the header are never published. ``first_row_number`` is the source row
    number of the first element of ``rows``, so findings name rows as the
    uploader sees them. Blank rows are skipped but counted (and numbered).
    ``progress(rows_done)`` is called every ``progress_every`` rows and at the
    end. Published values keep their type when nothing was masked.

    Raises :class:`DeidentifyError` when no column can be published.
    """
    report = DeidentificationReport()
    kept_index: list[int] = []
    kept_kinds: list[ColumnKind] = []
    out_header: list[str] = []
    for index, raw in enumerate(header):
        title = _to_text(raw).strip() if raw is not None else ""
        label = title or gettext("第%(column)s列") % {"column": _column_letter(index)}
        label, _found = scan_text(label)
        kind_value = mapping.get(index)
        mapped = kind_value is not None
        kind = ColumnKind(kind_value) if mapped else ColumnKind.OTHER
        is_published = publishable(kind, policy)
        report.columns.append(
            ColumnReport(
                index=index,
                header=label,
                kind=kind,
                published=is_published,
                reason="" if is_published else _drop_reason(kind, mapped),
            )
        )
        if is_published:
            kept_index.append(index)
            kept_kinds.append(kind)
            out_header.append(label)
    if not kept_index:
        raise DeidentifyError(no_publishable_column_message(), code="no_publishable_column")
    functions = _make_cell_functions(kept_kinds, policy, report)
    plan = [
        (index, func, report.columns[index])
        for index, func in zip(kept_index, functions, strict=True)
    ]

    def generate() -> Iterator[list]:
        row_number = first_row_number - 1
        findings = report.findings
        by_kind = report.findings_by_kind
        for row in rows:
            row_number += 1
            width = len(row)
            out = []
            has_content = False
            for index, func, column in plan:
                value = row[index] if index < width else None
                if value is None or value == "":
                    out.append(value)
                    continue
                new, kinds = func(value, row_number)
                if type(new) is str and _SENSITIVE_RE.search(new):
                    _note_sensitive(column, new, row_number)
                if kinds:
                    report.findings_total += len(kinds)
                    for kind in kinds:
                        by_kind[kind] += 1
                        if len(findings) < MAX_STORED_FINDINGS:
                            findings.append(Finding(row_number, column.header, kind))
                if new is not value:
                    column.masked_cells += 1
                if not has_content and new != "" and (type(new) is not str or not new.isspace()):
                    has_content = True
                out.append(new)
            if has_content:
                report.rows_published += 1
                yield out
            else:
                report.rows_blank += 1
            done = row_number - first_row_number + 1
            if progress is not None and done % progress_every == 0:
                report.rows_total = done
                progress(done)
        done = row_number - first_row_number + 1
        report.rows_total = done
        if progress is not None and done % progress_every:
            progress(done)

    return DeidentifiedTable(out_header, kept_kinds, generate(), report)


def _note_sensitive(column: ColumnReport, text: str, row: int) -> None:
    column.sensitive_cells += 1
    column.sensitive.update(find_sensitive_words(text))
    if len(column.sensitive_rows) < MAX_ROWS_PER_WARNING:
        column.sensitive_rows.append(row)


def _column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


CellFunction = Callable[[object, int], tuple[object, list[str]]]

_NO_KINDS: list[str] = []


def _make_cell_functions(
    kinds: list[ColumnKind], policy: MaskingPolicy, report: DeidentificationReport
) -> list[CellFunction]:
    """One function per published column: (value, row) → (published value, kinds).

    A function returns ``value`` itself when nothing changed (the caller counts
    masked cells by identity). Each starts with the cheapest test that lets a
    typical cell through (a number in a numeric column, text with fewer than 11
    digits) before any regex runs over it.
    """
    mask_names = policy.mask_names

    def text_cell(value, row):
        text = value if type(value) is str else _to_text(value)
        match = _HAS_DIGIT(text)
        if match is None or _ELEVEN_DIGITS(text, match.start()) is None:
            return value, _NO_KINDS
        new, found = _scan(text)
        return (value if new == text else new), found

    def numeric_cell(value, row):
        if type(value) in (int, float, Decimal) and (
            -_PLAIN_NUMBER_LIMIT < value < _PLAIN_NUMBER_LIMIT
        ):
            return value, _NO_KINDS
        return text_cell(value, row)

    def name_cell(value, row):
        new, found = text_cell(value, row)
        if mask_names:
            text = new if type(new) is str else _to_text(new)
            masked = mask_name(text)
            if masked != text:
                report.names_masked += 1
                return masked, found
        return new, found

    def address_cell(value, row):
        text = value if type(value) is str else _to_text(value)
        if text.isspace():
            return value, _NO_KINDS
        cut = cut_address_to_village(text)
        if not cut:
            report.addresses_dropped += 1
            if len(report.addresses_dropped_rows) < MAX_ROWS_PER_WARNING:
                report.addresses_dropped_rows.append(row)
            return "", _NO_KINDS
        if cut == text:
            return text_cell(value, row)
        report.addresses_cut += 1
        return text_cell(cut, row)

    def id_cell(value, row):
        text = value if type(value) is str else _to_text(value)
        if _HAS_DIGIT(text) is None:
            return value, _NO_KINDS
        new, found = _scan(text, _id_masker, short_masker=_short_all)
        # A valid ID masked as the policy allows is the published form, not a leak.
        return (value if new == text else new), [k for k in found if k != "id_number"]

    def phone_cell(value, row):
        text = value if type(value) is str else _to_text(value)
        if _HAS_DIGIT(text) is None:
            return value, _NO_KINDS
        new, found = _scan(text, _phone_masker, short_masker=mask_phone)
        return (value if new == text else new), [k for k in found if k != "mobile"]

    functions = {
        ColumnKind.NAME: name_cell,
        ColumnKind.ADDRESS: address_cell,
        ColumnKind.HOUSEHOLD_SIZE: numeric_cell,
        ColumnKind.AMOUNT: numeric_cell,
        ColumnKind.VILLAGE: text_cell,
        ColumnKind.CATEGORY: text_cell,
        ColumnKind.REMARK: text_cell,
        ColumnKind.ID_NUMBER: id_cell,
        ColumnKind.PHONE: phone_cell,
    }
    return [functions[kind] for kind in kinds]
