"""The layout of the 政府信息公开工作年度报告 (国办公开办函〔2021〕30号), as data.

Sections 一 to 六, the rows and columns of tables 二, 三 and 四, and which cells
staff enter (the portal does not hold them) and which the portal counts. Pure:
the workspace page, the docx and the xlsx all draw from these tuples, so the
three show the same labels in the same order.

Cell keys of entered figures are ``"<table>.<row>.<column>"`` (``t2.licensing.decisions``,
``t4.review.upheld``); table 三 uses the row and column keys of `onrequest.outcomes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onrequest.outcomes import (
    APPLICANT_KINDS,
    OUTCOME_GROUPS,
    OUTCOMES,
    ROW_CARRIED_IN,
    ROW_CARRIED_OUT,
    ROW_RECEIVED,
    ROW_TOTAL_HANDLED,
)

TOTAL = "total"
#: Shown where a figure or text must still be entered.
TO_FILL = _("待填写")

SECTION_OVERVIEW = "overview"
SECTION_PROACTIVE = "proactive"
SECTION_REQUESTS = "requests"
SECTION_REVIEWS = "reviews"
SECTION_PROBLEMS = "problems"
SECTION_OTHER = "other_matters"

SECTIONS: tuple[tuple[str, str], ...] = (
    (SECTION_OVERVIEW, _("一、总体情况")),
    (SECTION_PROACTIVE, _("二、主动公开政府信息情况")),
    (SECTION_REQUESTS, _("三、收到和处理政府信息公开申请情况")),
    (SECTION_REVIEWS, _("四、政府信息公开行政复议、行政诉讼情况")),
    (SECTION_PROBLEMS, _("五、存在的主要问题及改进情况")),
    (SECTION_OTHER, _("六、其他需要报告的事项")),
)
SECTION_TITLES = dict(SECTIONS)
#: The text sections staff write (一、五、六).
TEXT_SECTIONS = (SECTION_OVERVIEW, SECTION_PROBLEMS, SECTION_OTHER)


# --------------------------------------------------------------------------- table 二


@dataclass(frozen=True)
class Table2Block:
    """One block of table 二: the article it discloses under, its columns and rows."""

    key: str
    article: str
    columns: tuple[tuple[str, str], ...]  # (key, label)
    rows: tuple[tuple[str, str], ...]  # (key, label)
    decimal: bool = False  # money (万元) rather than a count


TABLE2: tuple[Table2Block, ...] = (
    Table2Block(
        "documents",
        _("第二十条第（一）项"),
        (
            ("made", _("本年制发件数")),
            ("repealed", _("本年废止件数")),
            ("in_force", _("现行有效件数")),
        ),
        (("regulations", _("规章")), ("normative", _("行政规范性文件"))),
    ),
    Table2Block(
        "licensing",
        _("第二十条第（五）项"),
        (("decisions", _("本年处理决定数量")),),
        (("licensing", _("行政许可")),),
    ),
    Table2Block(
        "enforcement",
        _("第二十条第（六）项"),
        (("decisions", _("本年处理决定数量")),),
        (("penalty", _("行政处罚")), ("coercion", _("行政强制"))),
    ),
    Table2Block(
        "fees",
        _("第二十条第（八）项"),
        (("amount", _("本年收费金额（单位：万元）")),),
        (("fees", _("行政事业性收费")),),
        decimal=True,
    ),
)
TABLE2_CONTENT_LABEL = _("信息内容")


def table2_keys() -> list[str]:
    """Every entered cell of table 二, in reading order."""
    return [
        f"t2.{row}.{column}"
        for block in TABLE2
        for row, _label in block.rows
        for column, _clabel in block.columns
    ]


def table2_decimal_keys() -> set[str]:
    return {
        f"t2.{row}.{column}"
        for block in TABLE2
        if block.decimal
        for row, _label in block.rows
        for column, _clabel in block.columns
    }


# --------------------------------------------------------------------------- table 三

TABLE3_NOTE = _("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
TABLE3_APPLICANTS = _("申请人情况")
TABLE3_ORGANISATIONS = _("法人或其他组织")
TABLE3_TOTAL = _("总计")
TABLE3_COLUMNS: tuple[tuple[str, str], ...] = (
    *((kind.key, kind.label) for kind in APPLICANT_KINDS),
    (TOTAL, TABLE3_TOTAL),
)


@dataclass(frozen=True)
class Table3Row:
    """A row of table 三: its key (None for a group heading without figures) and
    its labels in the three label columns (section, group, item)."""

    key: str | None
    section: str
    group: str = ""
    item: str = ""


RESULTS = _("三、本年度办理结果")


def table3_rows() -> list[Table3Row]:
    """The rows of table 三 in the official order."""
    rows = [
        Table3Row(ROW_RECEIVED, _("一、本年新收政府信息公开申请数量")),
        Table3Row(ROW_CARRIED_IN, _("二、上年结转政府信息公开申请数量")),
    ]
    for group in OUTCOME_GROUPS:
        outcomes = [o for o in OUTCOMES if o.group == group.key]
        if len(outcomes) == 1:
            rows.append(Table3Row(outcomes[0].key, RESULTS, group.label))
        else:
            rows.extend(
                Table3Row(o.key, RESULTS, group.label, o.label) for o in outcomes
            )
    rows.append(Table3Row(ROW_TOTAL_HANDLED, RESULTS, _("（七）总计")))
    rows.append(Table3Row(ROW_CARRIED_OUT, _("四、结转下年度继续办理")))
    return rows


# --------------------------------------------------------------------------- table 四

TABLE4_REVIEW = _("行政复议")
TABLE4_LITIGATION = _("行政诉讼")
TABLE4_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", TABLE4_REVIEW),
    ("direct", _("未经复议直接起诉")),
    ("after_review", _("复议后起诉")),
)
TABLE4_RESULTS: tuple[tuple[str, str], ...] = (
    ("upheld", _("结果维持")),
    ("corrected", _("结果纠正")),
    ("other", _("其他结果")),
    ("pending", _("尚未审结")),
)
TABLE4_TOTAL_LABEL = _("总计")


def table4_keys() -> list[str]:
    """Every entered cell of table 四 (the 总计 columns are sums, not entered)."""
    return [
        f"t4.{group}.{result}"
        for group, _glabel in TABLE4_GROUPS
        for result, _rlabel in TABLE4_RESULTS
    ]


def entered_keys() -> list[str]:
    """Every figure staff enter: tables 二 and 四."""
    return table2_keys() + table4_keys()


def entered_label(key: str) -> str:
    """A readable name of an entered cell, for error messages (表二 行政许可 本年处理决定数量)."""
    table, row, column = key.split(".")
    if table == "t2":
        for block in TABLE2:
            rows, columns = dict(block.rows), dict(block.columns)
            if row in rows and column in columns:
                return _("表二“%(row)s”的“%(column)s”") % {
                    "row": rows[row],
                    "column": columns[column],
                }
    if table == "t4":
        groups, results = dict(TABLE4_GROUPS), dict(TABLE4_RESULTS)
        if row in groups and column in results:
            return _("表四“%(group)s”的“%(result)s”") % {
                "group": groups[row],
                "result": results[column],
            }
    return key


# --------------------------------------------------------------------------- deadlines

#: 条例 第四十九条: departments report by 31 January; 第五十条: governments by 31 March.
DEADLINE_DEPARTMENT = (1, 31)
DEADLINE_GOVERNMENT = (3, 31)
