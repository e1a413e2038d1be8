"""Build Word files in the official catalog layout, the way county offices make them.

Written with python-docx directly and independently of
``catalogs.documents.catalog_to_docx``, so importing these files is a real check
of the importer. The layout follows seed 003 (洛民通〔2020〕15号): two header
rows with merged cells, header texts with spaces and line breaks, the channel
list split over two cells with ■/□ boxes, √/✓ in the tick columns, ● bullets,
an 一级事项 cell merged down over its items.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm


@dataclass
class SampleRow:
    """Raw cell texts of one item row ("\\n" starts a new paragraph)."""

    seq: str
    category: str | None  # None: merged into the 一级事项 cell of the row above
    name: str
    content: str
    basis: str
    time_limit: str
    subjects: str
    channels: tuple[str, str]  # two cells, as in seed 003
    ticks: set[str] = field(
        default_factory=set
    )  # sub-header labels, e.g. {"全社会", "县级"}
    mark: str = "√"


# (top header, sub-headers); a group with sub-headers is merged across them.
DEFAULT_HEADERS: list[tuple[str, list[str]]] = [
    ("序号", []),
    ("公开事项", ["一级事项", "二级事项"]),
    ("公开内容\n（要素）", []),
    ("公开依据", []),
    ("公开时限", []),
    ("公开主体", []),
    ("公开渠道和载体", ["", ""]),  # spans two cells, nothing in the second header row
    ("公开对象", ["全 社 会", "特 定\n群 体"]),
    ("公开方式", ["主 动", "依申请"]),
    ("公开层级", ["县 级", "乡 级", "村 级"]),
]


def _set_text(cell, text: str) -> None:
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def build_official_docx(
    rows: Sequence[SampleRow],
    *,
    title: str = "洛阳市社会救助领域基层政务公开标准目录",
    headers: list[tuple[str, list[str]]] | None = None,
) -> bytes:
    """A landscape document: a cover table to be ignored, the title, the catalog table."""
    headers = DEFAULT_HEADERS if headers is None else headers
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)

    document.add_paragraph("附件2")
    cover = document.add_table(rows=1, cols=2)  # not a catalog table
    cover.cell(0, 0).text = "发文单位"
    cover.cell(0, 1).text = "洛阳市民政局"
    document.add_paragraph(title)

    # Grid positions of each header and of each field in the data rows.
    spans: list[tuple[str, list[str], int, int]] = []
    width = 0
    for top, subs in headers:
        span = max(1, len(subs))
        spans.append((top, subs, width, width + span - 1))
        width += span

    table = document.add_table(rows=2 + len(rows), cols=width)
    table.style = document.styles["Table Grid"]
    for top, subs, first, last in spans:
        if not subs:
            _set_text(table.cell(0, first).merge(table.cell(1, first)), top)
        elif not any(subs):
            _set_text(table.cell(0, first).merge(table.cell(1, last)), top)
        else:
            _set_text(table.cell(0, first).merge(table.cell(0, last)), top)
            for offset, sub in enumerate(subs):
                _set_text(table.cell(1, first + offset), sub)

    positions = {
        top.replace("\n", ""): (subs, first, last) for top, subs, first, last in spans
    }
    simple = {
        "序号": "seq",
        "公开内容（要素）": "content",
        "公开依据": "basis",
        "公开时限": "time_limit",
        "公开主体": "subjects",
    }
    for index, row in enumerate(rows):
        r = 2 + index
        for top, attribute in simple.items():
            if top in positions:
                _set_text(table.cell(r, positions[top][1]), getattr(row, attribute))
        if "公开事项" in positions:
            _subs, first, _last = positions["公开事项"]
            if row.category is not None:
                _set_text(table.cell(r, first), row.category)
            _set_text(table.cell(r, first + 1), row.name)
        if "公开渠道和载体" in positions:
            _subs, first, last = positions["公开渠道和载体"]
            for offset, text in enumerate(row.channels[: last - first + 1]):
                _set_text(table.cell(r, first + offset), text)
        for group in ("公开对象", "公开方式", "公开层级"):
            if group not in positions:
                continue
            subs, first, _last = positions[group]
            for offset, sub in enumerate(subs):
                label = sub.replace(" ", "").replace("\n", "")
                if label in row.ticks:
                    _set_text(table.cell(r, first + offset), row.mark)

    # 一级事项 merged down where a row continues the category above.
    if "公开事项" in positions:
        column = positions["公开事项"][1]
        start = 0
        while start < len(rows):
            end = start
            while end + 1 < len(rows) and rows[end + 1].category is None:
                end += 1
            if end > start:
                table.cell(2 + start, column).merge(table.cell(2 + end, column))
            start = end + 1

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


CHANNELS_A = (
    "■政府网站 □两微一端 □广播电视台 ■公开查阅点 □便民服务站 "
    "□社区/企事业单位/村公示栏 （电子屏） □精准推送 □其他"
)
CHANNELS_B = "□政府公报 □发布会/听证会 □纸质媒体 ■政务服务大厅 □入户/现场"


def seed_rows() -> list[SampleRow]:
    """Four items in the shape of seed 003 (洛阳市社会救助, rows 1, 2, 5 and 6)."""
    return [
        SampleRow(
            seq="1",
            category="综合业务",
            name="政策法规文件",
            content="●《社会救助暂行办法》（国务院令第649号） ●《河南省社会救助实施办法》（豫政〔2014〕92号）",
            basis="《中华人民共和国政府信息公开条例》(中华人民共和国国务院令第711号)",
            time_limit="制定或获取信息之日起10个工作日内",
            subjects="县级人民政府民政部门、乡镇人民政府(街道办事处)",
            channels=(CHANNELS_A, CHANNELS_B),
            ticks={"全社会", "主动", "县级", "乡级"},
        ),
        SampleRow(
            seq="2",
            category=None,
            name="监督检查",
            content="1.社会救助信访通讯地址\n2.社会救助投诉举报电话",
            basis="《中华人民共和国政府信息公开条例》（中华人民共和国国务院令第711号）",
            time_limit="制定或获取信息之日起10个工作日内",
            subjects="县级人民政府民政部门\n乡镇人民政府（街道办事处）",
            channels=(CHANNELS_A, CHANNELS_B),
            ticks={"全社会", "主动", "依申请", "县级", "乡级"},
            mark="✓",
        ),
        SampleRow(
            seq="3",
            category="最低生活保障",
            name="审核信息",
            content="初审对象名单及相关信息",
            basis=(
                "●《国务院关于进一步加强和改进最低生活保障工作的意见》(国发〔2012〕45号)、"
                "《最低生活保障审核审批办法(试行)》（民发〔2012〕220号）\n各地相关政策法规文件"
            ),
            time_limit="制定或获取信息之日起10个工作日内，\n公示7个工作日",
            subjects="乡镇人民政府（街道办事处）",
            channels=(
                "☑政府网站 ☐两微一端 ☐广播电视 ☐公开查阅点 ☐便民服务站 "
                "☑社区/企事业单位/村公示栏（电子屏） ☐精准推送 ☑其他：村务微信群",
                "☐政府公报 ☐发布会/听证会 ☐纸质媒体 ☐政务服务中心 ☐入户/现场",
            ),
            ticks={"全社会", "特定群体", "主动", "乡级", "村级"},
            mark="✓",
        ),
        SampleRow(
            seq="4",
            category="",  # left blank, not merged: still 最低生活保障
            name="审批信息",
            content="1.低保对象名单及相关信息 2.救助金额",
            basis="《国务院关于进一步加强和改进最低生活保障工作的意见》国发〔2012〕45号；各地相关政策法规文件",
            time_limit="制定或获取信息之日起10个工作日内",
            subjects="县级人民政府民政部门、乡镇人民政府（街道办事处）",
            channels=(
                "■政府网站 ■公开查阅点",
                "■政务服务中心 ■社区/企事业单位/村公示栏（电子屏）",
            ),
            ticks={"全社会", "主动", "县级", "乡级", "村级"},
        ),
    ]
