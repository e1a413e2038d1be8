"""De-identification of published name lists (名单公示去标识化, SPEC §5).

This package is pure: no ORM, no files, no clock. ``disclosures.spreadsheets``
reads uploads into rows; services and the ``deidentify`` command feed those rows
through :func:`deidentify_rows` and store or write only what comes out.

The rules, in the order they apply to a cell:

1. **Deny by default.** A column is published only when it is mapped to a kind
   that is safe to publish (:func:`publishable`). By default that is exactly the
   four fields of 《社会救助暂行办法》第六十一条 (`ARTICLE_61_KINDS`): name,
   household size, amount, village/community. The province policy may add a
   named kind (类别, 地址 cut to the village, ID and phone numbers masked); bank
   cards and the free-text kinds (备注, 原因, unmapped "other" columns,
   `FREE_TEXT_KINDS`) are never published, whatever their header says.
2. **Masking by kind.** Names follow the list's policy (full or ``张*明``),
   addresses are cut to the village or community, enabled ID numbers keep their
   first character and last two (``4***************3X``), enabled phones keep
   ``138****5678``.
3. **Scanning.** Every published cell, free text included, is scanned for ID
   numbers, mobile numbers and bank cards written in any of the ways clerks
   write them (full-width digits, spaces, hyphens, ``+86``, lower-case ``x``).
   What is found is replaced by ``*`` and reported, never quoted.

Sensitive words (health, disability, criminal record …, `SENSITIVE_WORDS`) are
not masked, because a word cannot be masked safely: the column holding them
must stay unpublished. `find_sensitive_words` names their kinds for the
warnings of the mapping page and of the processing report.

Invariant (checked by property tests): after normalising full-width digits,
whitespace and hyphens, no published cell holds a run of 11 or more digits,
unless its column is numeric by kind (amount, household size) and the cell is
a plain number below 10^10.
"""

from .columns import (
    ARTICLE_61_KINDS,
    COLUMN_KIND_CHOICES,
    COLUMN_KIND_LABELS,
    FREE_TEXT_KINDS,
    NUMERIC_KINDS,
    POLICY_OPTIONAL_KINDS,
    PROVINCE_DEFAULT_POLICY,
    SENSITIVE_WORD_KIND_LABELS,
    SENSITIVE_WORDS,
    ColumnKind,
    DeidentifyError,
    MaskingPolicy,
    column_letter,
    find_sensitive_words,
    no_publishable_column_message,
    publishable,
    sensitive_kinds_label,
    suggest_kind,
    suggest_mapping,
)
from .identifiers import (
    FINDING_KIND_LABELS,
    gb11643_check_digit,
    is_valid_id_number,
    normalise_digits,
    scan_text,
)
from .masks import (
    COMPOUND_SURNAMES,
    cut_address_to_village,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_sample,
)
from .table import (
    MAX_STORED_FINDINGS,
    ColumnReport,
    DeidentificationReport,
    DeidentifiedTable,
    Finding,
    deidentify_rows,
)

__all__ = [
    "ARTICLE_61_KINDS",
    "COLUMN_KIND_CHOICES",
    "COLUMN_KIND_LABELS",
    "COMPOUND_SURNAMES",
    "FINDING_KIND_LABELS",
    "FREE_TEXT_KINDS",
    "MAX_STORED_FINDINGS",
    "NUMERIC_KINDS",
    "POLICY_OPTIONAL_KINDS",
    "PROVINCE_DEFAULT_POLICY",
    "SENSITIVE_WORDS",
    "SENSITIVE_WORD_KIND_LABELS",
    "ColumnKind",
    "ColumnReport",
    "DeidentificationReport",
    "DeidentifiedTable",
    "DeidentifyError",
    "Finding",
    "MaskingPolicy",
    "column_letter",
    "cut_address_to_village",
    "deidentify_rows",
    "find_sensitive_words",
    "gb11643_check_digit",
    "is_valid_id_number",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "mask_sample",
    "no_publishable_column_message",
    "normalise_digits",
    "publishable",
    "scan_text",
    "sensitive_kinds_label",
    "suggest_kind",
    "suggest_mapping",
]
