"""Public search over disclosure records and catalog items (SPEC §6 `/search/?q=`).

Matching is substring matching (`icontains`) of every term, which suits Chinese:
there are no spaces between words, so a user's 低保 must match inside
最低生活保障对象低保金发放. On PostgreSQL the lookups are answered from indexes:
pg_trgm GIN indexes on the same `UPPER(col::text)` expressions (migration
`disclosures.0003_search_trgm`) for terms of three characters or more, and, for
records, GIN indexes of single characters and character pairs (migration
`disclosures.0011_search_cjk_grams`) that a one- or two-character term such as
低保 can use too; the `icontains` stays beside them and decides. On SQLite the
same query scans the table, which is the simple fallback for small installations.

Filters: region subtree (by code), domain, category (一级事项), publication
date range, 主题分类 and 索引号/文号 (SPEC §13). Results are paginated; the query terms are highlighted with
`<mark>` on text that is escaped first, so nothing typed or stored can inject
markup. Name lists are deliberately not searchable: searching people by name
across lists is a profiling risk the de-identification does not cover.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, Min, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogs.models import Catalog, CatalogItem, Category, Domain, Region

from ..deidentify import scan_text
from ..models import DisclosureRecord
from ..records.metadata import TOPIC_OPEN_GOVERNMENT
from . import gate

MAX_QUERY_LENGTH = 50
MAX_TERMS = 5
RECORDS_PER_PAGE = 20
ITEMS_PER_PAGE = 10
EXCERPT_RADIUS = 60
# Whitespace including the ideographic space (U+3000) people type with Chinese IMEs.
_SPACES = re.compile(r"[\s\u3000]+")

# Short forms readers type for the names the catalogs use (and back): a search for
# 低保 also finds 最低生活保障, which does not contain it. Each group is one meaning.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("低保", "最低生活保障"),
    ("特困", "特困人员救助供养", "特困供养"),
    ("五保", "特困人员救助供养"),
    ("临救", "临时救助"),
    ("残疾人两项补贴", "困难残疾人生活补贴和重度残疾人护理补贴"),
)


def term_alternatives(term: str) -> list[str]:
    """The term and its synonyms (`SYNONYMS`), the term first, without repeats."""
    alternatives = [term]
    folded = term.casefold()
    for group in SYNONYMS:
        if any(folded == word.casefold() for word in group):
            alternatives += [w for w in group if w not in alternatives]
    return alternatives


def _any_contains(fields: tuple[str, ...], term: str, transform=None) -> Q:
    """Q: any field contains the term or one of its synonyms."""
    condition = Q()
    for word in term_alternatives(term):
        value = transform(word) if transform else word
        for name in fields:
            condition |= Q(**{f"{name}__icontains": value})
    return condition


# Terms whose characters upper-case the same in Python and PostgreSQL: CJK
# ideographs (with extension A and compatibility forms), ASCII letters and digits.
_GRAMMABLE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def grams_tsquery(word: str) -> str | None:
    """The tsquery of `portal_cjk_grams` that every text containing `word` matches.

    One character: itself; longer: all its character pairs. None when the word
    holds a character outside `_GRAMMABLE` (the LIKE alone decides then).
    """
    if not _GRAMMABLE.fullmatch(word):
        return None
    upper = word.upper()
    grams = (
        [upper]
        if len(upper) == 1
        else sorted({upper[i : i + 2] for i in range(len(upper) - 1)})
    )
    return " & ".join(f"'{gram}'" for gram in grams)


def _grams_match(fields: tuple[str, ...], term: str) -> Q:
    """Q narrowing records to those whose character-pair index holds the term (PostgreSQL).

    Always implied by `_any_contains` on the same fields, so adding it never drops
    a match; it only lets the planner use migration 0011's indexes.
    """
    if connection.vendor != "postgresql":
        return Q()
    table = connection.ops.quote_name(DisclosureRecord._meta.db_table)
    condition = Q()
    for word in term_alternatives(term):
        tsquery = grams_tsquery(word)
        if tsquery is None:
            return Q()  # one alternative the index cannot express: no narrowing
        for name in fields:
            column = connection.ops.quote_name(name)
            condition |= Q(
                RawSQL(
                    f"portal_cjk_grams({table}.{column}) @@ %s::tsquery",
                    [tsquery],
                    output_field=BooleanField(),
                )
            )
    return condition


def split_terms(query: str) -> list[str]:
    """The distinct terms of a query, in order (at most `MAX_TERMS`)."""
    terms: list[str] = []
    for term in _SPACES.split(query.strip()):
        if term and term.casefold() not in (t.casefold() for t in terms):
            terms.append(term)
    return terms[:MAX_TERMS]


class SearchForm(forms.Form):
    """Validates the query string of `/search/`; every field is optional."""

    q = forms.CharField(
        label=gettext_lazy("关键词"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": gettext_lazy(
                "关键词最多 %(limit_value)d 个字，请缩短后再搜索。"
            )
        },
    )
    region = forms.CharField(label=gettext_lazy("地区"), required=False, max_length=12)
    domain = forms.CharField(label=gettext_lazy("领域"), required=False, max_length=50)
    category = forms.IntegerField(
        label=gettext_lazy("一级事项"), required=False, min_value=1
    )
    topic = forms.CharField(
        label=gettext_lazy("主题分类"), required=False, max_length=40
    )
    number = forms.CharField(
        label=gettext_lazy("索引号或文号"), required=False, max_length=60
    )
    date_from = forms.DateField(
        label=gettext_lazy("发布日期从"),
        required=False,
        error_messages={
            "invalid": gettext_lazy(
                "“发布日期从”格式不正确，请按 2025-01-31 的格式填写。"
            )
        },
    )
    date_to = forms.DateField(
        label=gettext_lazy("发布日期至"),
        required=False,
        error_messages={
            "invalid": gettext_lazy(
                "“发布日期至”格式不正确，请按 2025-12-31 的格式填写。"
            )
        },
    )

    def __init__(self, data=None, *args, **kwargs):
        # A query holding an ID, phone or bank-card number is neither run nor
        # echoed: the page (and any cache of it) shows it masked.
        self.masked_identifiers = False
        if data is not None and data.get("q"):
            masked, kinds = scan_text(data["q"])
            if kinds:
                data = data.copy()
                data["q"] = masked
                self.masked_identifiers = True
        super().__init__(data, *args, **kwargs)

    def clean_q(self):
        if self.masked_identifiers:
            raise forms.ValidationError(
                _(
                    "搜索内容中含有身份证号、手机号或银行卡号等个人信息，已隐去，本站不公开此类信息。"
                    "请改用事项名称、地区或标题中的词语搜索。"
                ),
                code="identifier",
            )
        return self.cleaned_data["q"]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to", _("“发布日期至”早于“发布日期从”，请调换两个日期后再搜索。")
            )
        return data


@dataclass
class SearchFilters:
    """A validated search: terms and resolved filter objects."""

    query: str = ""
    terms: list[str] = field(default_factory=list)
    region: Region | None = None
    domain: Domain | None = None
    category: Category | None = None
    date_from: date | None = None
    date_to: date | None = None
    topic: str = ""
    number: str = ""

    @property
    def highlight_terms(self) -> list[str]:
        """The terms and their synonyms, for <mark>."""
        return [w for term in self.terms for w in term_alternatives(term)]

    @property
    def active(self) -> bool:
        """True when there is anything to search for or filter by."""
        return bool(
            self.terms
            or self.region
            or self.domain
            or self.category
            or self.date_from
            or self.date_to
            or self.topic
            or self.number
        )


def search_options() -> dict:
    """The choices of the filter controls: domains with their categories, cities (3 queries)."""
    domains = list(Domain.objects.prefetch_related("categories"))
    cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
    # 主题分类: each domain's name (the default topic of its records) and the
    # topic of the disclosure work itself (annual reports).
    topics = [d.name for d in domains] + [TOPIC_OPEN_GOVERNMENT]
    return {"domains": domains, "cities": cities, "topics": topics}


def resolve_filters(form: SearchForm, options: dict) -> tuple[SearchFilters, list[str]]:
    """Turn a validated form into filters; unknown codes become messages (≤ 1 query)."""
    data = form.cleaned_data if form.is_valid() else {}
    problems: list[str] = []
    query = _SPACES.sub(" ", data.get("q") or "").strip()
    filters = SearchFilters(
        query=query,
        terms=split_terms(query),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        topic=(data.get("topic") or "").strip(),
        number=_SPACES.sub("", data.get("number") or ""),
    )
    slug = data.get("domain") or ""
    if slug:
        filters.domain = next((d for d in options["domains"] if d.slug == slug), None)
        if filters.domain is None:
            problems.append(
                _("没有“%(slug)s”这个领域，已在全部领域中搜索。") % {"slug": slug}
            )
    category_id = data.get("category")
    if category_id:
        categories = [
            c
            for d in options["domains"]
            if filters.domain is None or d.pk == filters.domain.pk
            for c in d.categories.all()
        ]
        filters.category = next((c for c in categories if c.pk == category_id), None)
        if filters.category is None:
            problems.append(_("所选一级事项不属于所选领域，已忽略一级事项条件。"))
    code = data.get("region") or ""
    if code:
        filters.region = next((c for c in options["cities"] if c.code == code), None)
        if filters.region is None:
            filters.region = Region.objects.filter(code=code).first()
        if filters.region is None:
            problems.append(
                _("没有区划代码为“%(code)s”的地区，已在全省范围内搜索。")
                % {"code": code}
            )
    return filters, problems


def record_queryset(filters: SearchFilters) -> QuerySet[DisclosureRecord]:
    """Public records matching every term in title or body, newest first."""
    qs = gate.records()
    for term in filters.terms:
        qs = qs.filter(
            _any_contains(("title", "body"), term)
            & _grams_match(("title", "body"), term)
        )
    if filters.region is not None:
        qs = qs.in_subtree(filters.region.code)
    if filters.domain is not None:
        qs = qs.filter(domain=filters.domain)
    if filters.category is not None:
        qs = qs.filter(item__category=filters.category)
    if filters.date_from is not None:
        qs = qs.filter(publish_at__date__gte=filters.date_from)
    if filters.date_to is not None:
        qs = qs.filter(publish_at__date__lte=filters.date_to)
    if filters.topic:
        qs = qs.filter(topic=filters.topic)
    if filters.number:
        # 索引号 (exact, or its prefix such as 410311/2025-) or 文号 (a part of it).
        qs = qs.filter(
            Q(index_number__startswith=filters.number)
            | Q(document_number__icontains=filters.number)
        )
    return qs.select_related("region", "domain", "item", "item__category").order_by(
        "-publish_at", "-pk"
    )


def _json_text_term(term: str) -> str:
    """How a term appears inside the text of a JSON column on this database.

    PostgreSQL's jsonb prints characters as they are; SQLite stores the text
    Django wrote with `json.dumps`, which escapes non-ASCII characters (\\u4f4e).
    """
    if connection.vendor == "postgresql":
        return term
    return json.dumps(term)[1:-1]


def item_queryset(filters: SearchFilters) -> QuerySet[CatalogItem]:
    """Items of current published catalogs matching every term (name, content, category).

    With a region filter: the catalogs of that region and the regions below it.
    Date filters do not apply to items (a catalog item is not a publication).
    """
    qs = CatalogItem.objects.filter(
        catalog__in=Catalog.objects.current_published(), omitted=False
    ).annotate(content_text=Cast("content", TextField()))
    for term in filters.terms:
        qs = qs.filter(
            _any_contains(("name", "category__name"), term)
            | _any_contains(("content_text",), term, _json_text_term)
        )
    if filters.region is not None:
        qs = qs.filter(catalog__region__code__startswith=filters.region.code)
    if filters.domain is not None:
        qs = qs.filter(catalog__domain=filters.domain)
    if filters.category is not None:
        qs = qs.filter(category=filters.category)
    return qs.select_related(
        "catalog", "catalog__region", "catalog__domain", "category"
    ).order_by(
        "catalog__region_id", "catalog__domain__order", "category__order", "seq", "pk"
    )


def item_group_queryset(filters: SearchFilters) -> QuerySet:
    """Matching items grouped as one result per catalog item across regions.

    The same item (domain, 一级事项, name) in 13 counties' catalogs is one result
    with ``region_count`` 13; ``region`` is the code of its highest region (the
    city's or province's, else the first county's), whose item stands for the group.
    """
    return (
        item_queryset(filters)
        .order_by()
        .values(
            "catalog__domain__order",
            "catalog__domain_id",
            "category__order",
            "category__name",
            "name",
        )
        .annotate(
            region_count=Count("catalog__region_id", distinct=True),
            region=Min("catalog__region_id"),
        )
        .order_by("catalog__domain__order", "category__order", "name")
    )


def group_representatives(groups) -> list[CatalogItem]:
    """The item standing for each group of one page, in the page's order (1 query).

    Each item carries ``region_count``.
    """
    groups = list(groups)
    if not groups:
        return []
    condition = Q()
    for g in groups:
        condition |= Q(
            catalog__domain_id=g["catalog__domain_id"],
            category__name=g["category__name"],
            name=g["name"],
            catalog__region_id=g["region"],
        )
    found = {
        (i.catalog.domain_id, i.category.name, i.name): i
        for i in CatalogItem.objects.filter(
            condition,
            catalog__in=Catalog.objects.current_published(),
            omitted=False,
        ).select_related("catalog", "catalog__region", "catalog__domain", "category")
    }
    items = []
    for g in groups:
        item = found.get((g["catalog__domain_id"], g["category__name"], g["name"]))
        if item is not None:
            item.region_count = g["region_count"]
            items.append(item)
    return items


RESULT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most RESULT_CAP + 1 matches.

    A broad term (临时救助) matches a large share of a million records; an exact
    count would touch every match, while LIMIT lets the database stop early.
    Nobody pages past the first thousand results: the page asks to narrow the
    search instead.
    """

    cap = RESULT_CAP

    @cached_property
    def _capped_count(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @property
    def capped(self) -> bool:
        return self._capped_count > self.cap


def paginate(qs: QuerySet, number, per_page: int) -> Page:
    """One page (2 queries: capped count and slice); a bad page number gives the nearest page."""
    return CappedPaginator(qs, per_page).get_page(number)


def search(form: SearchForm, *, page=1, item_page=1) -> dict:
    """Everything the search page shows (at most 8 queries).

    Filter choices 3, an unknown region code 1, records 2 (count and page),
    catalog items 3 (count and page of the groups, their representative items).
    """
    options = search_options()
    filters, problems = resolve_filters(form, options)
    records = items = None
    if filters.active:
        records = paginate(record_queryset(filters), page, RECORDS_PER_PAGE)
        for record in records:
            record.title_html = highlight(record.title, filters.highlight_terms)
            record.excerpt_html = excerpt(record.body, filters.highlight_terms)
    if filters.terms and not filters.date_from and not filters.date_to:
        items = paginate(item_group_queryset(filters), item_page, ITEMS_PER_PAGE)
        items.object_list = group_representatives(items.object_list)
        for item in items:
            item.name_html = highlight(item.name, filters.highlight_terms)
            item.content_html = excerpt(
                "；".join(item.content), filters.highlight_terms
            )
    return {
        "filters": filters,
        "problems": problems,
        "records": records,
        "items": items,
        **options,
    }


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of a term wrapped in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    parts, position = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def excerpt(text: str, terms: list[str], *, radius: int = EXCERPT_RADIUS) -> SafeString:
    """A short passage of `text` around the first match, highlighted."""
    text = _SPACES.sub(" ", text or "").strip()
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    if match is None:
        start, end = 0, 2 * radius
    else:
        start, end = max(0, match.start() - radius), match.end() + radius
    passage = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + highlight(passage, terms) + suffix)  # noqa: S308
