"""Proof of posting (张榜证明, SPEC §14): photos of a notice on a village notice board.

A clerk photographs the printed notice (`/records/<id>/notice/`) on the board
and attaches one or more photos to the record. Each photo is re-encoded here
before anything is stored: EXIF (camera, time, GPS location), XMP, ICC and
comments are dropped, the orientation is applied to the pixels and the photo is
shrunk to at most `MAX_SIDE` pixels. It goes to private storage
(``STORAGES["private"]``, no URL) and is shown only to staff of the record's
region and the regions above it (`disclosures.permissions.can_view_posting`).

A periodic 张榜 obligation (an item posted on the village board:
`is_posting_obligation`) is *posted* when its record is public and proof is
attached: ``Obligation.posted_on`` is the later of the two days, kept by
`records.obligations.obligation_sync`; it counts as met when that day is not
after the due date (`posting_met`).
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs import choices
from catalogs.audit import audit
from catalogs.models import Region, User

from ..deidentify import scan_text
from ..models import DisclosureRecord, Obligation, PostingProof
from ..querysets import public_q
from .attachment_scan import REFUSED_KINDS

#: Longest side of a stored photo, in pixels (readable on screen, small on disk).
MAX_SIDE = 1600
#: Largest photo accepted, in bytes (a phone photo is 2–8 MB).
MAX_PHOTO_BYTES = 15 * 1024 * 1024
#: Largest picture accepted, in pixels (Pillow's decompression-bomb guard).
MAX_PIXELS = 80_000_000
JPEG_QUALITY = 82
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")


class PhotoError(ValueError):
    """A file that is not a photo Pillow can read, or too large."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def photo_clean(data: bytes) -> CleanPhoto:
    """Re-encode a photo as a JPEG without any metadata, at most `MAX_SIDE` pixels a side.

    The EXIF orientation is applied first, so the picture stays upright once
    its EXIF is gone. Nothing of the original file is copied: only the pixels
    are, so GPS tags, camera data, XMP and ICC profiles cannot survive.
    Raises `PhotoError` with a Chinese message for anything else.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(_("照片太大：请上传不超过 15 MB 的照片。"))
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(
                    _("照片像素过多：请用手机正常拍摄的照片（不超过8000万像素）。")
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
            pixels = upright.convert("RGB")
    except PhotoError:
        raise
    except Image.DecompressionBombError:
        raise PhotoError(
            _("照片像素过多：请用手机正常拍摄的照片（不超过8000万像素）。")
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PhotoError(
            _("无法识别该文件：请上传手机或相机拍摄的 JPG、PNG 或 WebP 照片。")
        ) from None
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A fresh image holds the pixels only: no info dict, no EXIF, no ICC profile.
    bare = Image.new("RGB", pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), bare.width, bare.height)


# --------------------------------------------------------------------------- obligations


def is_posting_obligation(obligation: Obligation) -> bool:
    """A periodic obligation of an item posted on the village notice board (张榜)."""
    return obligation.period_start is not None and (
        choices.Channel.NOTICE_BOARD in (obligation.item.channels or [])
    )


def posting_met(obligation: Obligation) -> bool:
    """Published online and proof attached, both on or before the due date."""
    return (
        obligation.posted_on is not None and obligation.posted_on <= obligation.due_date
    )


def obligation_posted_on(
    obligation: Obligation, record: DisclosureRecord | None
) -> date | None:
    """The day a 张榜 obligation was posted: the later of the record's publication
    day and the day its first proof was attached; None without both (1 query)."""
    if (
        record is None
        or record.publish_at is None
        or not is_posting_obligation(obligation)
    ):
        return None
    first = PostingProof.objects.filter(record=record).aggregate(m=Min("uploaded_at"))[
        "m"
    ]
    if first is None:
        return None
    return max(timezone.localdate(record.publish_at), timezone.localdate(first))


# --------------------------------------------------------------------------- services


def _village_problem(record: DisclosureRecord, village: Region | None) -> str:
    if village is None:
        return ""
    if village.level != Region.Level.VILLAGE or not village.code.startswith(
        record.region_id
    ):
        return _("所选村（社区）不在“%(region)s”辖区内，请重新选择。") % {
            "region": record.region.name
        }
    return ""


@transaction.atomic
def posting_proof_add(
    *,
    record: DisclosureRecord,
    data: bytes,
    actor: User | None,
    posted_on: date | None = None,
    village: Region | None = None,
    note: str = "",
    now: datetime | None = None,
) -> PostingProof:
    """Attach a photo of the posted notice to a public record (audited).

    The photo is cleaned (`photo_clean`) before it is stored. `posted_on` is
    the day the notice went up (today by default; not in the future, not
    before the record was published). The record's obligation, if any, is
    synced in the same transaction, so a 张榜 obligation turns posted at once.
    """
    from .obligations import obligation_sync

    now = now or timezone.now()
    today = timezone.localdate(now)
    posted_on = posted_on or today
    record = DisclosureRecord.objects.select_related("region").get(pk=record.pk)
    errors: dict[str, list[str]] = {}
    if (
        not DisclosureRecord.objects.filter(pk=record.pk)
        .filter(public_q(now=now))
        .exists()
    ):
        errors.setdefault("photo", []).append(
            _("该公开信息尚未在网上公开（或已撤回）：请先发布，再上传张榜照片。")
        )
    if posted_on > today:
        errors.setdefault("posted_on", []).append(
            _("张榜日期不能晚于今天，请填写实际张贴的日期。")
        )
    elif record.publish_at and posted_on < timezone.localdate(record.publish_at):
        errors.setdefault("posted_on", []).append(
            _("张榜日期不能早于网上发布日期（%(day)s）。")
            % {"day": timezone.localdate(record.publish_at).strftime("%Y-%m-%d")}
        )
    problem = _village_problem(record, village)
    if problem:
        errors.setdefault("village", []).append(problem)
    note = " ".join((note or "").split())
    if note:
        if set(scan_text(note)[1]) & set(REFUSED_KINDS):
            errors.setdefault("note", []).append(
                _("说明中不能含有身份证号、手机号或银行卡号，请删除后再提交。")
            )
    if errors:
        raise ValidationError(errors)
    try:
        photo = photo_clean(data)
    except PhotoError as exc:
        raise ValidationError({"photo": [str(exc)]}, code="photo") from None
    proof = PostingProof(
        record=record,
        village=village,
        width=photo.width,
        height=photo.height,
        size=len(photo.data),
        posted_on=posted_on,
        note=note[:200],
        uploaded_by=actor if actor is not None and actor.pk else None,
        uploaded_at=now,
    )
    # A random name: the original file name may carry a person's name.
    proof.photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(photo.data), save=False)
    proof.full_clean()
    proof.save()
    audit(
        "disclosures.posting.proof_added",
        actor=actor,
        region=record.region_id,
        obj=proof,
        record=record.pk,
        village=village.code if village else None,
        posted_on=posted_on.isoformat(),
    )
    if record.obligation_id:
        obligation_sync(obligation=record.obligation, actor=actor, now=now)
    return proof


@transaction.atomic
def posting_proof_delete(*, proof: PostingProof, actor: User | None) -> None:
    """Remove a proof photo (a wrong picture), file included (audited); the
    obligation is synced again."""
    from .obligations import obligation_sync

    record = proof.record
    audit(
        "disclosures.posting.proof_deleted",
        actor=actor,
        region=record.region_id,
        obj=proof,
        record=record.pk,
    )
    name, storage = proof.photo.name, proof.photo.storage
    proof.delete()
    transaction.on_commit(lambda: storage.delete(name))
    if record.obligation_id:
        obligation_sync(obligation=record.obligation, actor=actor)


# --------------------------------------------------------------------------- selectors


def posting_proofs_of(record: DisclosureRecord) -> list[PostingProof]:
    """The record's proof photos, oldest first, with village and uploader (1 query)."""
    return list(
        PostingProof.objects.filter(record=record)
        .select_related("village", "uploaded_by")
        .order_by("uploaded_at", "pk")
    )
