"""From the cell texts of one row to an :class:`ItemRow`, and whole-file checks.

Shared by the Excel and Word importers. Only structure, vocabularies and basis
numbers are checked here: elements may be empty (a draft may be incomplete; the
catalog services check completeness before a catalog is submitted).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .cells import (
    OTHER_CHANNEL,
    VOCABULARIES,
    in_official_order,
    parse_channels,
    parse_vocabulary,
    single_line,
    split_content,
    split_list,
)
from .citations import basis_problems, parse_basis_cell
from .table import FIELD_LABELS, BasisRow, ItemRow, Problems


def _parse_seq(text: str, row: int, problems: Problems) -> int | None:
    """The 序号 as an integer; ``3.`` and ``3、`` are accepted, anything else is reported."""
    text = (text or "").strip().rstrip(".．、")
    if not text:
        return None
    if re.fullmatch(r"\d{1,6}", text):
        return int(text)
    problems.add(
        row,
        FIELD_LABELS["seq"],
        _("序号“%(value)s”不是整数。") % {"value": text},
    )
    return None


def build_item(
    texts: dict[str, str],
    ticks: dict[str, list[str]],
    row: int,
    problems: Problems,
) -> ItemRow:
    """Turn the raw texts of one row into an ItemRow, reporting what is wrong.

    ``ticks`` holds the already-read tick columns (Word); any field not in it is
    parsed from its text.
    """
    label = FIELD_LABELS
    if not texts.get("name", "").strip():
        problems.add(row, label["name"], _("缺少二级事项（事项名称），请填写。"))
    if not texts.get("category", "").strip():
        problems.add(row, label["category"], _("缺少一级事项，请填写。"))

    # Any basis wording is accepted (issue 16): what the rules would refuse is
    # kept as written and reported as a warning, never as an error.
    bases: list[BasisRow] = []
    warnings: list[str] = []
    for parsed in parse_basis_cell(texts.get("basis", "")):
        basis = parsed.basis
        if not basis.title:
            continue
        messages = basis_problems(parsed)
        if (
            messages
            and basis.title
            and not parsed.malformed_number
            and not basis.number
        ):
            messages = []  # no 文号: matched against the library on import
        if messages:
            text = f"{basis.title}（{basis.number}）" if basis.number else basis.title
            basis = BasisRow(text, "")
            warnings += [
                _("第%(row)s行“%(column)s”列：%(message)s已按原文保留，请核对。")
                % {"row": row, "column": label["basis"], "message": m}
                for m in messages
            ]
        bases.append(basis)

    channels, other_text = parse_channels(
        texts.get("channels", ""), row, problems, label["channels"]
    )
    explicit_other = texts.get("channel_other", "").strip()
    if explicit_other:
        if OTHER_CHANNEL not in channels:
            problems.add(
                row,
                FIELD_LABELS["channel_other"],
                _("填写了其他渠道说明，但公开渠道和载体中没有选择“其他”。"),
            )
        other_text = explicit_other

    lists: dict[str, list[str]] = {}
    for name in ("subjects", "audience", "mode", "levels"):
        if name in ticks:
            lists[name] = in_official_order(ticks[name], VOCABULARIES[name][1])
        else:
            lists[name] = parse_vocabulary(
                split_list(texts.get(name, "")), name, row, problems, label[name]
            )

    return ItemRow(
        category=single_line(texts.get("category", "")),
        name=single_line(texts.get("name", "")),
        content=split_content(texts.get("content", "")),
        basis=bases,
        time_limit=texts.get("time_limit", "").strip(),
        subjects=lists["subjects"],
        channels=channels,
        channel_other=other_text,
        audience=lists["audience"],
        mode=lists["mode"],
        levels=lists["levels"],
        key=texts.get("key", "").strip(),
        seq=_parse_seq(texts.get("seq", ""), row, problems),
        note=texts.get("note", "").strip(),
        warnings=warnings,
    )


def check_items(items: list[tuple[int, ItemRow]], problems: Problems) -> None:
    """Whole-file checks: at least one item, no duplicate items or keys."""
    if not items:
        if not problems.items:
            problems.add(None, None, _("文件中没有找到任何公开事项。"))
        return
    seen_names: dict[tuple[str, str], int] = {}
    seen_keys: dict[str, int] = {}
    for row, item in items:
        if item.name:
            pair = (item.category, item.name)
            if pair in seen_names:
                problems.add(
                    row,
                    FIELD_LABELS["name"],
                    _("“%(category)s”下的“%(name)s”与第%(other)s行重复。")
                    % {
                        "category": item.category,
                        "name": item.name,
                        "other": seen_names[pair],
                    },
                )
            else:
                seen_names[pair] = row
        if item.key:
            if item.key in seen_keys:
                problems.add(
                    row,
                    FIELD_LABELS["key"],
                    _("事项标识与第%(other)s行重复，请勿复制整行。")
                    % {"other": seen_keys[item.key]},
                )
            else:
                seen_keys[item.key] = row
