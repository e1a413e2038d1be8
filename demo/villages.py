"""Demo villages and communities (村/社区) under 李楼街道 and two other townships.

The region file stops at townships and no source in the project holds real
village names or codes, so every demo village is labelled （演示）: the names of
李楼街道's villages are the ones the demo name lists already use in their 所属村
column (`demo.namelists.VILLAGES`), the codes are made up (NBS pattern: the
township's 9 digits, then 2xx for a 村民委员会, 0xx for a 社区居民委员会). They are
imported as one csv by demo-county through the same service a county office
uses (`catalogs.villages.villages_import_csv`). Idempotent.
"""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone

from catalogs import villages as village_services
from catalogs.models import Region, User
from disclosures.models import DisclosureRecord, PostingProof
from disclosures.records import posting

from .namelists import VILLAGES

DEMO_LABEL = "（演示）"
LILOU = "410311012"  # 李楼街道, demo-township
OTHERS = {
    "410311194": ["演示一村", "演示二村", "演示三村"],  # 寇店镇
    "410311002": ["演示一社区", "演示二社区"],  # 开元路街道
}


def demo_villages() -> list[tuple[str, str, str]]:
    """(code, name, township code) of every demo village, in code order."""
    rows = [
        (f"{LILOU}{200 + n:03d}", f"{name}{DEMO_LABEL}", LILOU)
        for n, name in enumerate(VILLAGES, start=1)
    ]
    for township, names in OTHERS.items():
        first = 1 if names[0].endswith("社区") else 201
        rows += [
            (f"{township}{first + n:03d}", f"{name}{DEMO_LABEL}", township)
            for n, name in enumerate(names)
        ]
    return sorted(rows)


def seed(*, scale: str = "demo", stdout=None) -> int:
    """Import the demo villages as demo-county (any scale; a second run adds nothing)."""
    county_user = User.objects.filter(username="demo-county").first()
    if (
        county_user is None
        or Region.objects.filter(
            level=Region.Level.VILLAGE, code__startswith=LILOU
        ).exists()
    ):
        return 0
    lines = ["code,name,township_code"] + [",".join(row) for row in demo_villages()]
    created = village_services.villages_import_csv(
        data=("\n".join(lines) + "\n").encode(), actor=county_user, within="410311"
    )
    if stdout is not None:
        stdout.write(f"demo_villages: {len(created)} 个演示村（社区）。\n")
    return len(created)


def demo_photo() -> bytes:
    """A synthetic photo of a notice on a board (no camera, no location: drawn here)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (120, 84, 52))  # a wooden notice board
    draw = ImageDraw.Draw(image)
    draw.rectangle((330, 110, 870, 830), fill=(250, 250, 246), outline=(40, 40, 40))
    for y in range(190, 800, 38):  # lines of the printed table
        draw.line((370, y, 830, y), fill=(90, 90, 90), width=2)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def seed_posting(*, scale: str = "demo", stdout=None) -> int:
    """Proof of posting for 李楼街道's quarterly 临时救助 results except the latest
    quarter, so the progress review shows both a posted and a missing posting.

    Runs after `demo.records`; idempotent (a record with proof is left alone).
    """
    township_user = User.objects.filter(username="demo-township").first()
    if township_user is None:
        return 0
    records = list(
        DisclosureRecord.objects.filter(
            region_id=LILOU,
            obligation__period_start__isnull=False,
            status=DisclosureRecord.Status.PUBLISHED,
        )
        .select_related("obligation", "obligation__item")
        .order_by("-publish_at")
    )
    records = [r for r in records if posting.is_posting_obligation(r.obligation)]
    added = 0
    for record in records[1:]:
        if PostingProof.objects.filter(record=record).exists():
            continue
        posted = timezone.localdate(record.publish_at)
        posting.posting_proof_add(
            record=record,
            data=demo_photo(),
            posted_on=posted,
            note="演示照片：李楼街道便民服务中心公示栏",
            actor=township_user,
            now=record.publish_at + timedelta(hours=2),
        )
        added += 1
    if stdout is not None and added:
        stdout.write(f"demo_villages: {added} 张演示张榜照片。\n")
    return added
