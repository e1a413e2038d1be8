"""Column kinds: labels, the masking policy, which kinds are publishable, header suggestions, sensitive words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from openpyxl.utils import get_column_letter

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
    return gettext(
        "没有可以公开的列：请至少将一列对应为姓名、家庭人口、金额或村/社区。"
    )


# ------------------------------------------------------------- header suggestions

_HEADER_NOISE = re.compile(r"[\s*＊:：\u200b\ufeff]+")
_HEADER_TRAILING_UNIT = re.compile(r"[(（][^()（）]*[)）]$")

# (kind, exact headers, substrings). Exact names are tried first, then the
# substrings in this order: identifier kinds first, so "申请人身份证号" is an ID
# number and "户主联系电话" a phone, never a name.
_HEADER_RULES: tuple[tuple[ColumnKind, frozenset[str], tuple[str, ...]], ...] = (
    (
        ColumnKind.ID_NUMBER,
        frozenset(
            {"身份证", "证件号", "身份证号", "身份证号码", "公民身份号码", "证件号码"}
        ),
        ("身份证", "身份号码", "证件号"),
    ),
    (
        ColumnKind.BANK_CARD,
        frozenset({"账号", "卡号", "账户", "帐号", "帐户", "银行卡号"}),
        (
            "银行卡",
            "银行账",
            "银行帐",
            "卡号",
            "账号",
            "帐号",
            "存折",
            "账户",
            "帐户",
            "开户行",
            "开户银行",
        ),
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
        (
            "金额",
            "保障金",
            "补助标准",
            "补助金",
            "救助金",
            "补贴标准",
            "补贴金",
            "发放标准",
            "保障标准",
            "供养标准",
            "供养金",
        ),
    ),
    (
        ColumnKind.ADDRESS,
        frozenset({"住址", "地址"}),
        ("住址", "地址", "居住地"),
    ),
    (
        ColumnKind.VILLAGE,
        frozenset(
            {
                "村",
                "社区",
                "村(社区)",
                "村/社区",
                "所属村",
                "所在村",
                "村居",
                "村别",
                "村名",
            }
        ),
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
        frozenset(
            {
                "姓名",
                "户主",
                "申请人",
                "救助对象",
                "保障对象",
                "供养对象",
                "名字",
                "户名",
            }
        ),
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


# ----------------------------------------------------------------- sensitive words

# Words that reveal health, disability, mental state, a criminal record or drug
# use: facts about a person that no name list may publish. The one list; the
# mapping page and the processing report both use it. Matching is by
# substring: "因病致困" holds "因病", "精神残疾" both "精神" and "残疾".
SENSITIVE_WORDS: dict[str, tuple[str, ...]] = {
    "illness": (
        "尿毒症",
        "癌",
        "肿瘤",
        "白血病",
        "重病",
        "大病",
        "因病",
        "患病",
        "病重",
        "重症",
        "透析",
        "瘫痪",
        "偏瘫",
        "脑梗",
        "脑瘫",
        "植物人",
        "艾滋",
        "HIV",
        "ＨＩＶ",
        "乙肝",
        "结核",
        "慢性病",
        "化疗",
        "住院",
    ),
    "disability": ("残疾", "残障", "失明", "聋哑", "肢残", "重残", "盲人", "截肢"),
    "mental": ("精神", "智力", "智障", "低能", "痴呆", "弱智", "抑郁"),
    "criminal": (
        "刑满释放",
        "服刑",
        "在押",
        "劳改",
        "劳教",
        "犯罪",
        "判刑",
        "缓刑",
        "假释",
        "社区矫正",
    ),
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


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 → A, 26 → AA)."""
    return get_column_letter(index + 1)
