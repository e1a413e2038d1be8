"""Whole-page cache of the anonymous public pages, invalidated in O(1).

Every cached page is stored under a key that contains the current *generation*
token and the tokens of the *scopes* the page depends on. Replacing a token is
one cache write, and every page cached under the old one is never read again
(it simply expires).

- The generation changes with what every page may show: a catalog published
  (the catalog that applies in a region comes from its ancestors), the
  calendar, the guide, a restore.
- A record, its name list or attachments change only the pages of the
  record's region and its ancestors (``region:<code>`` scopes: their pages
  count and list their whole subtree) and the pages that list records across
  regions (the ``records`` scope: home, search, record pages). A township
  publishing every few minutes therefore leaves the other 2,700 region pages
  and every catalog download cached.

Some pages change without any write: a scheduled record becomes public at its
`publish_at`, and a name list's rows disappear when its publicity period ends.
The generation therefore remembers the next such moment (`until`) and renews
itself once that moment has passed.

Pages live in the `public_pages` cache alias, which settings define only on a
cache that every worker process shares (the database table by default, Redis or
a file directory through CACHE_URL; see catalog_portal.scaleout): a page cached
per process would outlive a withdrawal on every other worker. Settings without
that alias, such as the test settings, cache nothing, so tests always see
freshly rendered pages with their template context.

Only anonymous GET/HEAD requests are cached (staff see a different header and
a CSRF token), only 200 responses that set no cookie, and the key includes the
visitor's large-font/high-contrast choice because the server renders it.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Min
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from catalogs.models import Catalog, Region
from catalogs.signals import catalog_published

from ..models import Attachment, DisclosureRecord, NameList
from ..namelists.public import name_list_next_end
from .a11y import a11y_classes

ALIAS = "public_pages"
GENERATION_KEY = "public:generation"
#: The scope of pages that list records of any region (home, search, record pages).
RECORDS_SCOPE = "records"
# How long a page may be served from the cache at most (seconds); the alias's
# TIMEOUT wins when it is set.
DEFAULT_TIMEOUT = 600
CACHED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")


def enabled() -> bool:
    return ALIAS in settings.CACHES


def _cache():
    return caches[ALIAS]


def next_change_at(*, now: datetime | None = None) -> datetime | None:
    """When the public pages next change without a write (2 queries).

    That is the earliest future `publish_at` of a scheduled record, or the
    first moment after a public name list's last public day (publicity
    period, replacement or display period: `namelists.name_list_next_end`).
    """
    now = now or timezone.now()
    scheduled = DisclosureRecord.objects.filter(
        status=DisclosureRecord.Status.SCHEDULED, publish_at__gt=now
    ).aggregate(m=Min("publish_at"))["m"]
    today = timezone.localdate(now)
    list_end = name_list_next_end(today=today)
    candidates = [scheduled] if scheduled else []
    if list_end is not None:
        # The list is public through its last day; it disappears at the next midnight.
        midnight = datetime.combine(list_end + timedelta(days=1), datetime.min.time())
        candidates.append(timezone.make_aware(midnight))
    return min(candidates, default=None)


def _new_generation() -> dict:
    until = next_change_at()
    return {"token": uuid.uuid4().hex, "until": until.timestamp() if until else None}


def generation() -> str:
    """The current generation token (a cache read; 2 queries when it is renewed)."""
    cache = _cache()
    current = cache.get(GENERATION_KEY)
    if current is not None and (
        current["until"] is None or timezone.now().timestamp() < current["until"]
    ):
        return current["token"]
    current = _new_generation()
    cache.set(GENERATION_KEY, current, None)
    return current["token"]


def invalidate() -> None:
    """Forget every cached public page (O(1): the generation is replaced).

    Called at once and again after the surrounding transaction commits: the
    second call drops pages that a concurrent request may have rendered from
    the not-yet-committed state in between.
    """
    if not enabled():
        return
    _cache().delete(GENERATION_KEY)
    transaction.on_commit(lambda: _cache().delete(GENERATION_KEY))


def region_scope(code: str) -> str:
    return f"region:{code}"


def _scope_key(scope: str) -> str:
    return f"public:scope:{scope}"


def region_scopes(code: str) -> list[str]:
    """The scopes a change in region `code` touches: it, its ancestors, the record lists."""
    chain = [*Region(code=code).ancestor_codes, code]
    return [RECORDS_SCOPE, *(region_scope(c) for c in chain)]


def invalidate_region(code: str | None) -> None:
    """Forget the cached pages that show region `code`'s records (one cache write, no query).

    Those are the pages of the region and of its ancestors, whose pages count
    and list their whole subtree, and the pages listing records of any region.
    Without a region the whole cache goes. Repeated after commit, as `invalidate`.
    """
    if not enabled():
        return
    if not code:
        invalidate()
        return
    keys = [_scope_key(scope) for scope in region_scopes(code)]
    _cache().delete_many(keys)
    transaction.on_commit(lambda: _cache().delete_many(keys))


def scope_tokens(scopes: list[str]) -> str:
    """The current tokens of `scopes`, joined (one cache read; a missing one is created).

    `add` keeps the token a concurrent request may have created meanwhile;
    losing that race costs one cache miss, never a stale page.
    """
    if not scopes:
        return ""
    cache = _cache()
    keys = [_scope_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, uuid.uuid4().hex, None)
    if missing:
        found.update(cache.get_many(missing))
    return ".".join(str(found.get(key, "")) for key in keys)


def _a11y_key(request: HttpRequest) -> str:
    return a11y_classes(request)


@functools.cache
def _build() -> str:
    """The static files' manifest hash: a deploy with new CSS/JS never serves old pages."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    return str(getattr(staticfiles_storage, "manifest_hash", "") or "")


def page_key(request: HttpRequest, token: str, scopes: str = "") -> str:
    raw = "\n".join([request.get_full_path(), _a11y_key(request), _build()])
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    return f"public:page:{token}:{scopes}:{digest}"


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if "messages" in request.COOKIES:
        return False
    return not request.user.is_authenticated


def _timeout() -> int:
    return settings.CACHES[ALIAS].get("TIMEOUT", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT


def records_scope(kwargs: dict) -> list[str]:
    """Pages that may show records of any region (the default)."""
    return [RECORDS_SCOPE]


def by_region(kwargs: dict) -> list[str]:
    """Pages of the region named in the URL: they show its subtree's records."""
    return [region_scope(kwargs["code"])]


def catalogs_only(kwargs: dict) -> list[str]:
    """Pages that show no record (a catalog's official table, the region picker)."""
    return []


def cache_public_page(view=None, *, scope=records_scope):
    """Serve an anonymous public page from the cache, or render and store it.

    `scope(view kwargs)` names the scopes besides the generation that the page
    depends on (`records_scope`, `by_region`, `catalogs_only`).
    """
    if view is None:
        return functools.partial(cache_public_page, scope=scope)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not enabled() or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        cache = _cache()
        key = page_key(request, generation(), scope_tokens(scope(kwargs)))
        stored = cache.get(key)
        if stored is not None:
            response = HttpResponse(stored["content"], status=stored["status"])
            for name, value in stored["headers"].items():
                response[name] = value
            response["X-Public-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if (
            response.status_code == 200
            and not response.cookies
            and not response.streaming
        ):
            cache.set(
                key,
                {
                    "status": response.status_code,
                    "content": response.content,
                    "headers": {
                        h: response[h] for h in CACHED_HEADERS if h in response
                    },
                },
                _timeout(),
            )
            response["X-Public-Cache"] = "miss"
        return response

    return wrapped


# --- invalidation -------------------------------------------------------------


@receiver(catalog_published, dispatch_uid="disclosures_cache_catalog_published")
def _catalog_published(sender, catalog=None, **kwargs):
    invalidate()


@receiver(post_save, sender=Catalog, dispatch_uid="disclosures_cache_catalog_saved")
def _catalog_saved(sender, instance, **kwargs):
    # `catalog_published` is sent after commit; a published row saved inside a
    # transaction that has not committed yet is caught here as well.
    if instance.status == Catalog.Status.PUBLISHED:
        invalidate()


@receiver(
    post_save, sender=DisclosureRecord, dispatch_uid="disclosures_cache_record_saved"
)
def _record_saved(sender, instance, created=False, **kwargs):
    # A new draft is not public and changes nothing the public sees.
    if not (created and instance.status == DisclosureRecord.Status.DRAFT):
        invalidate_region(instance.region_id)


@receiver(
    post_delete,
    sender=DisclosureRecord,
    dispatch_uid="disclosures_cache_record_deleted",
)
def _record_deleted(sender, instance, **kwargs):
    invalidate_region(instance.region_id)


def _record_region(record_id: int | None) -> str | None:
    """The record's region (one query; None, hence a full invalidation, when it is gone)."""
    return (
        DisclosureRecord.objects.filter(pk=record_id)
        .values_list("region_id", flat=True)
        .first()
    )


def _name_list_region(name_list: NameList) -> str | None:
    if name_list.record_id:
        return _record_region(name_list.record_id)
    return name_list.region_id


@receiver(post_save, sender=NameList, dispatch_uid="disclosures_cache_namelist_saved")
def _name_list_saved(sender, instance, **kwargs):
    # De-identification saves its progress often while a list is still processing.
    if instance.status != NameList.Status.PROCESSING:
        invalidate_region(_name_list_region(instance))


@receiver(
    post_delete, sender=NameList, dispatch_uid="disclosures_cache_namelist_deleted"
)
def _name_list_deleted(sender, instance, **kwargs):
    invalidate_region(_name_list_region(instance))


@receiver(
    post_save, sender=Attachment, dispatch_uid="disclosures_cache_attachment_saved"
)
@receiver(
    post_delete, sender=Attachment, dispatch_uid="disclosures_cache_attachment_deleted"
)
def _attachment_changed(sender, instance, **kwargs):
    invalidate_region(_record_region(instance.record_id))
