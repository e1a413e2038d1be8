"""Pure de-identification rules (SPEC §5): masking, scanning, header suggestions,
the published columns of 第六十一条, sensitive words and the mapping page's samples."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosures.deidentify import (
    ARTICLE_61_KINDS,
    FREE_TEXT_KINDS,
    MAX_STORED_FINDINGS,
    SENSITIVE_WORDS,
    ColumnKind,
    DeidentifyError,
    Finding,
    MaskingPolicy,
    cut_address_to_village,
    deidentify_rows,
    find_sensitive_words,
    gb11643_check_digit,
    is_valid_id_number,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_sample,
    publishable,
    scan_text,
    suggest_kind,
    suggest_mapping,
)

# ------------------------------------------------------------------ helpers

_HYPHENS = "-‐‑‒–—―−－﹣"


def normalised(text: str) -> str:
    """What the invariant is stated on: ASCII digits, no whitespace, no hyphens."""
    out = []
    for char in text:
        if char.isspace() or char in _HYPHENS:
            continue
        decimal = unicodedata.decimal(char, None)
        out.append(str(decimal) if decimal is not None else char)
    return "".join(out)


def longest_digit_run(text: str) -> int:
    runs = re.findall(r"[0-9]+", normalised(text))
    return max((len(r) for r in runs), default=0)


def id18(first17: str) -> str:
    return first17 + gb11643_check_digit(first17)


VALID_ID = "11010519491231002X"  # the example of GB 11643-1999
VALID_ID_2 = id18("41031119850612123")
BAD_ID = VALID_ID_2[:17] + ("0" if VALID_ID_2[17] != "0" else "1")

# ------------------------------------------------------------- strategies

REGIONS = ["110105", "410102", "410311", "440305", "650102", "810000"]
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


@st.composite
def id_numbers(draw):
    """(identifier as ASCII, its digits) for valid, wrong-check and 15-digit IDs."""
    region = draw(st.sampled_from(REGIONS))
    variant = draw(st.sampled_from(["valid", "bad_check", "old15"]))
    seq = draw(st.integers(0, 999))
    if variant == "old15":
        birth = draw(st.dates(date(1900, 1, 1), date(1999, 12, 31)))
        return f"{region}{birth:%y%m%d}{seq:03d}"
    birth = draw(st.dates(date(1900, 1, 1), date(2024, 12, 31)))
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    check = gb11643_check_digit(first17)
    if variant == "bad_check":
        check = draw(st.sampled_from([c for c in "0123456789X" if c != check]))
    return first17 + check


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(0, 10**9 - 1),
)
bank_cards = st.builds(
    lambda first, rest, length: (f"{first}{rest:018d}")[:length],
    st.integers(1, 9),
    st.integers(0, 10**18 - 1),
    st.integers(13, 19),
)


@st.composite
def written(draw, identifier: str, *, wide: bool):
    """``identifier`` as a clerk might type it: x case, full width, separators."""
    separators = ["", "", "", " ", "-", "\u3000", "－", " - ", "\u00a0"]
    if wide:
        separators += [".", "/"]
    chars = list(identifier)
    if chars[-1] == "X" and draw(st.booleans()):
        chars[-1] = "x"
    out = []
    for i, char in enumerate(chars):
        if draw(st.booleans()) and draw(st.booleans()):
            char = char.translate(FULL_WIDTH)
        out.append(char)
        if i < len(chars) - 1:
            out.append(draw(st.sampled_from(separators)))
    return "".join(out)


@st.composite
def identifiers(draw):
    """(text as typed, digits of the identifier) for any kind of identifier."""
    kind = draw(st.sampled_from(["id", "mobile", "bank"]))
    if kind == "id":
        identifier = draw(id_numbers())
        text = draw(written(identifier, wide=len(identifier) == 18))
    elif kind == "mobile":
        identifier = draw(mobiles)
        prefix = draw(
            st.sampled_from(["", "", "+86", "+86 ", "86", "0086", "+86-", "(+86)"])
        )
        text = prefix + draw(written(identifier, wide=True))
    else:
        identifier = draw(bank_cards)
        text = draw(written(identifier, wide=False))
    return text, identifier.upper().rstrip("X") if len(identifier) == 18 else identifier


free_text = st.text(
    alphabet=st.one_of(
        st.sampled_from("张王李村社区电话身份证号卡：，。、（）()备注因病致贫 -+xX*"),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from("0123456789"),
    ),
    max_size=20,
)


def assert_no_identifier(cell: object, digits: str) -> None:
    text = "" if cell is None else str(cell)
    assert longest_digit_run(text) < 11, text
    assert digits not in normalised(text), text


# ------------------------------------------------------------ check digits


def test_check_digit_of_the_standard_example():
    """GB 11643-1999's own example ends in X."""
    assert gb11643_check_digit("11010519491231002") == "X"
    assert gb11643_check_digit("１１０１０５１９４９１２３１００２") == "X"


def test_check_digit_needs_seventeen_digits():
    with pytest.raises(ValueError):
        gb11643_check_digit("1234")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (VALID_ID, True),
        (VALID_ID.lower(), True),
        ("110105 1949 1231 002X", True),
        (VALID_ID_2, True),
        (BAD_ID, False),
        ("110105491231002", True),  # 15-digit old format: only the date is checked
        ("110105491331002", False),  # month 13
        ("1101051949123100", False),
        ("", False),
    ],
)
def test_is_valid_id_number(value, valid):
    assert is_valid_id_number(value) is valid


# ------------------------------------------------------------------ masks


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (VALID_ID, "1***************2X"),
        ("11010519491231002x", "1***************2X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "1***************2X"),
        ("110105-19491231-002X", "1***************2X"),
        ("110105491231002", "1************02"),
    ],
)
def test_mask_id_number_keeps_first_and_last_two(value, masked):
    assert mask_id_number(value) == masked
    assert len(mask_id_number(value)) == len(masked)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0086 13812345678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("65432100", "****2100"),
        ("123", "***"),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三明", "张*明"),
        ("张三", "张*"),
        ("张", "张"),
        ("张三明亮", "张**亮"),
        ("欧阳志明", "欧阳*明"),
        ("欧阳明", "欧阳*"),
        ("司马相如", "司马*如"),
        ("诸葛亮", "诸葛*"),
        ("上官婉儿", "上官*儿"),
        ("慕容复", "慕容*"),
        ("单于", "单*"),  # two characters: a single surname and a given name
        ("买买提·艾力", "买**·*力"),
        ("张三明（户主）", "张*明（户主）"),
        (" 李四 ", "李*"),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("address", "cut"),
    [
        ("河南省洛阳市洛龙区李楼镇前李村3组15号", "河南省洛阳市洛龙区李楼镇前李村"),
        ("洛龙区开元路街道幸福路社区5号楼2单元", "洛龙区开元路街道幸福路社区"),
        ("西工区汉屯路居委会12号", "西工区汉屯路居委会"),
        ("李楼镇王楼村委会", "李楼镇王楼村"),
        ("前李村", "前李村"),
        ("李楼镇幸福路12号", ""),  # no village: nothing can be trusted
        ("幸福路12号院新村", ""),  # house number before the village
        ("", ""),
    ],
)
def test_cut_address_to_village(address, cut):
    assert cut_address_to_village(address) == cut


# ------------------------------------------------------------ suggestions


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("姓名", ColumnKind.NAME),
        ("户主姓名", ColumnKind.NAME),
        ("申请人", ColumnKind.NAME),
        ("申请人（姓名）", ColumnKind.NAME),
        ("申请人(姓名)", ColumnKind.NAME),
        ("救助对象", ColumnKind.NAME),
        (" 姓 名 ", ColumnKind.NAME),
        ("*姓名", ColumnKind.NAME),
        ("身份证号", ColumnKind.ID_NUMBER),
        ("身份证号码", ColumnKind.ID_NUMBER),
        ("公民身份号码", ColumnKind.ID_NUMBER),
        ("证件号码", ColumnKind.ID_NUMBER),
        ("申请人（身份证号）", ColumnKind.ID_NUMBER),
        ("联系电话", ColumnKind.PHONE),
        ("手机号", ColumnKind.PHONE),
        ("电话", ColumnKind.PHONE),
        ("银行卡号", ColumnKind.BANK_CARD),
        ("账号", ColumnKind.BANK_CARD),
        ("卡号", ColumnKind.BANK_CARD),
        ("家庭住址", ColumnKind.ADDRESS),
        ("住址", ColumnKind.ADDRESS),
        ("地址", ColumnKind.ADDRESS),
        ("家庭人口", ColumnKind.HOUSEHOLD_SIZE),
        ("保障人口", ColumnKind.HOUSEHOLD_SIZE),
        ("人数", ColumnKind.HOUSEHOLD_SIZE),
        ("人口（人）", ColumnKind.HOUSEHOLD_SIZE),
        ("金额", ColumnKind.AMOUNT),
        ("月保障金额（元）", ColumnKind.AMOUNT),
        ("救助金额", ColumnKind.AMOUNT),
        ("保障金", ColumnKind.AMOUNT),
        ("补助标准", ColumnKind.AMOUNT),
        ("补助标准（元/人·月）", ColumnKind.AMOUNT),
        ("村（社区）", ColumnKind.VILLAGE),
        ("村(社区)", ColumnKind.VILLAGE),
        ("所属村", ColumnKind.VILLAGE),
        ("类别", ColumnKind.CATEGORY),
        ("档次", ColumnKind.CATEGORY),
        ("保障类别", ColumnKind.CATEGORY),
        ("备注", ColumnKind.REMARK),
        ("原因", ColumnKind.REASON),
        ("困难原因", ColumnKind.REASON),
        ("致困原因", ColumnKind.REASON),
        ("致贫原因", ColumnKind.REASON),
        ("救助事由", ColumnKind.REASON),
        ("申请理由", ColumnKind.REASON),
    ],
)
def test_suggest_kind_for_common_headers(header, kind):
    assert suggest_kind(header) == kind


@pytest.mark.parametrize(
    "header",
    [
        "序号",
        "性别",
        "与户主关系",
        "家庭人均收入（元）",
        "残疾类别",
        "",
        None,
        "城乡居民最低生活保障金发放名单（2025年第三季度）",
    ],
)
def test_suggest_kind_leaves_the_rest_unrecognised(header):
    """Unrecognised means unpublished; sensitive facts and titles stay out."""
    assert suggest_kind(header) is None


def test_suggest_mapping_only_lists_recognised_columns():
    assert suggest_mapping(["序号", "姓名", "性别", "金额"]) == {
        1: ColumnKind.NAME,
        3: ColumnKind.AMOUNT,
    }


def test_publishable_is_deny_by_default():
    default = MaskingPolicy()
    assert publishable(ColumnKind.NAME, default)
    assert publishable(ColumnKind.VILLAGE, default)
    assert not publishable(ColumnKind.ID_NUMBER, default)
    assert not publishable(ColumnKind.PHONE, default)
    assert not publishable(ColumnKind.BANK_CARD, default)
    assert not publishable(ColumnKind.OTHER, default)
    assert not publishable(None, default)
    assert not publishable("", default)
    everything = MaskingPolicy(publish_id_number=True, publish_phone=True)
    assert publishable(ColumnKind.ID_NUMBER, everything)
    assert publishable("phone", everything)
    assert not publishable(ColumnKind.BANK_CARD, everything)
    assert not publishable(ColumnKind.OTHER, everything)


def test_default_policy_publishes_exactly_the_four_fields_of_article_61():
    """姓名、家庭人口、金额、村/社区; 类别, 备注, 原因, 地址 and the rest are not."""
    published = {kind for kind in ColumnKind if publishable(kind, MaskingPolicy())}
    assert (
        published
        == set(ARTICLE_61_KINDS)
        == {
            ColumnKind.NAME,
            ColumnKind.HOUSEHOLD_SIZE,
            ColumnKind.AMOUNT,
            ColumnKind.VILLAGE,
        }
    )


def test_the_province_may_allow_a_named_kind_never_free_text():
    widest = MaskingPolicy(
        publish_id_number=True,
        publish_phone=True,
        publish_category=True,
        publish_address=True,
    )
    assert publishable(ColumnKind.CATEGORY, MaskingPolicy(publish_category=True))
    assert not publishable(ColumnKind.ADDRESS, MaskingPolicy(publish_category=True))
    assert publishable(ColumnKind.ADDRESS, MaskingPolicy(publish_address=True))
    for kind in (*FREE_TEXT_KINDS, ColumnKind.BANK_CARD):
        assert not publishable(kind, widest), kind
    assert FREE_TEXT_KINDS == {ColumnKind.REMARK, ColumnKind.REASON, ColumnKind.OTHER}


# ------------------------------------------------------------------ scanning


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"身份证{VALID_ID}已核", "id_number"),
        (f"身份证{VALID_ID.lower()}已核", "id_number"),
        (f"身份证{BAD_ID}", "id_number_bad_check"),
        ("１１０１０５ １９４９１２３１ ００２Ｘ", "id_number"),
        ("110105491231002", "id_number"),
        ("电话+86 138-1234-5678", "mobile"),
        ("电话138.1234.5678", "mobile"),
        ("(+86)138 1234 5678", "mobile"),
        ("卡号6228 4800 1234 5678 901", "bank_card"),
        ("编号123456789012345678901234", "long_digits"),
    ],
)
def test_scan_text_finds_and_masks(text, kind):
    masked, kinds = scan_text(text)
    assert kinds == [kind]
    assert longest_digit_run(masked) < 11
    assert "*" in masked


@pytest.mark.parametrize(
    "text",
    [
        "2025年3月起调整",
        "保障金350.50元",
        "2024.01.01-2024.12.31",
        "3组15号",
        "",
        "因病致贫",
    ],
)
def test_scan_text_leaves_ordinary_text_alone(text):
    assert scan_text(text) == (text, [])


def test_scan_text_keeps_a_letter_x_that_is_no_check_digit():
    masked, kinds = scan_text("13812345678x")
    assert kinds == ["mobile"]
    assert masked == "***********x"


@settings(max_examples=300, deadline=None)
@given(identifiers(), free_text, free_text)
def test_no_identifier_survives_scanning_of_free_text(identifier, before, after):
    """Whatever the writing and the surrounding text, the identifier is gone."""
    text, digits = identifier
    masked, kinds = scan_text(before + text + after)
    assert_no_identifier(masked, digits)
    if not re.search(r"\d", before + after):
        # Alone, it is also recognised (digits around it may make it a longer
        # number, "1380000000.00", which is then not an identifier).
        assert kinds


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_scanned_text_never_keeps_eleven_digits(text):
    masked, _kinds = scan_text(text)
    assert longest_digit_run(masked) < 11
    if longest_digit_run(text) < 11 and len(re.findall(r"\d", text)) < 11:
        assert masked == text


# ------------------------------------------------------------------- pipeline

HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "联系电话",
    "银行卡号",
    "家庭住址",
    "家庭人口",
    "金额",
    "村（社区）",
    "类别",
    "备注",
]
MAPPING = suggest_mapping(HEADER)
ALL_COLUMNS = list(range(len(HEADER)))
# The province may publish 类别 and 地址 (cut to the village); free text never.
WIDE = MaskingPolicy(publish_category=True, publish_address=True)
VILLAGE = 8  # published by default; free text that clerks fill in freely


DEFAULT_POLICY = MaskingPolicy()


def run(
    rows, policy=DEFAULT_POLICY, *, mapping=MAPPING, header=HEADER, first=2, **kwargs
):
    table = deidentify_rows(
        header, rows, mapping, policy, first_row_number=first, **kwargs
    )
    return table, list(table)


def clean_row(i=0):
    return [
        i + 1,
        "张三明",
        VALID_ID,
        "13812345678",
        "6228480012345678901",
        "李楼镇前李村3组15号",
        3,
        450.5,
        "前李村",
        "A类",
        None,
    ]


def test_deny_by_default_publishes_only_safe_columns():
    """Exactly 第六十一条's four; 地址, 类别, 备注 are unpublished by default, each with its reason."""
    table, rows = run([clean_row()])
    assert table.header == ["姓名", "家庭人口", "金额", "村（社区）"]
    assert rows == [["张三明", 3, 450.5, "前李村"]]
    dropped = {c.header: c.reason for c in table.report.columns_dropped}
    assert set(dropped) == {
        "序号",
        "身份证号",
        "联系电话",
        "银行卡号",
        "家庭住址",
        "类别",
        "备注",
    }
    assert "默认不公开" in dropped["序号"]
    assert "身份证号不公开" in dropped["身份证号"]
    assert "银行卡号一律不公开" in dropped["银行卡号"]
    assert "类别不公开" in dropped["类别"] and "第六十一条" in dropped["类别"]
    assert "地址不公开" in dropped["家庭住址"]
    assert "一律不公开" in dropped["备注"]


def test_the_policy_may_add_category_and_address():
    table, rows = run([clean_row()], WIDE)
    assert table.header == [
        "姓名",
        "家庭住址",
        "家庭人口",
        "金额",
        "村（社区）",
        "类别",
    ]
    assert rows == [["张三明", "李楼镇前李村", 3, 450.5, "前李村", "A类"]]


def test_column_missing_from_mapping_is_not_published():
    mapping = dict(MAPPING)
    del mapping[9]
    table, rows = run([clean_row()], WIDE, mapping=mapping)
    assert "类别" not in table.header
    assert "A类" not in rows[0]


def test_enabled_id_and_phone_columns_are_masked():
    policy = MaskingPolicy(
        publish_id_number=True, publish_phone=True, publish_address=True
    )
    row = clean_row()
    row[3] = "13812345678 / 65432100"
    table, rows = run([row], policy)
    assert table.header[:3] == ["姓名", "身份证号", "联系电话"]
    assert rows[0][1] == "1***************2X"
    assert rows[0][2] == "138****5678 / ****2100"
    assert "银行卡号" not in table.header
    # A valid ID or a mobile masked as the policy allows is not a finding.
    assert table.report.findings_total == 0


def test_wrong_check_digit_is_masked_and_reported_with_its_row():
    rows_in = [clean_row(0), clean_row(1), clean_row(2)]
    rows_in[1][VILLAGE] = f"原身份证{BAD_ID}有误"
    table, rows = run(rows_in, first=4)
    assert rows[1][3] == "原身份证******************有误"
    assert table.report.findings == [
        Finding(row=5, column="村（社区）", kind="id_number_bad_check")
    ]
    message = table.report.findings[0].message
    assert "第5行" in message and "村（社区）" in message and "校验位错误" in message
    assert BAD_ID not in message


def test_wrong_check_digit_in_enabled_id_column_is_reported():
    row = clean_row()
    row[2] = BAD_ID
    table, rows = run([row], MaskingPolicy(publish_id_number=True))
    assert rows[0][1] == BAD_ID[0] + "*" * 15 + BAD_ID[-2:]
    assert [f.kind for f in table.report.findings] == ["id_number_bad_check"]


def test_names_masked_by_list_policy_with_compound_surnames():
    rows_in = [clean_row(), clean_row()]
    rows_in[1][1] = "欧阳志明"
    table, rows = run(rows_in, MaskingPolicy(mask_names=True))
    assert [r[0] for r in rows] == ["张*明", "欧阳*明"]
    assert table.report.names_masked == 2
    assert table.report.masked_cells["姓名"] == 2


def test_address_without_village_is_dropped_and_its_row_named():
    rows_in = [clean_row(0), clean_row(1)]
    rows_in[1][5] = "李楼镇幸福路12号"
    table, rows = run(rows_in, WIDE, first=3)
    assert rows[0][1] == "李楼镇前李村"
    assert rows[1][1] == ""
    assert table.report.addresses_cut == 1
    assert table.report.addresses_dropped_rows == [4]
    assert any("第4行" in line for line in table.report.summary_lines())


def test_identifier_in_a_numeric_column_is_masked_too():
    row = clean_row()
    row[7] = "13812345678"
    table, rows = run([row])
    assert rows[0][2] == "***********"
    assert table.report.findings[0].kind == "mobile"


def test_blank_rows_are_skipped_but_keep_the_numbering():
    rows_in = [clean_row(0), [None] * 11, ["", " ", None], clean_row(3)]
    rows_in[3][VILLAGE] = "电话13812345678"
    table, rows = run(rows_in, first=10)
    assert len(rows) == 2
    assert table.report.rows_blank == 2
    assert table.report.rows_total == 4
    assert table.report.findings[0].row == 13


def test_progress_reports_rows_done():
    calls = []
    run([clean_row(i) for i in range(2500)], progress=calls.append, progress_every=1000)
    assert calls == [1000, 2000, 2500]


def test_rows_are_streamed_not_read_up_front():
    consumed = []

    def source():
        for i in range(3):
            consumed.append(i)
            yield clean_row(i)

    table = deidentify_rows(HEADER, source(), MAPPING, first_row_number=2)
    assert consumed == []
    assert len(list(table)) == 3
    with pytest.raises(RuntimeError):
        list(table)


def test_no_publishable_column_is_refused():
    with pytest.raises(DeidentifyError, match="没有可以公开的列") as caught:
        deidentify_rows(
            ["身份证号", "电话"], [], {0: "id_number", 1: "phone"}, first_row_number=2
        )
    assert caught.value.code == "no_publishable_column"


def test_findings_are_capped_but_counted():
    rows_in = []
    for i in range(MAX_STORED_FINDINGS + 500):
        row = clean_row(i)
        row[VILLAGE] = "电话13812345678"
        rows_in.append(row)
    table, _rows = run(rows_in)
    report = table.report
    assert len(report.findings) == MAX_STORED_FINDINGS
    assert report.findings_total == MAX_STORED_FINDINGS + 500
    assert report.findings_by_kind["mobile"] == MAX_STORED_FINDINGS + 500
    assert any("另有500处" in line for line in report.summary_lines())


def test_published_header_is_scanned():
    table, _rows = run([["张三"]], header=["姓名13812345678"], mapping={0: "name"})
    assert longest_digit_run(table.header[0]) < 11


def test_summary_never_quotes_an_identifier():
    rows_in = [clean_row(0)]
    rows_in[0][VILLAGE] = f"身份证{BAD_ID}，电话13812345678，卡6228480012345678901"
    table, _rows = run(rows_in)
    summary = "\n".join(table.report.summary_lines())
    assert "发现身份证号（校验位错误）" in summary
    for secret in (BAD_ID, "13812345678", "6228480012345678901"):
        assert secret not in summary


# ----------------------------------------------------- properties of the pipeline

policies = st.builds(
    MaskingPolicy,
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(ALL_COLUMNS), identifiers(), free_text, free_text),
        min_size=1,
        max_size=6,
    ),
    policies,
)
def test_identifiers_in_any_column_never_survive(placements, policy):
    """An identifier typed into any column, alone or in free text, is never published."""
    rows_in = []
    secrets = []
    for column, (typed, digits), before, after in placements:
        row = clean_row(len(rows_in))
        row[column] = before + typed + after
        rows_in.append(row)
        secrets.append(digits)
    table, rows = run(rows_in, policy)
    assert len(rows) == len(rows_in)
    for row, digits in zip(rows, secrets, strict=True):
        # Stronger than the invariant: numeric columns are held to it as well.
        for cell in row:
            assert_no_identifier(cell, digits)


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
names = st.text(alphabet=cjk, min_size=2, max_size=4)
villages = st.builds(
    lambda s, suffix: s + suffix,
    st.text(alphabet=cjk, min_size=1, max_size=4),
    st.sampled_from(["村", "社区"]),
)
amounts = st.one_of(
    st.integers(0, 100_000),
    st.floats(0, 100_000, allow_nan=False).map(lambda f: round(f, 2)),
    st.decimals(0, 100_000, places=2),
    st.integers(0, 100_000).map(lambda n: f"{n / 100:.2f}"),
)
sizes = st.one_of(st.integers(1, 12), st.integers(1, 12).map(str))
categories = st.one_of(
    st.sampled_from(["A类", "B类", "一档", "全额保障", "2档"]),
    st.text(alphabet=cjk, max_size=6),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(names, villages, amounts, sizes, categories), min_size=1, max_size=20
    )
)
def test_publishable_columns_come_through_unchanged(rows_in):
    header = ["姓名", "村（社区）", "金额", "家庭人口", "类别", "身份证号"]
    rows = [[*row, VALID_ID] for row in rows_in]
    table = deidentify_rows(
        header,
        rows,
        suggest_mapping(header),
        MaskingPolicy(publish_category=True),
        first_row_number=2,
    )
    out = list(table)
    assert table.header == header[:5]
    assert out == [list(row) for row in rows_in]
    for published, original in zip(out, rows_in, strict=True):
        assert [type(v) for v in published] == [type(v) for v in original]
    assert table.report.findings_total == 0


def test_decimal_amount_is_kept_as_decimal():
    table, rows = run([clean_row()], mapping={7: ColumnKind.AMOUNT}, header=HEADER)
    assert rows == [[450.5]]
    table, rows = run([[Decimal("12.50")]], mapping={0: "amount"}, header=["金额"])
    assert rows == [[Decimal("12.50")]]


# ------------------------------------------------------- a 15-column 低保 list

DIBAO_HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "性别",
    "年龄",
    "家庭人口",
    "保障金额",
    "类别",
    "备注",
    "致困原因",
    "地址",
    "村/社区",
    "联系电话",
    "银行卡号",
    "开户行",
]
SENSITIVE_CELLS = [
    "户主患尿毒症",
    "精神残疾",
    "刑满释放人员",
    "因病致困",
    "A类（重残）",
]


def dibao_row(i: int) -> list:
    return [
        i + 1,
        "王秀英",
        VALID_ID,
        "女",
        67,
        2,
        438,
        SENSITIVE_CELLS[4],
        SENSITIVE_CELLS[i % 3],
        SENSITIVE_CELLS[3],
        "李楼街道前李村3组15号",
        "前李村",
        "13812345678",
        "6228480012345678901",
        "农商银行",
    ]


def test_fifteen_column_dibao_list_publishes_exactly_four_columns():
    """The headers as a county exports them: the suggestions publish 姓名, 家庭人口,
    保障金额 and 村/社区 only, and none of the sensitive 备注/类别/原因 words."""
    mapping = suggest_mapping(DIBAO_HEADER)
    assert mapping[9] is ColumnKind.REASON
    table = deidentify_rows(
        DIBAO_HEADER, [dibao_row(i) for i in range(6)], mapping, first_row_number=2
    )
    rows = list(table)
    assert table.header == ["姓名", "家庭人口", "保障金额", "村/社区"]
    assert rows[0] == ["王秀英", 2, 438, "前李村"]
    published = repr([table.header, rows])
    for word in [*SENSITIVE_CELLS, "尿毒症", "残疾", "刑满释放", "A类", "女", "67"]:
        assert word not in published
    assert len(table.report.columns_dropped) == 11


# ------------------------------------------------------------ sensitive words


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("户主患尿毒症", ["illness"]),
        ("精神残疾", ["mental", "disability"]),
        ("刑满释放人员", ["criminal"]),
        ("曾吸毒，已戒毒", ["drugs"]),
        ("因病致困", ["illness"]),
        ("艾滋病患者", ["illness"]),
        ("hiv感染", ["illness"]),
        ("智力低下", ["mental"]),
        ("正在服刑", ["criminal"]),
        ("肺癌晚期", ["illness"]),
        ("重病", ["illness"]),
    ],
)
def test_sensitive_words_are_found_by_kind(text, kinds):
    assert find_sensitive_words(text) == kinds


@pytest.mark.parametrize(
    "value", ["A类", "前李村", "", None, 438, "因灾致困", "王秀英"]
)
def test_ordinary_values_hold_no_sensitive_words(value):
    assert find_sensitive_words(value) == []


def test_every_sensitive_word_is_found():
    for kind, words in SENSITIVE_WORDS.items():
        for word in words:
            assert kind in find_sensitive_words(f"备注：{word}。"), word


def test_sensitive_words_in_a_published_column_are_reported_loudly():
    """The province publishes 类别: a category holding 残疾 is named by row in the summary."""
    rows_in = [clean_row(0), clean_row(1), clean_row(2)]
    rows_in[1][9] = "重残一级"
    rows_in[2][9] = "因病致困"
    table, rows = run(rows_in, MaskingPolicy(publish_category=True), first=3)
    assert [r[-1] for r in rows] == [
        "A类",
        "重残一级",
        "因病致困",
    ]  # a word cannot be masked
    category = next(c for c in table.report.columns if c.header == "类别")
    assert category.sensitive_cells == 2 and category.sensitive_rows == [4, 5]
    assert set(category.sensitive) == {"illness", "disability"}
    summary = "\n".join(table.report.summary_lines())
    assert "警告：公开的列“类别”有2个单元格含有" in summary and "第4、5行" in summary


def test_sensitive_words_in_unpublished_columns_are_not_counted_by_the_pipeline():
    rows_in = [clean_row(0)]
    rows_in[0][10] = "户主患尿毒症"
    table, _rows = run(rows_in)
    assert all(c.sensitive_cells == 0 for c in table.report.columns)


# ------------------------------------------------------- samples for the mapping page


@pytest.mark.parametrize(
    ("value", "kind", "sample"),
    [
        (VALID_ID, ColumnKind.ID_NUMBER, "1***************2X"),
        (VALID_ID, None, "*" * 18),
        (f"代领人{VALID_ID}", ColumnKind.REMARK, "代领人" + "*" * 18),
        ("13812345678", ColumnKind.PHONE, "138****5678"),
        ("电话 138 1234 5678", None, "电话 *************"),
        ("6228480012345678901", ColumnKind.BANK_CARD, "*" * 19),
        ("6228480012345678901", None, "*" * 19),
        ("张三明", ColumnKind.NAME, "张*明"),
        ("欧阳志明", "name", "欧阳*明"),
        ("李楼街道前李村3组15号", ColumnKind.ADDRESS, "李楼街道前李村"),
        (438, ColumnKind.AMOUNT, "438"),
        (None, None, ""),
        (
            "户主患尿毒症，长期住院治疗，家庭困难，无劳动能力，需要照顾。请关注",
            ColumnKind.REMARK,
            "户主患尿毒症，长期住院治疗，家庭困难，无劳动能力，需要照顾…",
        ),
    ],
)
def test_mask_sample(value, kind, sample):
    assert mask_sample(value, kind) == sample


@settings(max_examples=200, deadline=None)
@given(identifiers(), free_text, st.sampled_from([None, *ColumnKind]))
def test_samples_never_show_an_identifier(identifier, before, kind):
    text, digits = identifier
    assert_no_identifier(mask_sample(before + text, kind), digits)
