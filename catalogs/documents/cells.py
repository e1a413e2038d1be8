"""Cell text helpers shared by the Excel and Word formats.

Normalising header and vocabulary texts (whitespace, half-width brackets),
splitting list and content cells, and reading the controlled vocabularies of
:mod:`catalogs.choices` with the aliases county tables use (政务服务大厅 →
政务服务中心, 广播电视台 → 广播电视, 乡镇级 → 乡级 …). The channel cell is read
either as a ``■政府网站 □政府公报 …`` checklist or as a plain ``、`` list; a
ticked 其他 carries its free text (``■其他：村务微信群``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from catalogs.choices import (
    AUDIENCE_VALUES,
    CHANNEL_VALUES,
    LEVEL_VALUES,
    MODE_VALUES,
    SUBJECT_VALUES,
    Audience,
    Channel,
    Level,
    Subject,
)

from .table import FIELD_LABELS, MULTI_VALUE_SEPARATOR, Problems

#: Marks the Word table prints: a ticked and an unticked channel, a ticked column.
CHECKED_BOX = "■"
UNCHECKED_BOX = "□"
TICK = "✓"

_CHANNEL_MARK_RE = re.compile(r"([■□☑☐☒✓√✔])")
_CHANNEL_TICKED = frozenset("■☑☒✓√✔")

#: Any run of whitespace, line breaks included.
WHITESPACE_RE = re.compile(r"\s+")
_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", "／": "/", ":": "："})


def norm(text: str) -> str:
    """Comparison form of a header or vocabulary term: no whitespace, full-width brackets."""
    return WHITESPACE_RE.sub("", text or "").translate(_HALF_TO_FULL)


def _vocabulary(values: Sequence[str], aliases: dict[str, str]) -> dict[str, str]:
    lookup = {norm(value): value for value in values}
    # str(): plain strings, not TextChoices members, in the returned ItemRows.
    lookup.update({norm(alias): str(value) for alias, value in aliases.items()})
    return lookup


OTHER_CHANNEL = str(Channel.OTHER)
VILLAGE_LEVEL = str(Level.VILLAGE)

# Issue 16: wordings of real county tables (typed from county sites).
_SUBJECTS = _vocabulary(
    SUBJECT_VALUES,
    {
        "县民政局": Subject.COUNTY,
        "县级民政部门": Subject.COUNTY,
        "县（市、区）民政局": Subject.COUNTY,
        "县级人民政府民政部门": Subject.COUNTY,
        "县级人民政府 民政部门": Subject.COUNTY,
        "各乡（镇）人民政府（街道办事处）": Subject.TOWNSHIP,
        "乡（镇）人民政府（街道办事处）": Subject.TOWNSHIP,
        "各乡镇人民政府（街道办事处）": Subject.TOWNSHIP,
        "乡镇人民政府": Subject.TOWNSHIP,
        "乡镇政府": Subject.TOWNSHIP,
        "乡级政府": Subject.TOWNSHIP,
    },
)
_CHANNELS = _vocabulary(
    CHANNEL_VALUES,
    {
        # Wordings seen in county and city tables (seed 003).
        "政务服务大厅": Channel.SERVICE_CENTER,
        "政务大厅": Channel.SERVICE_CENTER,
        "政务服务站": Channel.SERVICE_CENTER,
        "广播电视台": Channel.BROADCAST,
        "发布会、听证会": Channel.PRESS,
        "发布会听证会": Channel.PRESS,
        "入户、现场": Channel.DOOR_TO_DOOR,
        "入户现场": Channel.DOOR_TO_DOOR,
        "入户/现场宣传": Channel.DOOR_TO_DOOR,
        "入户、现场宣传": Channel.DOOR_TO_DOOR,
        "入户宣传": Channel.DOOR_TO_DOOR,
        "现场宣传": Channel.DOOR_TO_DOOR,
        "社区/企事业单位/村公示栏": Channel.NOTICE_BOARD,
        "社区/企事业单位/村公示栏电子屏": Channel.NOTICE_BOARD,
        "村公示栏": Channel.NOTICE_BOARD,
        "公示栏": Channel.NOTICE_BOARD,
        "电子屏": Channel.NOTICE_BOARD,
        "（电子屏）": Channel.NOTICE_BOARD,
    },
)
_AUDIENCE = _vocabulary(
    AUDIENCE_VALUES,
    {
        "特定群众": Audience.SPECIFIC,
        "特定群体（请写明）": Audience.SPECIFIC,
        "特定群众（请写明）": Audience.SPECIFIC,
        "社会公众": Audience.PUBLIC,
    },
)
_MODES = _vocabulary(MODE_VALUES, {"主动公开": "主动", "依申请公开": "依申请"})
_LEVELS = _vocabulary(
    LEVEL_VALUES,
    {
        "县": Level.COUNTY,
        "乡": Level.TOWNSHIP,
        "乡镇级": Level.TOWNSHIP,
        "乡（镇）级": Level.TOWNSHIP,
        "乡镇（街道）级": Level.TOWNSHIP,
        "村": Level.VILLAGE,
        "村（社区）级": Level.VILLAGE,
        "乡镇": Level.TOWNSHIP,
        "乡（镇、街道）级": Level.TOWNSHIP,
    },
)

#: Combined column headers or values that stand for several terms at once
#: (``乡、村级`` = 乡级 and 村级). Normalised label → terms.
COMBINED: dict[str, dict[str, tuple[str, ...]]] = {
    "levels": {
        norm("乡、村级"): (str(Level.TOWNSHIP), str(Level.VILLAGE)),
        norm("乡村级"): (str(Level.TOWNSHIP), str(Level.VILLAGE)),
        norm("县、乡级"): (str(Level.COUNTY), str(Level.TOWNSHIP)),
        norm("县、乡、村级"): (
            str(Level.COUNTY),
            str(Level.TOWNSHIP),
            str(Level.VILLAGE),
        ),
    },
}


def vocabulary_terms(field_name: str, label: str) -> tuple[str, ...]:
    """The terms a label stands for (one, several for 乡、村级, none if unknown)."""
    lookup, _order = VOCABULARIES[field_name]
    key = norm(label)
    if key in lookup:
        return (lookup[key],)
    return COMBINED.get(field_name, {}).get(key, ())


#: Per list field: (normalised label → term, official order of the terms).
VOCABULARIES: dict[str, tuple[dict[str, str], Sequence[str]]] = {
    "subjects": (_SUBJECTS, SUBJECT_VALUES),
    "channels": (_CHANNELS, CHANNEL_VALUES),
    "audience": (_AUDIENCE, AUDIENCE_VALUES),
    "mode": (_MODES, MODE_VALUES),
    "levels": (_LEVELS, LEVEL_VALUES),
}


def in_official_order(values: Iterable[str], order: Sequence[str]) -> list[str]:
    """Deduplicate and sort by the official order; unknown values go last, as given."""
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    rank = {value: index for index, value in enumerate(order)}
    return sorted(seen, key=lambda v: rank.get(v, len(order)))


_LIST_SPLIT_RE = re.compile(r"[\n、，,；;]+")
_BULLET_RE = re.compile(
    r"^\s*(?:[●•·▪◆◇○◎]+|\d{1,3}\s*[.．、](?!\d)|[（(]\s*\d{1,3}\s*[)）])\s*"
)
_INLINE_NUMBER_RE = re.compile(r"\s+(?=\d{1,3}[.．、](?!\d))")


def strip_bullet(text: str) -> str:
    """``text`` without a leading ``●`` bullet or ``1.`` / ``（1）`` number."""
    return _BULLET_RE.sub("", text, count=1).strip()


def split_content(text: str) -> list[str]:
    """Content elements from a cell: one per line or ``●`` bullet; ``1.`` numbering dropped."""
    elements: list[str] = []
    for line in (text or "").splitlines():
        pieces = re.split(r"[●•]", line)
        for piece in pieces:
            piece = piece.strip()
            if re.match(r"^\d{1,3}[.．、](?!\d)", piece):
                # "1.文件名称 2.文号 3.发文部门" on one line (PDF conversions).
                parts = _INLINE_NUMBER_RE.split(piece)
            else:
                parts = [piece]
            for part in parts:
                part = strip_bullet(part)
                if part:
                    elements.append(part)
    if len(elements) == 1 and not _SENTENCE_RE.search(elements[0]):
        # One line listing elements joined with 、/；/numbers ("对象名单、救助金额、
        # 救助事由", "1.名单2.金额"), not a sentence: split at the top level, never
        # inside 《》 or brackets. "办理时间、地点" (a two-character piece) stays whole.
        pieces = _split_joined(elements[0])
        if len(pieces) > 1 and all(len(p) >= 4 for p in pieces):
            elements = pieces
    return elements


_SENTENCE_RE = re.compile(r"[，,。：:！？]")


_GLUED_NUMBER_RE = re.compile(r"(?<=[^\d\s.．、])(?=\d{1,2}[.．、](?!\d))")


def _split_joined(text: str) -> list[str]:
    """Split one content line at top-level 、 ； ; and glued numbering."""
    pieces: list[str] = []
    buffer: list[str] = []
    depth = 0
    for char in _GLUED_NUMBER_RE.sub("\n", text):
        if char in "《（(〈【[":
            depth += 1
        elif char in "》）)〉】]":
            depth = max(0, depth - 1)
        if depth == 0 and char in "、；;\n":
            pieces.append("".join(buffer))
            buffer = []
            continue
        buffer.append(char)
    pieces.append("".join(buffer))
    parts = [strip_bullet(p) for p in pieces]
    return [p for p in parts if p] or [text]


def split_list(text: str) -> list[str]:
    """Values of a list cell separated by line breaks, 、，, or ；."""
    return [part.strip() for part in _LIST_SPLIT_RE.split(text or "") if part.strip()]


def parse_vocabulary(
    values: Iterable[str], field_name: str, row: int, problems: Problems, column: str
) -> list[str]:
    """Map labels to the terms of ``field_name``'s vocabulary, in official order.

    An unknown label is reported to ``problems`` at ``row``/``column`` and dropped.
    """
    lookup, order = VOCABULARIES[field_name]
    found: list[str] = []
    for value in values:
        canonical = lookup.get(norm(value))
        if canonical is None:
            problems.add(
                row,
                column,
                _("无法识别的%(what)s“%(value)s”，可选值：%(allowed)s。")
                % {
                    "what": FIELD_LABELS[field_name],
                    "value": value,
                    "allowed": MULTI_VALUE_SEPARATOR.join(order),
                },
            )
        else:
            found.append(canonical)
    return in_official_order(found, order)


def parse_channels(
    text: str, row: int, problems: Problems, column: str
) -> tuple[list[str], str]:
    """Channels from ``■政府网站 □政府公报 …`` or from a plain ``、`` list.

    Returns the ticked channels in official order and the free text of 其他.
    """
    ticked: list[str] = []
    unknown: list[str] = []
    other_text = ""
    if _CHANNEL_MARK_RE.search(text or ""):
        pieces = _CHANNEL_MARK_RE.split(text)
        entries = []
        if pieces[0].strip():
            entries.append(("", pieces[0]))
        entries += list(zip(pieces[1::2], pieces[2::2], strict=True))
        for mark, label in entries:
            label = label.strip()
            if not label:
                continue
            is_ticked = mark in _CHANNEL_TICKED
            channel, extra = _channel_label(label)
            if channel is None:
                unknown.append(label)
            elif is_ticked:
                ticked.append(channel)
                if channel == OTHER_CHANNEL and extra:
                    other_text = extra
    else:
        for label in split_list(text):
            channel, extra = _channel_label(label)
            if channel is None:
                unknown.append(label)
            else:
                ticked.append(channel)
                if channel == OTHER_CHANNEL and extra:
                    other_text = extra
    for label in unknown:
        problems.add(
            row,
            column,
            _("无法识别的公开渠道“%(value)s”，可选值：%(allowed)s。")
            % {
                "value": WHITESPACE_RE.sub(" ", label),
                "allowed": MULTI_VALUE_SEPARATOR.join(CHANNEL_VALUES),
            },
        )
    return in_official_order(ticked, CHANNEL_VALUES), other_text


def _channel_label(label: str) -> tuple[str | None, str]:
    """Map a channel label to its vocabulary term; 其他 may carry free text."""
    normalized = norm(label)
    if normalized in _CHANNELS:
        return _CHANNELS[normalized], ""
    stripped = label.strip()
    if stripped.startswith(OTHER_CHANNEL):
        extra = stripped[len(OTHER_CHANNEL) :].strip()
        if extra[:1] in ("（", "(") and extra[-1:] in ("）", ")"):
            extra = extra[1:-1]
        elif extra[:1] in ("：", ":"):
            extra = extra[1:]
        return OTHER_CHANNEL, extra.strip()
    return None, ""


def single_line(text: str) -> str:
    """The lines of a cell joined into one, each stripped."""
    return "".join(line.strip() for line in (text or "").splitlines()).strip()
