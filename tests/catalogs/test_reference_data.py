"""Fixture integrity: regions, domains, the templates and Luoyang's catalogs."""

import json

import pytest

from catalogs.models import (
    Catalog,
    CatalogItem,
    Category,
    Domain,
    LegalDocument,
    Region,
)
from catalogs.reference import fixture_path

pytestmark = pytest.mark.django_db


def test_all_region_rows_load_with_levels_and_official_flag():
    assert Region.objects.count() == 2786
    counts = dict(
        Region.objects.values_list("level").annotate(
            n=__import__("django").db.models.Count("code")
        )
    )
    assert counts == {"province": 1, "city": 18, "county": 181, "township": 2586}
    assert Region.objects.filter(level="county", official=True).count() == 157
    assert Region.objects.filter(level="township", official=True).count() == 2467
    lilou = Region.objects.get(code="410311012")
    assert lilou.name == "李楼街道" and lilou.parent_id == "410311"


def test_ancestors_are_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        chain = list(Region.objects.ancestors_of("410311012"))
    assert [r.code for r in chain] == ["41", "4103", "410311"]
    assert [r.name for r in chain] == ["河南省", "洛阳市", "洛龙区"]


def test_descendants_are_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        below = list(Region.objects.descendants_of("4103"))
    codes = {r.code for r in below}
    assert "410311" in codes and "410311012" in codes
    assert "4103" not in codes and not any(not c.startswith("4103") for c in codes)
    # 洛阳市 has its counties and their townships, nothing else.
    assert len(below) == Region.objects.filter(code__startswith="4103").count() - 1


def test_two_domains_with_their_categories_in_order():
    assert list(Domain.objects.values_list("slug", flat=True)) == [
        "social-assistance",
        "elderly-care",
    ]
    sa = list(
        Category.objects.filter(domain__slug="social-assistance").values_list(
            "name", flat=True
        )
    )
    ec = list(
        Category.objects.filter(domain__slug="elderly-care").values_list(
            "name", flat=True
        )
    )
    assert sa == ["综合业务", "最低生活保障", "特困人员救助供养", "临时救助"]
    assert ec == ["养老服务通用政策", "养老服务业务办理", "养老服务行业管理信息"]
    assert not Domain.objects.get(slug="elderly-care").village_level
    assert Domain.objects.get(slug="social-assistance").village_level


def _fixture_items(name):
    data = json.loads(fixture_path(name).read_text(encoding="utf-8"))
    return {
        (d["slug"], i["seq"]): (c["name"], i)
        for d in data["domains"]
        for c in d["categories"]
        for i in c["items"]
    }


@pytest.mark.parametrize(
    "region_code,fixture",
    [("41", "province_templates.json"), ("4103", "luoyang_catalogs.json")],
)
def test_catalog_items_carry_all_nine_elements_as_in_the_fixture(
    templates, region_code, fixture
):
    # Luoyang inherits the province's quarterly 临时救助 item (社救 14, issue 16),
    # which its own transcription does not list.
    own = _fixture_items(fixture)
    expected = {**_fixture_items("province_templates.json"), **own}
    items = (
        CatalogItem.objects.filter(catalog__region_id=region_code)
        .select_related("catalog__domain", "category")
        .prefetch_related("basis_links__document")
    )
    assert items.count() == 25
    for item in items:
        category, spec = expected[(item.catalog.domain.slug, item.seq)]
        assert item.category.name == category
        assert item.name == spec["name"]
        assert item.content == spec["content"]
        assert item.time_limit_text == spec["time_limit"]
        assert item.deadline_kind in {"working_days", "on_request", "periodic"}
        assert item.subjects == spec["subjects"] and item.subjects
        assert item.channels == spec["channels"] and item.channels
        assert item.audience == spec["audience"] and item.audience
        assert item.mode == spec["mode"] and item.mode
        assert item.levels == spec["levels"] and item.levels
        key = (item.catalog.domain.slug, item.seq)
        # Provenance notes stay with the item that carries them (read through
        # upstream_item): an inherited item has none of its own.
        assert item.uncertain == (spec["uncertain"] if key in own else [])
        bases = [
            (link.document.title, link.document.number)
            for link in item.basis_links.all()
        ]
        assert bases == [_as_in_library(b) for b in spec["basis"]]


def _as_in_library(basis: dict) -> tuple[str, str]:
    """A fixture basis as the library holds it (issue 16): one spelling per
    document (中华人民共和国国务院令第711号), and a title cited without 文号
    matched to the numbered rule it names (《养老机构管理办法》 → 民政部令第66号)."""
    title, number = basis["title"], basis["number"]
    if number == "国务院令第711号":
        number = "中华人民共和国国务院令第711号"
    if (title, number) == ("《养老机构管理办法》", ""):
        number = "民政部令第66号"
    return title, number


def test_every_numbered_basis_keeps_its_number(templates):
    for spec in [
        *_fixture_items("province_templates.json").values(),
        *_fixture_items("luoyang_catalogs.json").values(),
    ]:
        for basis in spec[1]["basis"]:
            if basis["number"]:
                doc = LegalDocument.objects.get(
                    title=basis["title"], number=_as_in_library(basis)[1]
                )
                assert doc.kind in {"document", "standard"}
    assert LegalDocument.objects.filter(kind="document", number="").count() == 0


def test_luoyang_items_point_at_their_template_items(templates):
    for item in CatalogItem.objects.filter(catalog__region_id="4103").select_related(
        "upstream_item__catalog", "catalog"
    ):
        assert item.upstream_item is not None
        assert item.upstream_item.catalog.region_id == "41"
        assert item.upstream_item.seq == item.seq
        assert item.upstream_item.key == item.key
        assert item.catalog.upstream_id == item.upstream_item.catalog_id


def test_templates_and_luoyang_catalogs_are_published_with_sources(templates):
    province = Catalog.objects.filter(region_id="41")
    assert {c.title for c in province} == {
        "河南省社会救助领域基层政务公开标准目录",
        "河南省养老服务领域基层政务公开标准目录",
    }
    # Reconstructions, labelled so (issue 16): no official number printed on them.
    assert all(c.is_published and c.document_number == "" for c in province)
    assert all(
        c.source_note.startswith(
            "依据豫民文〔2020〕102号、洛民通〔2020〕15号整理的示范目录"
        )
        for c in province
    )
    luoyang = Catalog.objects.filter(region_id="4103")
    assert all(
        c.is_published and c.document_number == "洛民通〔2020〕15号" for c in luoyang
    )
    # Transcription notes stay on the item for a province admin to review.
    assert (
        CatalogItem.objects.filter(catalog__region_id="41")
        .exclude(uncertain=[])
        .exists()
    )


def test_no_elderly_care_item_is_village_level(templates):
    for item in CatalogItem.objects.filter(catalog__domain__slug="elderly-care"):
        assert "村级" not in item.levels


def test_loading_twice_changes_nothing(templates):
    from catalogs.reference import (
        ensure_reference_data,
        load_luoyang_catalogs,
        load_templates,
    )

    before = (
        Catalog.objects.count(),
        CatalogItem.objects.count(),
        LegalDocument.objects.count(),
    )
    ensure_reference_data()
    assert load_templates() == [] and load_luoyang_catalogs() == []
    assert (
        Catalog.objects.count(),
        CatalogItem.objects.count(),
        LegalDocument.objects.count(),
    ) == before


def test_the_province_template_has_the_quarterly_temporary_assistance_posting(
    templates,
):
    """Seed 003: 乡级政府要于每季度末在申请人所居住的村(社区)张榜公示临时救助结果."""
    item = CatalogItem.objects.get(
        catalog__region_id="41",
        catalog__domain__slug="social-assistance",
        name="临时救助审核审批结果",
    )
    assert item.category.name == "临时救助"
    assert (item.deadline_kind, item.deadline_period) == ("periodic", "quarter")
    assert item.subjects == ["乡镇人民政府（街道办事处）"] and item.levels == ["乡级"]
    assert "每季度末" in item.source_note
