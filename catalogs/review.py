"""Submitting for review and the life of review comments (issue 21).

Reads: who will review a submission, whether the review has started, and the
comments still open. Writes (each with an audit entry): withdrawing a submission
before the review starts; answering, handling and closing a review comment.

A review "starts" when the reviewer records the first comment on this
submission (or decides): until then the clerk may take the submission back.
The county sees a comment on its catalog page as soon as it is recorded and may
answer it at once; it can change the catalog only after the reviewer returns it.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit, history_actor
from .models import Catalog, Region, ReviewComment, User

ANSWERABLE_STATUSES = (
    Catalog.Status.DRAFT,
    Catalog.Status.SUBMITTED,
    Catalog.Status.RETURNED,
)


# --- reads ------------------------------------------------------------------------------


def catalog_reviewers(catalog: Catalog) -> list[User]:
    """Active users who may review the catalog, the nearest region first (one query).

    A reviewer holds ``catalogs.review_catalog`` (through a group or directly)
    in a strict ancestor of the catalog's region.
    """
    codes = Region(code=catalog.region_id).ancestor_codes
    if not codes:
        return []
    perm = Permission.objects.filter(
        content_type__app_label="catalogs", codename="review_catalog"
    )
    return list(
        User.objects.filter(is_active=True, region_id__in=codes)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .select_related("region")
        .annotate(code_length=Length("region_id"))
        .order_by("-code_length", "username")
        .distinct()
    )


def catalog_review_started(catalog: Catalog) -> bool:
    """True once a reviewer commented on this submission (one query when submitted)."""
    if catalog.status != Catalog.Status.SUBMITTED or catalog.submitted_at is None:
        return False
    return ReviewComment.objects.filter(
        catalog=catalog, created_at__gte=catalog.submitted_at
    ).exists()


def catalog_open_comments(catalog: Catalog) -> list[ReviewComment]:
    """Comments the reviewer has not closed yet, oldest first (one query)."""
    return list(
        ReviewComment.objects.filter(catalog=catalog, closed_at__isnull=True)
        .select_related("author", "answered_by")
        .order_by("created_at", "pk")
    )


# --- writes -----------------------------------------------------------------------------


@transaction.atomic
def catalog_submission_withdraw(*, catalog: Catalog, actor: User | None) -> Catalog:
    """Take a submission back before the review starts (已提交 → 草稿).

    Refused once the reviewer has commented on this submission or decided.
    """
    catalog = Catalog.objects.select_for_update().get(pk=catalog.pk)
    if catalog.status != Catalog.Status.SUBMITTED:
        raise ValidationError(
            _("目录当前状态为“%(status)s”，没有可以撤回的提交。")
            % {"status": catalog.get_status_display()},
            code="bad_status",
        )
    if catalog_review_started(catalog):
        raise ValidationError(
            _(
                "上级审核人员已开始审核（已提出意见），不能再撤回。"
                "如需修改，请联系审核人员退回。"
            ),
            code="review_started",
        )
    submitted_at = catalog.submitted_at
    catalog.status = Catalog.Status.DRAFT
    catalog.submitted_at = None
    history_actor(catalog, actor)
    catalog.save(update_fields=["status", "submitted_at"])
    audit(
        "catalogs.catalog.submission_withdrawn",
        actor=actor,
        region=catalog.region_id,
        obj=catalog,
        submitted_at=submitted_at.isoformat() if submitted_at else "",
    )
    return catalog


@transaction.atomic
def review_comment_answer(
    *, comment: ReviewComment, actor: User | None, answer: str
) -> ReviewComment:
    """The county's answer to a comment (replaces an earlier answer)."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复内容。")})
    if comment.closed_at is not None:
        raise ValidationError(_("该意见已被审核人员关闭，不能再答复。"))
    if comment.catalog.status not in ANSWERABLE_STATUSES:
        raise ValidationError(
            _("目录当前状态为“%(status)s”，不能答复审核意见。")
            % {"status": comment.catalog.get_status_display()}
        )
    comment.answer = answer
    comment.answered_at = timezone.now()
    comment.answered_by = actor if actor is not None and actor.pk else None
    comment.full_clean()
    comment.save(update_fields=["answer", "answered_at", "answered_by"])
    audit(
        "catalogs.review_comment.answered",
        actor=actor,
        region=comment.catalog.region_id,
        obj=comment,
        catalog=comment.catalog_id,
        comment=answer,
    )
    return comment


@transaction.atomic
def review_comment_close(
    *, comment: ReviewComment, actor: User | None
) -> ReviewComment:
    """The reviewer closes a comment once satisfied (it stays visible, as 已关闭)."""
    if comment.closed_at is not None:
        raise ValidationError(_("该意见已经关闭。"))
    if comment.catalog.status == Catalog.Status.PUBLISHED:
        raise ValidationError(_("目录已发布，不能再关闭审核意见。"))
    comment.closed_at = timezone.now()
    comment.closed_by = actor if actor is not None and actor.pk else None
    comment.save(update_fields=["closed_at", "closed_by"])
    audit(
        "catalogs.review_comment.closed",
        actor=actor,
        region=comment.catalog.region_id,
        obj=comment,
        catalog=comment.catalog_id,
    )
    return comment
