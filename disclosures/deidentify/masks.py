"""Masking one value by its kind: names, ID and phone numbers, addresses, staff samples."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.utils.translation import gettext

from .columns import ColumnKind
from .identifiers import (
    _ANY_DIGIT,
    _NOT_DIGIT,
    _compact,
    _mobile_core,
    _scan,
    normalise_digits,
    scan_text,
)

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

_CJK_NAME = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•・]+"
)
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
