"""The outcome categories of 依申请公开 (on-request disclosure), as the annual report counts them.

One table of data shared by the application workflow (a reply is typed with one of these
outcomes) and the 政府信息公开工作年度报告 (table 三 counts them). The rows and columns follow
the format of 国办公开办函〔2021〕30号 (《中华人民共和国政府信息公开工作年度报告格式》), the reply
types follow 《中华人民共和国政府信息公开条例》 第三十五至三十九条. Pure: no Django imports
beyond lazy translation, so the report generator, the deadline rules and the tests can use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ApplicantKind:
    """A column of table 三: who applied (申请人情况)."""

    key: str
    label: str
    natural_person: bool


# 自然人 | 法人或其他组织（商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他） | 总计
APPLICANT_KINDS: tuple[ApplicantKind, ...] = (
    ApplicantKind("natural_person", _("自然人"), True),
    ApplicantKind("business", _("商业企业"), False),
    ApplicantKind("research", _("科研机构"), False),
    ApplicantKind("public_interest", _("社会公益组织"), False),
    ApplicantKind("legal_service", _("法律服务机构"), False),
    ApplicantKind("other_org", _("其他"), False),
)
APPLICANT_KIND_KEYS = tuple(kind.key for kind in APPLICANT_KINDS)


@dataclass(frozen=True)
class Outcome:
    """One row under 三、本年度办理结果: how an application was finally answered."""

    key: str
    group: str  # the row group (（一）予以公开 … （六）其他处理)
    label: str
    article: str  # the article of the 条例 the reply letter cites


@dataclass(frozen=True)
class OutcomeGroup:
    key: str
    label: str


OUTCOME_GROUPS: tuple[OutcomeGroup, ...] = (
    OutcomeGroup("disclosed", _("（一）予以公开")),
    OutcomeGroup(
        "partly", _("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    ),
    OutcomeGroup("refused", _("（三）不予公开")),
    OutcomeGroup("unable", _("（四）无法提供")),
    OutcomeGroup("not_handled", _("（五）不予处理")),
    OutcomeGroup("other", _("（六）其他处理")),
)

OUTCOMES: tuple[Outcome, ...] = (
    Outcome("disclosed", "disclosed", _("予以公开"), "第三十六条第（一）（二）项"),
    Outcome("partly", "partly", _("部分公开"), "第三十七条"),
    Outcome("refused_state_secret", "refused", _("1．属于国家秘密"), "第十四条"),
    Outcome(
        "refused_law_forbids", "refused", _("2．其他法律行政法规禁止公开"), "第十四条"
    ),
    Outcome("refused_security", "refused", _("3．危及“三安全一稳定”"), "第十四条"),
    Outcome("refused_third_party", "refused", _("4．保护第三方合法权益"), "第十五条"),
    Outcome(
        "refused_internal", "refused", _("5．属于三类内部事务信息"), "第十六条第一款"
    ),
    Outcome("refused_process", "refused", _("6．属于四类过程性信息"), "第十六条第二款"),
    Outcome(
        "refused_enforcement", "refused", _("7．属于行政执法案卷"), "第十六条第二款"
    ),
    Outcome(
        "refused_query", "refused", _("8．属于行政查询事项"), "第三十六条第（七）项"
    ),
    Outcome(
        "unable_not_held",
        "unable",
        _("1．本机关不掌握相关政府信息"),
        "第三十六条第（四）（五）项",
    ),
    Outcome(
        "unable_needs_making", "unable", _("2．没有现成信息需要另行制作"), "第三十八条"
    ),
    Outcome(
        "unable_still_unclear", "unable", _("3．补正后申请内容仍不明确"), "第三十条"
    ),
    Outcome(
        "not_handled_petition",
        "not_handled",
        _("1．信访举报投诉类申请"),
        "第三十九条第一款",
    ),
    Outcome(
        "not_handled_repeat", "not_handled", _("2．重复申请"), "第三十六条第（六）项"
    ),
    Outcome(
        "not_handled_publication",
        "not_handled",
        _("3．要求提供公开出版物"),
        "第三十九条第二款",
    ),
    Outcome(
        "not_handled_volume",
        "not_handled",
        _("4．无正当理由大量反复申请"),
        "第三十五条",
    ),
    Outcome(
        "not_handled_confirm",
        "not_handled",
        _("5．要求行政机关确认或重新出具已获取信息"),
        "第三十九条第二款",
    ),
    Outcome(
        "other_no_correction",
        "other",
        _("1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        "第三十条",
    ),
    Outcome(
        "other_no_fee",
        "other",
        _("2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        "第四十二条",
    ),
    Outcome("other_other", "other", _("3．其他"), ""),
)
OUTCOME_KEYS = tuple(outcome.key for outcome in OUTCOMES)
OUTCOMES_BY_KEY = {outcome.key: outcome for outcome in OUTCOMES}


def outcomes_in_group(group_key: str) -> tuple[Outcome, ...]:
    return tuple(outcome for outcome in OUTCOMES if outcome.group == group_key)


# Table 三's row keys besides the outcomes: 本年新收, 上年结转, （七）总计, 结转下年度继续办理.
ROW_RECEIVED = "received"
ROW_CARRIED_IN = "carried_in"
ROW_TOTAL_HANDLED = "total_handled"
ROW_CARRIED_OUT = "carried_out"
