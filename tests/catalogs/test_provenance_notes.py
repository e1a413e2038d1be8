"""Provenance notes in Chinese, resolvable by the province; source errors corrected
upstream; no （泛指） on a citation without 文号; demo version dates in order (issue 16)."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalogs import diff_queries, provenance, services
from catalogs.documents import catalog_to_xlsx
from catalogs.exports import catalog_import, catalog_table
from catalogs.models import AuditLogEntry, Catalog, CatalogItem, Domain, Region
from catalogs.reference import FIXTURES_DIR

from .docx_samples import SampleRow, build_official_docx

pytestmark = pytest.mark.django_db

ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")  # “domain.md”, “the”, “kept” …


def _province_item_with_notes() -> CatalogItem:
    return (
        CatalogItem.objects.filter(
            catalog__region_id="41", catalog__domain__slug="social-assistance"
        )
        .exclude(uncertain=[])
        .order_by("seq")
        .first()
    )


def _item_containing(catalog: Catalog, text: str) -> CatalogItem:
    return next(
        i for i in catalog.items.all() if any(text in line for line in i.content)
    )


def _county_copy(clerk) -> Catalog:
    return services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=clerk,
    )


# --- notes in Chinese ------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture", ["province_templates.json", "luoyang_catalogs.json"]
)
def test_every_fixture_note_is_chinese_and_keeps_its_source(fixture):
    data = json.loads((FIXTURES_DIR / fixture).read_text("utf-8"))
    items = [i for d in data["domains"] for c in d["categories"] for i in c["items"]]
    with_notes = [i for i in items if i["uncertain"]]
    assert len(with_notes) >= 15
    for item in with_notes:
        # A faithful translation, one for one, the English original kept beside it.
        assert len(item["uncertain"]) == len(item["uncertain_source"])
        for zh, en in zip(item["uncertain"], item["uncertain_source"], strict=True):
            assert not ENGLISH_WORD.search(zh), zh
            assert ENGLISH_WORD.search(en)
            # Every document number of the original survives in the translation.
            for number in re.findall(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号", en):
                assert number in zh, (number, zh)


def test_template_items_carry_a_chinese_source_note(templates):
    items = CatalogItem.objects.filter(catalog__region_id="41")
    notes = [i.source_note for i in items if i.source_note]
    assert len(notes) == items.count()
    for note in notes:
        assert note.startswith("整理说明：") and not ENGLISH_WORD.search(note), note
    assert provenance.derived_note(["unknown-code: something"]) == (
        "整理说明：其他调整（见省级示范目录编制说明）。"
    )


def test_the_province_notes_reach_the_county_clerk_in_chinese(
    templates, county_clerk, client
):
    draft = _county_copy(county_clerk)
    note = "公开内容：《城乡居民最低生活保障工作的意见》（豫政〔2013〕51号）疑为简称"
    item = next(
        i for i in draft.items.all() if any(note in h for h in provenance.item_hints(i))
    )
    assert item.uncertain == []  # carried by the upstream chain, not copied
    client.force_login(county_clerk)
    page = client.get(reverse("catalogs:item_edit", kwargs={"pk": item.pk}))
    html = page.content.decode()
    assert note in html
    # A clerk sees hints but no button to mark them handled.
    assert "标记为已处理" not in html


# --- resolving a note --------------------------------------------------------------


def test_a_province_admin_resolves_a_note_and_counties_stop_seeing_it(
    templates, province_admin, county_clerk
):
    draft = _county_copy(county_clerk)
    source = _province_item_with_notes()
    note = source.uncertain[0]
    copy = draft.items.get(upstream_item__upstream_item=source)
    assert note in provenance.item_hints(copy)
    before = source.lock_version

    resolved = provenance.source_note_resolve(
        item=source, note=note, actor=province_admin
    )

    assert note not in resolved.uncertain
    assert resolved.lock_version == before + 1
    assert f"：{note}" in resolved.source_note and "已处理（" in resolved.source_note
    copy.refresh_from_db()
    assert note not in provenance.item_hints(copy)
    entry = AuditLogEntry.objects.get(action="catalogs.provenance.note_resolved")
    assert entry.actor == province_admin and entry.object_id == str(source.pk)
    assert entry.region_id == "41"
    assert source.history.first().history_user == province_admin
    # Twice: the note is gone, said in Chinese.
    with pytest.raises(ValidationError, match="已被处理"):
        provenance.source_note_resolve(item=source, note=note, actor=province_admin)


@pytest.mark.parametrize("who", ["county_clerk", "city_reviewer"])
def test_only_a_province_admin_may_resolve_a_note(templates, request, who):
    user = request.getfixturevalue(who)
    luoyang_item = (
        CatalogItem.objects.filter(catalog__region_id="4103")
        .exclude(uncertain=[])
        .first()
    )
    for item in (_province_item_with_notes(), luoyang_item):
        with pytest.raises(PermissionDenied):
            provenance.source_note_resolve(
                item=item, note=item.uncertain[0], actor=user
            )
        item.refresh_from_db()
        assert item.uncertain  # unchanged
    assert not AuditLogEntry.objects.filter(
        action="catalogs.provenance.note_resolved"
    ).exists()


def test_the_catalog_page_offers_the_province_admin_a_button_per_note(
    templates, province_admin, county_clerk, client
):
    catalog = Catalog.objects.get(region_id="41", domain__slug="social-assistance")
    item = _province_item_with_notes()
    note = item.uncertain[0]
    client.force_login(province_admin)
    detail = reverse("catalogs:catalog_detail", kwargs={"pk": catalog.pk})
    page = client.get(detail)
    html = page.content.decode()
    assert "标记为已处理" in html and note in html
    url = reverse("catalogs:item_note_resolve", kwargs={"pk": item.pk})
    assert url in html
    response = client.post(url, {"note": note, "next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    item.refresh_from_db()
    assert note not in item.uncertain
    # A foreign redirect target is ignored.
    other = item.uncertain[0] if item.uncertain else None
    if other is not None:
        response = client.post(url, {"note": other, "next": "//evil.example/"})
        assert response["Location"] == detail
    # A county clerk: the province's staff pages are not theirs (404), nothing changes.
    item.refresh_from_db()
    remaining = list(item.uncertain)
    client.force_login(county_clerk)
    if remaining:
        assert client.post(url, {"note": remaining[0]}).status_code == 404
        item.refresh_from_db()
        assert item.uncertain == remaining


def test_the_city_reviewer_is_refused_on_luoyang_notes(
    templates, city_reviewer, client
):
    item = (
        CatalogItem.objects.filter(catalog__region_id="4103")
        .exclude(uncertain=[])
        .first()
    )
    client.force_login(city_reviewer)
    url = reverse("catalogs:item_note_resolve", kwargs={"pk": item.pk})
    assert client.post(url, {"note": item.uncertain[0]}).status_code == 403
    page = client.get(
        reverse("catalogs:catalog_detail", kwargs={"pk": item.catalog_id})
    )
    assert page.status_code == 200 and "标记为已处理" not in page.content.decode()


# --- source errors corrected upstream -------------------------------------------------


def test_the_command_publishes_the_correction_and_the_county_can_take_it(
    templates, province_admin, county_clerk
):
    county = _county_copy(county_clerk)  # from Luoyang v1, with 我而且
    assert county.upstream.region_id == "4103"
    out = StringIO()
    call_command(
        "correct_source_errors",
        "--user",
        province_admin.username,
        "--dry-run",
        stdout=out,
    )
    assert "需要更正" in out.getvalue()
    assert Catalog.objects.filter(region_id="4103", version=2).count() == 0

    out = StringIO()
    call_command("correct_source_errors", "--user", province_admin.username, stdout=out)
    assert "已发布更正版本" in out.getvalue()
    corrected = Catalog.objects.get(
        region_id="4103", domain__slug="social-assistance", version=2
    )
    assert corrected.is_published and corrected.document_number == ""
    assert "本版更正来源表格的录入错误" in corrected.source_note
    # Elderly care: 养老机构案数量 corrected too.
    elderly = Catalog.objects.get(
        region_id="4103", domain__slug="elderly-care", version=2
    )
    text = "".join(line for i in elderly.items.all() for line in i.content)
    assert "养老机构案数量" not in text and "养老机构数量" in text

    # The county's copy is untouched and sees the correction as an upstream change.
    plan = diff_queries.merge_plan(county)
    assert plan is not None and plan.newer.pk == corrected.pk
    by_key = {im.key: im for im in plan.items}
    fixed = _item_containing(corrected, "我市最低生活保障标准")
    merge = by_key[fixed.key]
    assert merge.kind == "changed"
    assert "content" in [em.element for em in merge.elements]
    mine = county.items.get(key=fixed.key)
    assert any("我而且" in line for line in mine.content)

    # Run again: nothing left to correct, no further version.
    out = StringIO()
    call_command("correct_source_errors", "--user", province_admin.username, stdout=out)
    assert "没有需要更正的目录" in out.getvalue()
    assert not Catalog.objects.filter(region_id="4103", version=3).exists()


def test_the_command_refuses_anyone_but_a_province_admin(templates, county_clerk):
    with pytest.raises(CommandError, match="省级管理员"):
        call_command("correct_source_errors", "--user", county_clerk.username)
    with pytest.raises(CommandError, match="没有用户名"):
        call_command("correct_source_errors", "--user", "nobody-here")
    assert Catalog.objects.filter(region_id="4103").count() == 2


def test_the_demo_offers_the_correction_to_demo_county(db):
    from demo import users as demo

    demo.seed()
    v2 = Catalog.objects.get(
        region_id="4103", domain__slug="social-assistance", version=2
    )
    text = "".join(line for i in v2.items.all() for line in i.content)
    assert "我而且" not in text and "国务院令第659号" not in text
    assert v2.source_note.startswith("演示数据") and "更正来源表格" in v2.source_note
    county = Catalog.objects.get(region_id="410311", domain__slug="social-assistance")
    plan = diff_queries.merge_plan(county)
    fixed = _item_containing(v2, "我市最低生活保障标准")
    assert fixed.key in {im.key for im in plan.items if im.kind == "changed"}


# --- （泛指） ----------------------------------------------------------------------


def test_a_citation_without_number_is_kept_as_written_never_marked_generic(
    templates, other_county_clerk
):
    unknown = "《偃师区困难群众临时救助实施细则》"
    data = build_official_docx(
        [
            SampleRow(
                seq="1",
                category="临时救助",
                name="审核审批信息",
                content="支出型临时救助对象名单、救助金额、救助事由",
                basis=f"{unknown}\n《养老机构管理办法》",
                time_limit="制定或获取信息之日起10个工作日内",
                subjects="乡镇人民政府（街道办事处）",
                channels=("■政府网站", ""),
                ticks={"全社会", "主动", "乡级"},
            )
        ]
    )
    result = catalog_import(
        data=data,
        filename="偃师区.docx",
        region=Region.objects.get(code="410307"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=other_county_clerk,
    )
    item = result.catalog.items.get(name="审核审批信息", omitted=False)
    bases = [(d.title, d.number) for d in item.bases.all()]
    assert (unknown, "") in bases  # kept as written
    assert ("《养老机构管理办法》", "民政部令第66号") in bases  # matched by title
    assert any(unknown in w and "按原文保留" in w for w in result.warnings)
    assert not any("泛指" in w for w in result.warnings)
    # Exported again: no （泛指） added anywhere.
    table = catalog_table(result.catalog)
    assert "泛指" not in str(vars(table))
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(catalog_to_xlsx(table)))
    cells = [
        str(c.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value
    ]
    assert any(unknown in c for c in cells)
    # Neither on the citation nor as advice in the instructions sheet.
    assert not any("（泛指）" in c for c in cells)


# --- demo dates -----------------------------------------------------------------------


def test_demo_version_dates_are_in_order_and_shown_in_shanghai(seeded_demo):
    from django.utils import timezone

    series: dict[tuple[str, int], list[Catalog]] = {}
    for catalog in Catalog.objects.order_by("region_id", "domain_id", "version"):
        series.setdefault((catalog.region_id, catalog.domain_id), []).append(catalog)
    checked = 0
    for versions in series.values():
        for earlier, later in zip(versions, versions[1:], strict=False):
            assert later.created_at >= earlier.created_at or later.published_at, later
            if earlier.published_at and later.published_at:
                assert later.published_at >= earlier.published_at, (
                    f"{later} v{later.version} published before v{earlier.version}"
                )
                checked += 1
    assert checked >= 1
    # A version is never published before its upstream version.
    for catalog in Catalog.objects.filter(
        published_at__isnull=False, upstream__isnull=False
    ).select_related("upstream"):
        assert catalog.published_at >= catalog.upstream.published_at, catalog
    # No invented version carries the real document number of the seed.
    for number in ("洛民通〔2020〕15号", "豫民文〔2020〕102号"):
        assert set(
            Catalog.objects.filter(document_number=number).values_list(
                "version", flat=True
            )
        ) <= {1}
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


# --- the admin action -----------------------------------------------------------------


def test_the_admin_action_resolves_every_note_of_the_selected_items(
    templates, province_admin, client
):
    items = list(
        CatalogItem.objects.filter(catalog__region_id="41")
        .exclude(uncertain=[])
        .order_by("pk")[:2]
    )
    count = sum(len(i.uncertain) for i in items)
    client.force_login(province_admin)
    changelist = reverse("admin:catalogs_catalogitem_changelist")
    page = client.get(changelist)
    assert "将所选事项的待核实事项标记为已处理" in page.content.decode()
    detail = client.get(
        reverse("admin:catalogs_catalogitem_change", args=[items[0].pk])
    )
    assert items[0].uncertain[0] in detail.content.decode()
    response = client.post(
        changelist,
        {
            "action": "resolve_source_notes",
            "_selected_action": [str(i.pk) for i in items],
        },
        follow=True,
    )
    assert f"已将{count}条待核实事项标记为已处理" in response.content.decode()
    for item in items:
        item.refresh_from_db()
        assert item.uncertain == [] and "已处理（" in item.source_note
    assert (
        AuditLogEntry.objects.filter(action="catalogs.provenance.note_resolved").count()
        == count
    )


def test_the_admin_action_is_not_offered_to_a_city_reviewer(
    templates, city_reviewer, client
):
    client.force_login(city_reviewer)
    page = client.get(reverse("admin:catalogs_catalogitem_changelist"))
    assert page.status_code == 403  # the admin is for province admins only
