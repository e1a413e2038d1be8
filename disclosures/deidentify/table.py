"""The row/table pipeline: `deidentify_rows`, its findings and reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from .columns import (
    _SENSITIVE_RE,
    COLUMN_KIND_LABELS,
    PROVINCE_DEFAULT_POLICY,
    ColumnKind,
    DeidentifyError,
    MaskingPolicy,
    column_letter,
    find_sensitive_words,
    no_publishable_column_message,
    publishable,
    sensitive_kinds_label,
)
from .identifiers import (
    _ELEVEN_DIGITS,
    _HAS_DIGIT,
    FINDING_KIND_LABELS,
    _scan,
    scan_text,
)
from .masks import (
    _id_masker,
    _phone_masker,
    _short_all,
    _to_text,
    cut_address_to_village,
    mask_name,
    mask_phone,
)

# Findings kept one by one in a report; beyond this only the counters grow, so a
# 100k-row list full of identifiers in its remarks still runs in bounded memory.
MAX_STORED_FINDINGS = 1000
# Rows named per warning (address not cut, …) before "等" is appended.
MAX_ROWS_PER_WARNING = 20

# ------------------------------------------------------------------------ pipeline


@dataclass
class Finding:
    """An identifier found and masked in a published cell.

    ``row`` is the row number as in the source file, ``column`` the column
    header. The finding never holds the identifier itself.
    """

    row: int
    column: str
    kind: str

    @property
    def kind_label(self) -> str:
        return str(FINDING_KIND_LABELS.get(self.kind, self.kind))

    @property
    def message(self) -> str:
        return gettext("第%(row)s行“%(column)s”列：发现%(kind)s，已遮蔽。") % {
            "row": self.row,
            "column": self.column,
            "kind": self.kind_label,
        }


@dataclass
class ColumnReport:
    """One source column: what it was mapped to and whether it is published."""

    index: int
    header: str
    kind: ColumnKind
    published: bool
    reason: str = ""
    masked_cells: int = 0
    # Published cells holding sensitive words: by word kind, and the first rows.
    sensitive: Counter = field(default_factory=Counter)
    sensitive_cells: int = 0
    sensitive_rows: list[int] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(COLUMN_KIND_LABELS[self.kind])


@dataclass
class DeidentificationReport:
    """What happened to a list; complete once its rows have been consumed."""

    columns: list[ColumnReport] = field(default_factory=list)
    rows_total: int = 0
    rows_published: int = 0
    rows_blank: int = 0
    findings: list[Finding] = field(default_factory=list)
    findings_total: int = 0
    findings_by_kind: Counter = field(default_factory=Counter)
    names_masked: int = 0
    addresses_cut: int = 0
    addresses_dropped_rows: list[int] = field(default_factory=list)
    addresses_dropped: int = 0

    @property
    def columns_kept(self) -> list[ColumnReport]:
        return [c for c in self.columns if c.published]

    @property
    def columns_dropped(self) -> list[ColumnReport]:
        return [c for c in self.columns if not c.published]

    @property
    def masked_cells(self) -> dict[str, int]:
        """Cells changed by masking, by column header."""
        return {c.header: c.masked_cells for c in self.columns_kept if c.masked_cells}

    @property
    def findings_truncated(self) -> bool:
        return self.findings_total > len(self.findings)

    def summary_lines(self) -> list[str]:
        """The summary and warnings for the uploader, in Chinese, one per line."""
        lines = [
            gettext(
                "共读取%(total)s行数据，公开%(published)s行（跳过空行%(blank)s行）。"
            )
            % {
                "total": self.rows_total,
                "published": self.rows_published,
                "blank": self.rows_blank,
            }
        ]
        kept = "、".join(
            gettext("“%(header)s”（%(kind)s）")
            % {"header": c.header, "kind": c.kind_label}
            for c in self.columns_kept
        )
        lines.append(gettext("公开的列：%(columns)s") % {"columns": kept or "—"})
        for c in self.columns_dropped:
            lines.append(
                gettext("不公开的列：“%(header)s”——%(reason)s")
                % {"header": c.header, "reason": c.reason}
            )
        if self.names_masked:
            lines.append(
                gettext("已遮蔽姓名%(count)s个。") % {"count": self.names_masked}
            )
        if self.addresses_cut:
            lines.append(
                gettext("已将%(count)s个地址截取到村（社区）。")
                % {"count": self.addresses_cut}
            )
        if self.addresses_dropped:
            lines.append(
                gettext(
                    "警告：%(count)s个地址无法截取到村（社区），未公开：第%(rows)s行。"
                )
                % {
                    "count": self.addresses_dropped,
                    "rows": _row_list(
                        self.addresses_dropped_rows, self.addresses_dropped
                    ),
                }
            )
        for c in self.columns_kept:
            if c.sensitive_cells:
                lines.append(
                    gettext(
                        "警告：公开的列“%(header)s”有%(count)s个单元格含有%(kinds)s等敏感信息（第%(rows)s行），"
                        "这类个人隐私不得公开，请将该列改为不公开后重新上传。"
                    )
                    % {
                        "header": c.header,
                        "count": c.sensitive_cells,
                        "kinds": sensitive_kinds_label(c.sensitive),
                        "rows": _row_list(c.sensitive_rows, c.sensitive_cells),
                    }
                )
        if self.findings_total:
            counts = "、".join(
                gettext("%(kind)s%(count)s处")
                % {"kind": FINDING_KIND_LABELS[kind], "count": count}
                for kind, count in sorted(self.findings_by_kind.items())
            )
            lines.append(
                gettext(
                    "警告：在公开的单元格中发现并遮蔽了%(total)s处个人信息（%(counts)s）："
                )
                % {"total": self.findings_total, "counts": counts}
            )
            lines.extend(f.message for f in self.findings)
            if self.findings_truncated:
                lines.append(
                    gettext("……另有%(count)s处未逐条列出。")
                    % {"count": self.findings_total - len(self.findings)}
                )
        return lines


def _row_list(rows: list[int], total: int) -> str:
    text = "、".join(str(r) for r in rows)
    if total > len(rows):
        text += gettext("等")
    return text


def _drop_reason(kind: ColumnKind, mapped: bool) -> str:
    if not mapped:
        return gettext("未对应到可公开的类型，默认不公开")
    if kind is ColumnKind.ID_NUMBER:
        return gettext("按全省统一规则，身份证号不公开")
    if kind is ColumnKind.PHONE:
        return gettext("按全省统一规则，电话号码不公开")
    if kind is ColumnKind.BANK_CARD:
        return gettext("银行卡号一律不公开")
    if kind is ColumnKind.CATEGORY:
        return gettext(
            "按全省统一规则，类别不公开（第六十一条只要求公开姓名、家庭人口、金额和所在村/社区）"
        )
    if kind is ColumnKind.ADDRESS:
        return gettext("按全省统一规则，地址不公开，公开所在村（社区）即可")
    if kind in (ColumnKind.REMARK, ColumnKind.REASON):
        return gettext(
            "备注、原因等自由填写的内容可能涉及疾病、残疾等个人隐私，一律不公开"
        )
    return gettext("“其他”类型的列不公开")


# A plain number in an amount or household-size column below this is published
# as it is; anything else there is scanned like text.
_PLAIN_NUMBER_LIMIT = 10**10


class DeidentifiedTable:
    """The published table: ``header``, then rows streamed by iterating once.

    ``kinds`` are the kinds of the published columns, in order. ``report``
    fills in while rows are consumed and is complete afterwards.
    """

    def __init__(
        self,
        header: list[str],
        kinds: list[ColumnKind],
        rows: Iterator[list],
        report: DeidentificationReport,
    ):
        self.header = header
        self.kinds = kinds
        self.report = report
        self._rows = rows
        self._consumed = False

    def __iter__(self) -> Iterator[list]:
        if self._consumed:
            raise RuntimeError("a DeidentifiedTable can be iterated only once")
        self._consumed = True
        return self._rows


def deidentify_rows(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    mapping: Mapping[int, ColumnKind | str | None],
    policy: MaskingPolicy = PROVINCE_DEFAULT_POLICY,
    *,
    first_row_number: int,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> DeidentifiedTable:
    """De-identify a name list, streaming: nothing is read before iteration.

    ``mapping`` gives the kind of each column by 0-based index; columns missing
    from it are "other" and are not published (deny by default). Cells beyond
    the header are never published. ``first_row_number`` is the source row
    number of the first element of ``rows``, so findings name rows as the
    uploader sees them. Blank rows are skipped but counted (and numbered).
    ``progress(rows_done)`` is called every ``progress_every`` rows and at the
    end. Published values keep their type when nothing was masked.

    Raises :class:`DeidentifyError` when no column can be published.
    """
    report = DeidentificationReport()
    kept_index: list[int] = []
    kept_kinds: list[ColumnKind] = []
    out_header: list[str] = []
    for index, raw in enumerate(header):
        title = _to_text(raw).strip() if raw is not None else ""
        label = title or gettext("第%(column)s列") % {"column": column_letter(index)}
        label, _found = scan_text(label)
        kind_value = mapping.get(index)
        mapped = kind_value is not None
        kind = ColumnKind(kind_value) if mapped else ColumnKind.OTHER
        is_published = publishable(kind, policy)
        report.columns.append(
            ColumnReport(
                index=index,
                header=label,
                kind=kind,
                published=is_published,
                reason="" if is_published else _drop_reason(kind, mapped),
            )
        )
        if is_published:
            kept_index.append(index)
            kept_kinds.append(kind)
            out_header.append(label)
    if not kept_index:
        raise DeidentifyError(
            no_publishable_column_message(), code="no_publishable_column"
        )
    functions = _make_cell_functions(kept_kinds, policy, report)
    plan = [
        (index, func, report.columns[index])
        for index, func in zip(kept_index, functions, strict=True)
    ]

    def generate() -> Iterator[list]:
        row_number = first_row_number - 1
        findings = report.findings
        by_kind = report.findings_by_kind
        for row in rows:
            row_number += 1
            width = len(row)
            out = []
            has_content = False
            for index, func, column in plan:
                value = row[index] if index < width else None
                if value is None or value == "":
                    out.append(value)
                    continue
                new, kinds = func(value, row_number)
                if type(new) is str and _SENSITIVE_RE.search(new):
                    _note_sensitive(column, new, row_number)
                if kinds:
                    report.findings_total += len(kinds)
                    for kind in kinds:
                        by_kind[kind] += 1
                        if len(findings) < MAX_STORED_FINDINGS:
                            findings.append(Finding(row_number, column.header, kind))
                if new is not value:
                    column.masked_cells += 1
                if (
                    not has_content
                    and new != ""
                    and (type(new) is not str or not new.isspace())
                ):
                    has_content = True
                out.append(new)
            if has_content:
                report.rows_published += 1
                yield out
            else:
                report.rows_blank += 1
            done = row_number - first_row_number + 1
            if progress is not None and done % progress_every == 0:
                report.rows_total = done
                progress(done)
        done = row_number - first_row_number + 1
        report.rows_total = done
        if progress is not None and done % progress_every:
            progress(done)

    return DeidentifiedTable(out_header, kept_kinds, generate(), report)


def _note_sensitive(column: ColumnReport, text: str, row: int) -> None:
    column.sensitive_cells += 1
    column.sensitive.update(find_sensitive_words(text))
    if len(column.sensitive_rows) < MAX_ROWS_PER_WARNING:
        column.sensitive_rows.append(row)


CellFunction = Callable[[object, int], tuple[object, list[str]]]

_NO_KINDS: list[str] = []


def _make_cell_functions(
    kinds: list[ColumnKind], policy: MaskingPolicy, report: DeidentificationReport
) -> list[CellFunction]:
    """One function per published column: (value, row) → (published value, kinds).

    A function returns ``value`` itself when nothing changed (the caller counts
    masked cells by identity). Each starts with the cheapest test that lets a
    typical cell through (a number in a numeric column, text with fewer than 11
    digits) before any regex runs over it.
    """
    mask_names = policy.mask_names

    def text_cell(value, row):
        text = value if type(value) is str else _to_text(value)
        match = _HAS_DIGIT(text)
        if match is None or _ELEVEN_DIGITS(text, match.start()) is None:
            return value, _NO_KINDS
        new, found = _scan(text)
        return (value if new == text else new), found

    def numeric_cell(value, row):
        if type(value) in (int, float, Decimal) and (
            -_PLAIN_NUMBER_LIMIT < value < _PLAIN_NUMBER_LIMIT
        ):
            return value, _NO_KINDS
        return text_cell(value, row)

    def name_cell(value, row):
        new, found = text_cell(value, row)
        if mask_names:
            text = new if type(new) is str else _to_text(new)
            masked = mask_name(text)
            if masked != text:
                report.names_masked += 1
                return masked, found
        return new, found

    def address_cell(value, row):
        text = value if type(value) is str else _to_text(value)
        if text.isspace():
            return value, _NO_KINDS
        cut = cut_address_to_village(text)
        if not cut:
            report.addresses_dropped += 1
            if len(report.addresses_dropped_rows) < MAX_ROWS_PER_WARNING:
                report.addresses_dropped_rows.append(row)
            return "", _NO_KINDS
        if cut == text:
            return text_cell(value, row)
        report.addresses_cut += 1
        return text_cell(cut, row)

    def id_cell(value, row):
        text = value if type(value) is str else _to_text(value)
        if _HAS_DIGIT(text) is None:
            return value, _NO_KINDS
        new, found = _scan(text, _id_masker, short_masker=_short_all)
        # A valid ID masked as the policy allows is the published form, not a leak.
        return (value if new == text else new), [k for k in found if k != "id_number"]

    def phone_cell(value, row):
        text = value if type(value) is str else _to_text(value)
        if _HAS_DIGIT(text) is None:
            return value, _NO_KINDS
        new, found = _scan(text, _phone_masker, short_masker=mask_phone)
        return (value if new == text else new), [k for k in found if k != "mobile"]

    functions = {
        ColumnKind.NAME: name_cell,
        ColumnKind.ADDRESS: address_cell,
        ColumnKind.HOUSEHOLD_SIZE: numeric_cell,
        ColumnKind.AMOUNT: numeric_cell,
        ColumnKind.VILLAGE: text_cell,
        ColumnKind.CATEGORY: text_cell,
        ColumnKind.REMARK: text_cell,
        ColumnKind.ID_NUMBER: id_cell,
        ColumnKind.PHONE: phone_cell,
    }
    return [functions[kind] for kind in kinds]
