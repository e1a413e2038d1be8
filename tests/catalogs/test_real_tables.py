"""Real county tables typed in the official layout (issue 16): variant header
words and values, content joined with 、, any basis wording kept with a
warning, and a partial import that cannot be submitted until every missing item
is added back or omitted with the clerk's own reason."""

from __future__ import annotations

import pytest

from catalogs import selectors, services
from catalogs.documents import catalog_from_docx
from catalogs.exports import catalog_import
from catalogs.models import Domain, Region

from .docx_samples import SampleRow, build_official_docx

# The header words of the real tables (the second header row as typed).
REAL_HEADERS: list[tuple[str, list[str]]] = [
    ("序号", []),
    ("公开事项", ["一级事项", "二级事项"]),
    ("公开内容（要素）", []),
    ("公开依据", []),
    ("公开时限", []),
    ("公开主体", []),
    ("公开渠道和载体", ["", ""]),
    ("公开对象", ["全社会", "特定群体(请写明)"]),
    ("公开方式", ["主动", "依申请公开"]),
    ("公开层级", ["县级", "乡、村级"]),
]
OTHER_AUDIENCE = [
    h if h[0] != "公开对象" else ("公开对象", ["全社会", "特定群众"])
    for h in REAL_HEADERS
]


def real_rows() -> list[SampleRow]:
    return [
        SampleRow(
            seq="1",
            category="综合业务",
            name="政策法规文件",
            content="《社会救助暂行办法》（国务院令第649号）",
            basis="《信息公开条例》及相关规定",
            time_limit="制定或获取信息之日起10个工作日内",
            subjects="县民政局",
            channels=("■政府网站 ■入户/现场宣传", ""),
            ticks={"全社会", "主动", "县级"},
        ),
        SampleRow(
            seq="2",
            category="临时救助",
            name="审核审批信息",
            content="支出型临时救助对象名单、救助金额、救助事由",
            basis="《养老机构管理办法》",
            time_limit="制定或获取信息之日起10个工作日内",
            subjects="各乡(镇)人民政府(街道办事处)",
            channels=("■政府网站 ■社区/企事业单位/村公示栏（电子屏）", ""),
            ticks={
                "全社会",
                "特定群体(请写明)",
                "特定群众",
                "主动",
                "依申请公开",
                "乡、村级",
            },
        ),
    ]


@pytest.mark.parametrize("headers", [REAL_HEADERS, OTHER_AUDIENCE])
def test_real_wording_is_read(headers):
    first, second = catalog_from_docx(build_official_docx(real_rows(), headers=headers))
    assert first.subjects == ["县级人民政府民政部门"]
    assert "入户/现场" in first.channels
    assert [b.title for b in first.basis] == ["《信息公开条例》及相关规定"]
    assert first.warnings == [] or all("公开依据" in w for w in first.warnings)
    assert second.subjects == ["乡镇人民政府（街道办事处）"]
    assert second.content == ["支出型临时救助对象名单", "救助金额", "救助事由"]
    assert second.audience == ["全社会", "特定群体"]
    assert second.mode == ["主动", "依申请"]
    assert second.levels == ["乡级", "村级"]


def test_real_table_imports_into_a_draft_that_lists_what_is_missing(
    templates, other_county_clerk
):
    data = build_official_docx(real_rows(), headers=REAL_HEADERS)
    result = catalog_import(
        data=data,
        filename="偃师区.docx",
        region=Region.objects.get(code="410307"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=other_county_clerk,
    )
    draft = result.catalog
    assert draft.status == "draft"
    # Every row imported; the basis kept as written, the 文号-less rule matched.
    policy = draft.items.get(name="政策法规文件", omitted=False)
    assert [(d.title, d.number) for d in policy.bases.all()] == [
        ("《信息公开条例》及相关规定", "")
    ]
    posting = draft.items.get(name="审核审批信息", omitted=False)
    assert [(d.title, d.number) for d in posting.bases.all()] == [
        ("《养老机构管理办法》", "民政部令第66号")
    ]
    assert any("《信息公开条例》及相关规定" in w for w in result.warnings)
    assert any("民政部令第66号" in w for w in result.warnings)
    # The items the file did not list are named, and block submission.
    assert "监督检查" in result.missing and len(result.missing) >= 10
    problems = selectors.catalog_submission_problems(draft)
    assert any("“监督检查”在导入的目录文件中缺失" in p for p in problems)
    for item in draft.items.filter(name__in=result.missing, omitted=True):
        services.catalog_item_omit(
            item=item,
            reason="本县未开展该项业务，由市级统一公开",
            actor=other_county_clerk,
        )
    problems = selectors.catalog_submission_problems(draft)
    assert not any("在导入的目录文件中缺失" in p for p in problems)
