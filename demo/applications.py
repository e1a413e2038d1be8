"""Demo applications (依申请公开) for 洛龙区: a dozen, across every state and the
main reply types, one corrected, one extended, one with a third-party consultation.

Dates are relative to today so that the worklist shows some due soon, one overdue
and replies to archive. Every write goes through `onrequest.services`. The
applicants are synthetic (ID numbers with valid check digits that belong to
nobody); the privacy crawl checks that none of them reaches a public page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from catalogs.models import Region, User
from catalogs.selectors import work_calendar
from disclosures.deidentify.identifiers import gb11643_check_digit
from onrequest import services
from onrequest.models import Application

REGION = "410311"
CLERK = "demo-county"


def _id(body: str) -> str:
    return body + gb11643_check_digit(body)


@dataclass(frozen=True)
class DemoApplicant:
    name: str
    id_body: str
    phone: str
    kind: str = "natural_person"
    contact: str = ""

    def data(self, description: str) -> dict:
        org = self.kind != "natural_person"
        return {
            "applicant_kind": self.kind,
            "applicant_name": self.name,
            "contact_person": self.contact,
            "id_type": "credit_code" if org else "resident_id",
            "id_number": self.id_body if org else _id(self.id_body),
            "phone": self.phone,
            "email": "",
            "address": "洛阳市洛龙区开元大道" + self.phone[-3:] + "号",
            "postcode": "471000",
            "description": description,
            "form": "paper",
            "delivery": "post",
        }


APPLICANTS = [
    DemoApplicant("杜演示", "41031119700312101", "13700010001"),
    DemoApplicant("孙演示", "41031119820521202", "13700010002"),
    DemoApplicant("钱演示", "41031119650817303", "13700010003"),
    DemoApplicant("周演示", "41031119910101404", "13700010004"),
    DemoApplicant("吴演示", "41031119771130505", "13700010005"),
    DemoApplicant("郑演示", "41031119880606606", "13700010006"),
    DemoApplicant("冯演示", "41031119590909707", "13700010007"),
    DemoApplicant("陈演示", "41031119930228808", "13700010008"),
    DemoApplicant("褚演示", "41031119860715909", "13700010009"),
    DemoApplicant("卫演示", "41031119740404010", "13700010010"),
    DemoApplicant(
        "洛阳演示养老服务有限公司",
        "91410311MA9DEMO01X",
        "03791234567",
        kind="business",
        contact="蒋经理",
    ),
    DemoApplicant(
        "洛阳演示律师事务所",
        "31410000MD0DEMO02Y",
        "03797654321",
        kind="legal_service",
        contact="沈律师",
    ),
]


def identifiers() -> set[str]:
    """Every raw ID and phone number the demo applicants use (for the privacy crawl)."""
    values = set()
    for applicant in APPLICANTS:
        data = applicant.data("")
        values.update({data["id_number"], data["phone"]})
    return values


@dataclass
class _Plan:
    clerk: User
    region: Region
    today: date
    made: list[Application] = field(default_factory=list)

    def back(self, working_days: int) -> date:
        """The working day ``working_days`` working days before today."""
        cal = work_calendar()
        d = self.today
        count = 0
        while count < working_days:
            d -= timedelta(days=1)
            if cal.is_working_day(d):
                count += 1
        return d

    def paper(self, who: int, received: date, description: str) -> Application:
        application = services.application_submit(
            region=self.region,
            data=APPLICANTS[who].data(description),
            channel="paper",
            received_on=received,
            actor=self.clerk,
        ).application
        self.made.append(application)
        return application

    def reply(self, application, outcome, text, replied, *, other_agency=""):
        services.application_reply(
            application=application,
            outcome=outcome,
            reply_text=text,
            replied_on=replied,
            other_agency=other_agency,
            actor=self.clerk,
        )

    def archive(self, application, on):
        services.application_archive(
            application=application, archived_on=on, actor=self.clerk
        )


def _online(p: _Plan) -> None:
    """1–2. Online: one waiting to be registered, one registered today."""
    waiting = services.application_submit(
        region=p.region,
        data=APPLICANTS[0].data("洛龙区2025年特困人员救助供养资金发放情况"),
    ).application
    p.made.append(waiting)
    online = services.application_submit(
        region=p.region,
        data=APPLICANTS[1].data("洛龙区养老机构等级评定结果及评定标准"),
    ).application
    services.application_register(
        application=online, received_on=p.today, actor=p.clerk
    )
    p.made.append(online)


def _in_progress(p: _Plan) -> None:
    """3–4. Overdue (received 25 working days ago, being handled) and due soon
    (received 18 working days ago, under review)."""
    clerk = p.clerk
    late = p.paper(2, p.back(25), "2024年洛龙区最低生活保障资金审计整改情况")
    services.application_start_review(application=late, actor=clerk)
    services.application_start_processing(application=late, actor=clerk)
    soon = p.paper(3, p.back(18), "洛龙区临时救助备用金管理办法及2025年使用情况")
    services.application_start_review(application=soon, actor=clerk)


def _corrected(p: _Plan) -> None:
    """5. Corrected: the clock restarted on the corrected application (第三十条)."""
    clerk = p.clerk
    corrected = p.paper(4, p.back(14), "关于养老补贴的文件")
    services.application_start_review(application=corrected, actor=clerk)
    services.application_request_correction(
        application=corrected,
        requested_on=p.back(12),
        note="请写明所需文件的名称或文号，以及补贴类别（高龄津贴、护理补贴等）。",
        actor=clerk,
    )
    services.application_receive_correction(
        application=corrected, corrected_on=p.back(8), actor=clerk
    )
    services.application_start_processing(application=corrected, actor=clerk)


def _consulted(p: _Plan) -> None:
    """6. Third-party consultation (第三十二条), answered."""
    clerk = p.clerk
    consulted = p.paper(10, p.back(16), "洛龙区2025年养老服务机构运营补贴发放明细")
    services.application_start_review(application=consulted, actor=clerk)
    services.application_start_processing(application=consulted, actor=clerk)
    consultation = services.consultation_start(
        application=consulted,
        kind="third_party",
        party="洛龙区某养老服务中心",
        sent_on=p.back(12),
        actor=clerk,
    )
    services.consultation_answer(
        consultation=consultation,
        answered_on=p.back(5),
        note="第三方同意公开补贴总额，不同意公开其经营数据。",
        actor=clerk,
    )


def _extended(p: _Plan) -> None:
    """7. Extended once (第三十三条第二款)."""
    clerk = p.clerk
    extended = p.paper(
        11, p.back(22), "洛龙区2023年至2025年社会救助领域行政复议案件情况"
    )
    services.application_start_review(application=extended, actor=clerk)
    services.application_start_processing(application=extended, actor=clerk)
    services.application_extend(
        application=extended,
        days=15,
        approver="洛龙区民政局局长 王演示",
        reason="涉及三个年度的案卷，需要调阅档案并汇总。",
        approved_on=p.back(3),
        notified_on=p.back(3),
        actor=clerk,
    )


def _disclosed(p: _Plan) -> None:
    """8–9. Disclosed and archived; partly disclosed, replied, to be archived."""
    disclosed = p.paper(5, p.back(40), "洛龙区2025年第一季度临时救助审批结果")
    p.reply(
        disclosed,
        "disclosed",
        "已通过邮寄提供洛龙区2025年第一季度临时救助审批结果汇总表。",
        p.back(30),
    )
    p.archive(disclosed, p.back(26))
    partly = p.paper(6, p.back(20), "洛龙区低保对象名单及家庭收入核查材料")
    p.reply(
        partly,
        "partly",
        "提供已公示的低保对象名单（已去标识化）；家庭收入核查材料涉及个人隐私，不予公开。",
        p.back(8),
    )


def _not_provided(p: _Plan) -> None:
    """10–12. Refused (third party's interests, 第十五条), not held (another
    agency's, 第三十六条第（五）项) and a repeat request (第（六）项); all archived."""
    refused = p.paper(7, p.back(45), "某养老机构的财务报表和员工工资明细")
    p.reply(
        refused,
        "refused_third_party",
        "所申请信息涉及第三方商业秘密，经征求意见，第三方不同意公开。",
        p.back(35),
    )
    p.archive(refused, p.back(33))
    unable = p.paper(8, p.back(50), "洛龙区2025年城市更新项目拆迁补偿标准")
    p.reply(
        unable,
        "unable_not_held",
        "经检索，本机关未制作或获取该信息。",
        p.back(44),
        other_agency="洛阳市洛龙区住房和城乡建设局",
    )
    p.archive(unable, p.back(40))
    repeat = p.paper(9, p.back(38), "洛龙区2025年第一季度临时救助审批结果")
    p.reply(
        repeat,
        "not_handled_repeat",
        "该申请与您此前的申请内容相同，本机关已于此前答复。",
        p.back(33),
    )
    p.archive(repeat, p.back(30))


def _withdrawn(p: _Plan) -> None:
    """13. No answer to the correction request: withdrawn (第三十条), archived."""
    clerk = p.clerk
    withdrawn = p.paper(1, p.back(60), "民政的材料")
    services.application_start_review(application=withdrawn, actor=clerk)
    services.application_request_correction(
        application=withdrawn,
        requested_on=p.back(58),
        note="申请内容不明确，请写明所需信息的名称、文号或其他特征性描述。",
        days=10,
        actor=clerk,
    )
    p.reply(
        withdrawn,
        "other_no_correction",
        "您未在补正期限内补正，视为放弃申请，本机关不再处理。",
        p.back(40),
    )
    p.archive(withdrawn, p.back(36))


#: The demo's applications, in the order they are created.
_STEPS = (
    _online,
    _in_progress,
    _corrected,
    _consulted,
    _extended,
    _disclosed,
    _not_provided,
    _withdrawn,
)


def _seed_plan(p: _Plan) -> None:
    for step in _STEPS:
        step(p)


def seed(*, scale: str = "demo", stdout=None) -> list[Application]:
    """Create the demo applications once (any scale; skipped when 洛龙区 has any)."""
    clerk = User.objects.filter(username=CLERK).first()
    region = Region.objects.filter(code=REGION).first()
    if clerk is None or region is None:
        if stdout is not None:
            stdout.write("demo_applications: 演示账号不存在，跳过。")
        return []
    if Application.objects.filter(region_id=REGION).exists():
        return []
    plan = _Plan(clerk=clerk, region=region, today=timezone.localdate())
    _seed_plan(plan)
    if stdout is not None:
        stdout.write(
            "demo_applications: 已登记洛龙区政府信息公开申请%(n)s件。"
            % {"n": len(plan.made)}
        )
    return plan.made


def applicant_names() -> set[str]:
    """The demo applicants' names and contact persons (for the privacy crawl)."""
    return {a.name for a in APPLICANTS} | {a.contact for a in APPLICANTS if a.contact}
