"""Reads for catalog pages: scoped, prefetched, aggregated."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import diff_queries, permissions, rules
from .deadlines import WorkCalendar
from .models import (
    AuditLogEntry,
    CalendarDay,
    CalendarYear,
    Catalog,
    CatalogItem,
    Category,
    Domain,
    ItemBasis,
    LegalDocument,
    Region,
    ReviewComment,
)

WORK_CALENDAR_CACHE_KEY = "catalogs:work_calendar:v1"


def work_calendar():
    """The official working-day calendar as a pure `WorkCalendar` (cached).

    Two queries on a cache miss; the cache entry is dropped whenever a province
    admin edits the calendar (`catalogs.services_calendar`).
    """

    cal = cache.get(WORK_CALENDAR_CACHE_KEY)
    if cal is not None:
        return cal
    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
    years = CalendarYear.objects.filter(official=True)
    stamp = years.aggregate(m=Max("updated_at"))["m"]
    cal = WorkCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        years=frozenset(years.values_list("year", flat=True)),
        version=f"db-{stamp:%Y%m%d%H%M%S%f}" if stamp else "fallback",
    )
    cache.set(WORK_CALENDAR_CACHE_KEY, cal, 3600)
    return cal


def forget_work_calendar() -> None:
    cache.delete(WORK_CALENDAR_CACHE_KEY)


def catalog_items_for_display(catalog: Catalog, *, include_omitted: bool = True):
    """Items of one catalog with everything the nine-element table needs (3 queries)."""
    qs = (
        CatalogItem.objects.filter(catalog=catalog)
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "basis_links",
                queryset=ItemBasis.objects.select_related("document").order_by("order"),
            )
        )
        .order_by("category__order", "seq", "pk")
    )
    if not include_omitted:
        qs = qs.filter(omitted=False)
    return qs


def region_get_with_ancestors(code: str) -> tuple[Region, list[Region]]:
    """A region and its ancestor chain (province first) in one query."""
    chain = list(Region.objects.ancestors_of(code, include_self=True))
    if not chain or chain[-1].code != code:
        raise Region.DoesNotExist(code)
    return chain[-1], chain[:-1]


def workspace_overview(user) -> dict:
    """What the workspace shows: the user's catalogs per domain with the actions the
    user may take on them, and the review queue.

    Queries, whatever the number of versions and items: region, domains, the
    region's catalogs, the published catalogs of its ancestors (clone sources and
    newer upstream versions), the diff counts (two), unresolved comments, the
    review queue; plus the user's permissions once.
    """

    code = permissions.scope_code(user)
    region = Region.objects.filter(code=code).first() if code else None
    domains = list(Domain.objects.all())
    catalogs = []
    if region is not None:
        by_domain: dict[int, list[Catalog]] = {}
        versions_qs = (
            Catalog.objects.for_region(region)
            .select_related("domain", "upstream", "upstream__region")
            .order_by("-version")
        )
        for catalog in versions_qs:
            by_domain.setdefault(catalog.domain_id, []).append(catalog)
        sources = _nearest_published_by_domain(region)
        shown = [
            c
            for versions in by_domain.values()
            for c in (
                next((v for v in versions if v.is_published), None),
                next((v for v in versions if not v.is_published), None),
            )
            if c is not None
        ]
        newer = diff_queries.newer_upstream_versions(shown)
        summaries = diff_queries.catalog_diff_summaries(shown)
        open_comments = _unresolved_comment_counts(shown)
        may_clone = permissions.can_clone_catalog(user, region)
        for domain in domains:
            versions = by_domain.get(domain.pk, [])
            current = next((c for c in versions if c.is_published), None)
            open_version = next((c for c in versions if not c.is_published), None)
            catalogs.append(
                {
                    "domain": domain,
                    "current": current,
                    "open": open_version,
                    "versions": versions,
                    "clone_source": sources.get(domain.pk) if not versions else None,
                    "can_clone": may_clone and not versions and domain.pk in sources,
                    "current_actions": catalog_actions(
                        user,
                        current,
                        newer.get(current.pk) if current else None,
                        has_open=open_version is not None,
                    ),
                    "open_actions": catalog_actions(
                        user,
                        open_version,
                        newer.get(open_version.pk) if open_version else None,
                    ),
                    "current_summary": summaries.get(current.pk) if current else None,
                    "open_summary": summaries.get(open_version.pk)
                    if open_version
                    else None,
                    "open_comments": open_comments.get(open_version.pk, 0)
                    if open_version
                    else 0,
                }
            )
    review_queue = list(
        Catalog.objects.reviewable_by(user)
        .select_related("region", "domain")
        .order_by("submitted_at")
    )
    return {
        "region": region,
        "domain_catalogs": catalogs,
        "review_queue": review_queue,
        "can_review": permissions.can_review_catalogs(user),
    }


def _nearest_published_by_domain(region: Region) -> dict[int, Catalog]:
    """For each domain, the nearest ancestor's current published catalog (one query)."""
    codes = region.ancestor_codes
    nearest: dict[int, Catalog] = {}
    for catalog in (
        Catalog.objects.current_published()
        .filter(region_id__in=codes)
        .select_related("region")
    ):
        known = nearest.get(catalog.domain_id)
        if known is None or len(catalog.region_id) > len(known.region_id):
            nearest[catalog.domain_id] = catalog
    return nearest


def _unresolved_comment_counts(catalogs) -> dict[int, int]:
    ids = [c.pk for c in catalogs]
    if not ids:
        return {}
    return dict(
        ReviewComment.objects.filter(catalog_id__in=ids, resolved=False)
        .values("catalog_id")
        .annotate(n=Count("pk"))
        .values_list("catalog_id", "n")
    )


def catalog_actions(
    user,
    catalog: Catalog | None,
    newer: Catalog | None = None,
    *,
    has_open: bool = False,
) -> dict:
    """Permission flags of one catalog version for templates (no queries once the
    user's permissions are cached)."""

    if catalog is None:
        return {}
    return {
        "edit": permissions.can_edit_catalog(user, catalog),
        "submit": permissions.can_edit_catalog(user, catalog)
        and not catalog.is_template,
        "publish": permissions.can_publish_catalog(user, catalog),
        "review": permissions.can_review_catalog(user, catalog),
        "withdraw": permissions.can_withdraw_submission(user, catalog),
        "answer_comments": permissions.scope_code(user) == catalog.region_id
        and catalog.status
        in (Catalog.Status.DRAFT, Catalog.Status.SUBMITTED, Catalog.Status.RETURNED)
        and user.has_perm("catalogs.change_catalog"),
        "new_version": permissions.can_start_new_version(user, catalog)
        and not has_open,
        "merge": newer is not None and permissions.in_scope(user, catalog.region_id),
        "newer": newer,
    }


def catalog_workbench(user, catalog: Catalog) -> dict:
    """The staff page of one catalog version: items grouped by category, each with its
    diff status against upstream and the review comments on it.

    Queries: the item snapshots (two), comments, other versions, the newer
    upstream version; constant in the number of items.
    """

    catalog_diff = diff_queries.catalog_diff(catalog)
    comments = list(
        ReviewComment.objects.filter(catalog=catalog)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    by_key: dict = {}
    general = []
    for comment in comments:
        if comment.item_key:
            by_key.setdefault(comment.item_key, []).append(comment)
        else:
            general.append(comment)
    groups: list[dict] = []
    removed = []
    for row in catalog_diff.rows:
        if row.item is None:
            removed.append(row)
            continue
        row.comments = by_key.get(row.item.key, [])
        row.open_comments = sum(1 for c in row.comments if not c.resolved)
        if not groups or groups[-1]["category_id"] != row.item.category_id:
            groups.append(
                {
                    "category_id": row.item.category_id,
                    "name": row.item.category_name,
                    "rows": [],
                }
            )
        groups[-1]["rows"].append(row)
    versions = list(
        Catalog.objects.filter(region_id=catalog.region_id, domain_id=catalog.domain_id)
        .order_by("-version")
        .only(
            "pk",
            "version",
            "status",
            "published_at",
            "region_id",
            "domain_id",
            "upstream_id",
        )
    )
    has_open = any(not v.is_published for v in versions)
    # A submission can be withdrawn until the reviewer comments on it.
    review_started = catalog.submitted_at is not None and any(
        c.created_at >= catalog.submitted_at for c in comments
    )
    newer = diff_queries.newer_upstream_versions([catalog]).get(catalog.pk)
    return {
        "catalog": catalog,
        "domain": catalog.domain,
        "groups": groups,
        "removed": removed,
        "summary": catalog_diff.summary,
        "general_comments": general,
        "review_started": review_started,
        "open_comment_count": sum(1 for c in comments if not c.resolved),
        "versions": versions,
        "actions": catalog_actions(
            user, catalog, newer, has_open=has_open and catalog.is_published
        ),
        "newer": newer,
    }


def catalog_review_page(catalog: Catalog) -> dict:
    """What a reviewer reads: the diff against upstream, the comments so far, and the
    items a comment can be attached to. Constant queries."""

    catalog_diff = diff_queries.catalog_diff(catalog)
    comments = list(
        ReviewComment.objects.filter(catalog=catalog)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    names = {row.item.key: row.item.name for row in catalog_diff.rows if row.item}
    for comment in comments:
        comment.item_name = names.get(comment.item_key, "") if comment.item_key else ""
    return {
        "catalog": catalog,
        "diff": catalog_diff,
        "rows": [
            r for r in catalog_diff.rows if r.status not in ("inherited", "template")
        ],
        "unchanged_count": sum(
            1 for r in catalog_diff.rows if r.status in ("inherited", "template")
        ),
        "summary": catalog_diff.summary,
        "comments": comments,
        "open_comments": [c for c in comments if c.closed_at is None],
        "item_choices": [
            (
                row.item.key,
                f"{row.item.seq}. {row.item.category_name} · {row.item.name}",
            )
            for row in catalog_diff.rows
            if row.item
        ],
    }


def review_queue(user) -> list[Catalog]:
    """Submitted catalogs of regions below the reviewer's, oldest first (one query)."""
    return list(
        Catalog.objects.reviewable_by(user)
        .select_related("region", "domain", "upstream", "upstream__region")
        .order_by("submitted_at", "pk")
    )


def review_queue_count(user) -> int:
    """How many submitted catalogs wait for the user's review (one COUNT query)."""
    return Catalog.objects.reviewable_by(user).count()


def item_comments(item: CatalogItem) -> list:
    """Review comments on one item in its catalog version (one query)."""

    return list(
        ReviewComment.objects.filter(catalog_id=item.catalog_id, item_key=item.key)
        .select_related("author")
        .order_by("created_at", "pk")
    )


#: How many library documents a filtered legal-basis picker lists.
BASIS_PICKER_LIMIT = 20


def legal_document_choices(
    query: str = "", *, keep: Iterable[int | str] = ()
) -> list[tuple[str, str]]:
    """The shared legal-basis library as (pk, citation) choices (one query).

    Superseded documents stay selectable (items may still cite them) but say so;
    so do proposals not yet accepted by a province admin. (Each citation is one
    row: the library is unique on title and 文号.)

    With ``query`` (the picker's filter, issue 21: it works without JavaScript)
    only documents whose title or 文号 contain every word of it are listed, at
    most :data:`BASIS_PICKER_LIMIT`; the documents in ``keep`` (those already
    chosen in the form) are always listed, so a filter never drops a choice.
    """

    def label(doc: LegalDocument) -> str:
        if doc.superseded_by_id is not None:
            return _("%(citation)s（已被替代，请更换）") % {"citation": doc.citation}
        if doc.status == LegalDocument.Status.PROPOSED:
            return _("%(citation)s（待省级管理员收录）") % {"citation": doc.citation}
        return doc.citation

    docs = list(LegalDocument.objects.order_by("title", "number"))
    words = query.split()
    if words:
        kept = {str(pk) for pk in keep}
        matches = [
            doc.pk
            for doc in docs
            if str(doc.pk) not in kept
            and all(word in f"{doc.title}{doc.number}" for word in words)
        ][:BASIS_PICKER_LIMIT]
        shown = set(matches)
        docs = [doc for doc in docs if doc.pk in shown or str(doc.pk) in kept]
    return [(str(doc.pk), label(doc)) for doc in docs]


# --- history (audit trail) -------------------------------------------------------------

HISTORY_LIMIT = 300

# Item fields shown in the history, with their labels.
_HISTORY_FIELDS = (
    ("category_id", gettext_lazy("一级事项")),
    ("name", gettext_lazy("二级事项")),
    ("content", gettext_lazy("公开内容（要素）")),
    ("time_limit_text", gettext_lazy("公开时限")),
    ("subjects", gettext_lazy("公开主体")),
    ("channels", gettext_lazy("公开渠道和载体")),
    ("channel_other", gettext_lazy("其他渠道说明")),
    ("audience", gettext_lazy("公开对象")),
    ("mode", gettext_lazy("公开方式")),
    ("levels", gettext_lazy("公开层级")),
    ("omitted", gettext_lazy("本地不公开")),
    ("omitted_reason", gettext_lazy("不公开理由")),
)

AUDIT_ACTION_LABELS = {
    "catalogs.catalog.created": gettext_lazy("创建目录"),
    "catalogs.catalog.cloned": gettext_lazy("复制上级目录"),
    "catalogs.catalog.version_started": gettext_lazy("开启新版本"),
    "catalogs.catalog.submitted": gettext_lazy("提交审核"),
    "catalogs.catalog.approved": gettext_lazy("审核通过"),
    "catalogs.catalog.returned": gettext_lazy("退回修改"),
    "catalogs.catalog.published": gettext_lazy("发布"),
    "catalogs.catalog.upstream_merged": gettext_lazy("合并上级目录更新"),
    "catalogs.review_comment.created": gettext_lazy("提出审核意见"),
    "catalogs.review_comment.resolved": gettext_lazy("审核意见已处理"),
}


def catalog_history(catalog: Catalog, *, item_key=None) -> dict:
    """Who changed what, when: every version of the catalog's lineage (same region and
    domain), the life-cycle events, and every change of every item, field by field.

    Built from the audit log (life cycle, comments) and django-simple-history (item
    rows, including deleted ones). Copies made by cloning or by opening a version are
    not listed item by item. Queries: versions, audit entries, item history rows,
    categories; constant in the number of items and edits (the newest
    `HISTORY_LIMIT` entries are shown).
    """
    versions = list(
        Catalog.objects.filter(region_id=catalog.region_id, domain_id=catalog.domain_id)
        .select_related("created_by", "reviewed_by", "upstream", "upstream__region")
        .order_by("-version")
    )
    version_of = {v.pk: v.version for v in versions}
    events: list[dict] = []
    if item_key is None:
        events.extend(_lifecycle_events(catalog, version_of))
    item_events = _item_events(catalog, version_of, item_key=item_key)
    events.extend(item_events)
    events.sort(key=lambda e: e["when"], reverse=True)
    return {
        "catalog": catalog,
        "versions": versions,
        "events": events[:HISTORY_LIMIT],
        "truncated": len(events) > HISTORY_LIMIT,
        "item_key": item_key,
        "item_name": item_events[0]["item"]
        if item_key is not None and item_events
        else "",
    }


def _lifecycle_events(catalog: Catalog, version_of: dict[int, int]) -> list[dict]:
    """History events of the versions' life cycle and review comments (one query)."""
    version_ids = list(version_of)
    entries = (
        AuditLogEntry.objects.filter(region_id=catalog.region_id)
        .filter(
            Q(
                object_type="catalogs.catalog",
                object_id__in=[str(pk) for pk in version_ids],
            )
            | Q(object_type="catalogs.reviewcomment", data__catalog__in=version_ids)
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )
    events = []
    for entry in entries:
        detail = entry.data.get("comment") or entry.data.get("reason") or ""
        if entry.action == "catalogs.catalog.upstream_merged":
            detail = _(
                "采用上级修改%(taken)s处，保留本地%(kept)s处，新增%(added)s项，标注不公开%(omitted)s项"
            ) % {k: entry.data.get(k, 0) for k in ("taken", "kept", "added", "omitted")}
        catalog_pk = (
            int(entry.object_id)
            if entry.object_type == "catalogs.catalog"
            else entry.data.get("catalog")
        )
        events.append(
            {
                "when": entry.created_at,
                "who": entry.actor,
                "what": AUDIT_ACTION_LABELS.get(entry.action, entry.action),
                "version": version_of.get(catalog_pk),
                "item": "",
                "item_key": None,
                "changes": [],
                "detail": detail,
            }
        )
    return events


def _item_events(
    catalog: Catalog, version_of: dict[int, int], *, item_key=None
) -> list[dict]:
    """History events of items added, deleted or changed by hand or by a merge, oldest
    first; copies made by cloning or opening a version are left out (two queries)."""
    history = CatalogItem.history.filter(catalog_id__in=list(version_of))
    if item_key is not None:
        history = history.filter(key=item_key)
    categories = dict(
        Category.objects.filter(domain_id=catalog.domain_id).values_list("pk", "name")
    )
    previous: dict[int, object] = {}
    events = []
    for record in history.select_related("history_user").order_by(
        "id", "history_date", "history_id"
    ):
        before = previous.get(record.id)
        previous[record.id] = record
        reason = record.history_change_reason or ""
        if record.history_type == "+":
            if reason in (
                "catalogs.catalog.cloned",
                "catalogs.catalog.version_started",
            ):
                continue
            what, changes = _("新增事项"), []
        elif record.history_type == "-":
            what, changes = _("删除事项"), []
        else:
            if before is None:
                continue
            changes = _field_changes(before, record, categories)
            if not changes:
                continue
            what = (
                _("采纳上级更新")
                if reason == "catalogs.catalog.upstream_merged"
                else _("修改事项")
            )
        events.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": what,
                "version": version_of.get(record.catalog_id),
                "item": record.name,
                "item_key": record.key,
                "changes": changes,
                "detail": "",
            }
        )
    return events


def _field_changes(before, after, categories: dict) -> list[dict]:
    changes = []
    for name, label in _HISTORY_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        changes.append(
            {
                "label": label,
                "before": _history_text(name, old, categories),
                "after": _history_text(name, new, categories),
            }
        )
    return changes


def _history_text(name: str, value, categories: dict) -> str:
    if name == "category_id":
        return categories.get(value, "")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "；".join(map(str, value))
    return "" if value is None else str(value)


def catalog_submission_problems(catalog: Catalog) -> list[str]:
    """Problems that block submitting a whole catalog, each naming the item (SPEC §3 rules)."""
    calendar = work_calendar()
    problems = []
    items = (
        CatalogItem.objects.filter(catalog=catalog, omitted=False)
        .select_related("catalog__domain", "upstream_item", "category")
        .prefetch_related("bases")
    )
    for item in items:
        for _field, messages in rules.check_item(
            item=item, documents=list(item.bases.all()), calendar=calendar
        ).items():
            for message in messages:
                problems.append(
                    _("事项“%(name)s”：%(message)s")
                    % {"name": item.name, "message": message}
                )
    if not any(True for _i in items):
        problems.append(_("目录中没有任何公开事项。"))
    from .exports import OMITTED_BY_IMPORT  # exports imports this module

    for name in CatalogItem.objects.filter(
        catalog=catalog, omitted=True, omitted_reason=OMITTED_BY_IMPORT
    ).values_list("name", flat=True):
        problems.append(
            _(
                "事项“%(name)s”在导入的目录文件中缺失：请补充该事项，"
                "或标注本地不公开并写明理由后再提交。"
            )
            % {"name": name}
        )
    return problems
