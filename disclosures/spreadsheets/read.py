"""Reading uploaded tables: `open_table` streams xlsx and csv rows (SPEC §5).

* xlsx is read with openpyxl in read-only mode, after the zip directory has been
  checked (entry count, declared uncompressed sizes, compression ratio) so that
  a zip bomb is refused before openpyxl inflates anything; encrypted and old
  xls files are refused;
* csv is read with the ``csv`` module from a decoded stream; the encoding
  (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GBK/GB18030) is detected by decoding
  the file incrementally, never by loading it whole;
* the header row may sit below title rows: it is the row among the first
  ``HEADER_SCAN_ROWS`` with the most recognised column names.

Every refusal is a :class:`SpreadsheetError` with a Chinese message for the
uploader and, where there is one, the row number and column letter.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from ..deidentify import (
    ColumnKind,
    DeidentifyError,
    suggest_kind,
    suggest_mapping,
)

# An upload larger than this is refused before it is parsed.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Sum of the declared uncompressed sizes of all xlsx parts. A 100k-row list of
# a dozen columns is about 60 MB of XML.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
# Spreadsheet XML compresses 5–20 times, a sheet of mostly empty styled rows
# maybe 100 times; deflate bombs reach 1000.
DEFAULT_MAX_COMPRESSION_RATIO = 200
# The ratio is only checked for parts larger than this: tiny parts compress oddly.
_RATIO_CHECK_MIN_BYTES = 1024 * 1024
MAX_ZIP_ENTRIES = 5000
# The header is looked for among this many rows at the top of a sheet.
HEADER_SCAN_ROWS = 20
# Excel's limits.
MAX_XLSX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# The stream name of an encrypted OOXML package inside its OLE2 container.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_OTHER_MAGICS = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
    b"{\\rtf",
)
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ""}
_CSV_DELIMITERS = ",\t;|"
_CHUNK = 1024 * 1024


class SpreadsheetError(DeidentifyError):
    """An upload that cannot be read; ``str()`` is the Chinese message.

    ``code`` is one of ``empty``, ``too_large``, ``encrypted``, ``old_xls``,
    ``not_spreadsheet``, ``unsupported_type``, ``corrupt``, ``zip_bomb``,
    ``encoding``, ``formula``, ``no_header``, ``no_data``, ``no_sheet``,
    ``sheet_not_found``, ``too_many_rows``, ``output_type``.
    ``row`` (1-based, as in the file) and ``column`` (a letter) are set when
    the problem has a place.
    """


# --------------------------------------------------------------------- reading


class TableSource:
    """One table of an upload: its header and a way to stream its data rows.

    ``header_row_number`` is 1-based as in the file; data rows follow it, and
    :meth:`iter_rows` yields every one of them (blank ones included, so that
    row numbers stay right) as a sequence of cell values. ``sheet_names`` lists
    the worksheets of an xlsx (empty for csv); ``sheet_name`` is the one read.
    Close it (or use it as a context manager) to release the file.
    """

    format: str = ""
    sheet_names: list[str]
    sheet_name: str | None = None
    encoding: str | None = None
    header_row_number: int
    header: list[str]

    @property
    def first_data_row_number(self) -> int:
        return self.header_row_number + 1

    def suggested_mapping(self) -> dict[int, ColumnKind]:
        return suggest_mapping(self.header)

    def iter_rows(self) -> Iterator[Sequence[object]]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> TableSource:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_table(
    data: bytes | str | os.PathLike | BinaryIO,
    filename: str | None = None,
    *,
    sheet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    max_compression_ratio: float = DEFAULT_MAX_COMPRESSION_RATIO,
) -> TableSource:
    """Open an uploaded xlsx or csv and find its header row.

    ``data`` is the file's bytes, a path, or a seekable binary file object.
    ``filename`` (the uploader's name for it) only decides between "not a
    spreadsheet" and csv when the content is not a zip; content wins over the
    extension otherwise. ``sheet`` picks a worksheet by name; by default the
    first visible worksheet with a recognisable header is used.

    Checks, in order: size, empty file, encrypted or old-format Excel (OLE2),
    other binary formats, the zip directory (bomb), then the header and the
    presence of data. Formulas in the chosen sheet are refused here too, so
    that iteration does not fail half-way.
    """
    stream, owned, size, name = _open_stream(data, filename)
    try:
        if size > max_bytes:
            raise SpreadsheetError(
                gettext("文件大小为%(size)s，超过了%(limit)s的上限。请拆分后分批上传。")
                % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
                code="too_large",
            )
        if size == 0:
            raise SpreadsheetError(
                gettext("文件“%(name)s”是空的，请检查后重新上传。") % {"name": name},
                code="empty",
            )
        head = stream.read(8)
        stream.seek(0)
        suffix = Path(name).suffix.lower()
        if head.startswith(OLE2_MAGIC[:4]):
            _refuse_ole2(stream)
        if head.startswith(ZIP_MAGIC):
            source: TableSource = _XlsxSource(
                stream,
                name,
                sheet=sheet,
                max_uncompressed_bytes=max_uncompressed_bytes,
                max_compression_ratio=max_compression_ratio,
            )
        elif (
            suffix in _XLSX_SUFFIXES
            or suffix == ".xls"
            or head.startswith(_OTHER_MAGICS)
        ):
            raise SpreadsheetError(
                gettext(
                    "文件“%(name)s”不是电子表格：请上传 Excel（.xlsx）或 CSV 文件。"
                )
                % {"name": name},
                code="not_spreadsheet",
            )
        elif suffix not in _TEXT_SUFFIXES:
            raise SpreadsheetError(
                gettext(
                    "不支持“%(suffix)s”类型的文件：请上传 Excel（.xlsx）或 CSV 文件。"
                )
                % {"suffix": suffix},
                code="unsupported_type",
            )
        else:
            source = _CsvSource(stream, name)
    except BaseException:
        if owned:
            stream.close()
        raise
    source._owned_stream = stream if owned else None
    return source


def _open_stream(data, filename) -> tuple[BinaryIO, bool, int, str]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(data)), True, len(data), filename or "upload"
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        stream = open(path, "rb")  # noqa: SIM115 - closed by the TableSource
        return stream, True, os.fstat(stream.fileno()).st_size, filename or path.name
    stream = data
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return stream, False, size, filename or getattr(data, "name", None) or "upload"


def _refuse_ole2(stream: BinaryIO) -> None:
    """An OLE2 file is either an encrypted xlsx or an old .xls; refuse both."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        if _ENCRYPTED_PACKAGE in tail + chunk:
            raise SpreadsheetError(
                gettext(
                    "文件已加密（设置了打开密码），无法读取。请在 Excel 中取消密码后另存，再重新上传。"
                ),
                code="encrypted",
            )
        tail = chunk[-len(_ENCRYPTED_PACKAGE) :]
    raise SpreadsheetError(
        gettext(
            "这是旧版 Excel（.xls）文件或已加密的文件，无法读取。请在 Excel 中另存为 .xlsx 或 .csv 后重新上传。"
        ),
        code="old_xls",
    )


def _detect_header(rows: Sequence[Sequence[object]]) -> tuple[int, list[str]] | None:
    """(0-based index, header texts) of the most header-like row, or ``None``.

    A header row has at least two non-empty cells and at least one recognised
    column name; the row with the most recognised names wins, the first on a
    tie. A title row ("××镇2025年第三季度低保名单") is one merged cell and loses.
    """
    best: tuple[int, int] | None = None
    for index, row in enumerate(rows):
        texts = [_header_text(v) for v in row]
        filled = sum(1 for t in texts if t)
        if filled < 2:
            continue
        recognised = sum(1 for t in texts if t and suggest_kind(t) is not None)
        if recognised and (best is None or recognised > best[1]):
            best = (index, recognised)
    if best is None:
        return None
    texts = [_header_text(v) for v in rows[best[0]]]
    while texts and not texts[-1]:
        texts.pop()
    return best[0], texts


def _header_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _no_header_error(sheet: str | None) -> SpreadsheetError:
    if sheet:
        message = gettext(
            "在工作表“%(sheet)s”的前%(rows)s行中没有找到可识别的表头（如“姓名”“家庭人口”“保障金额”“村（社区）”）。请检查表头或选择其他工作表。"
        ) % {"sheet": sheet, "rows": HEADER_SCAN_ROWS}
    else:
        message = gettext(
            "在文件的前%(rows)s行中没有找到可识别的表头（如“姓名”“家庭人口”“保障金额”“村（社区）”）。请检查表头。"
        ) % {"rows": HEADER_SCAN_ROWS}
    return SpreadsheetError(message, code="no_header")


def _no_data_error(header_row: int) -> SpreadsheetError:
    return SpreadsheetError(
        gettext("表头（第%(row)s行）下面没有数据。") % {"row": header_row},
        code="no_data",
        row=header_row,
    )


def _is_blank_row(row: Sequence[object]) -> bool:
    for value in row:
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    return True


def _corrupt_error(name: str) -> SpreadsheetError:
    return SpreadsheetError(
        gettext("文件“%(name)s”已损坏或不是有效的 Excel 文件，无法读取。")
        % {"name": name},
        code="corrupt",
    )


# A formula element in sheet XML: <f>, <f t="shared" …/>, <x:f>. Not <formula>
# (conditional formatting) nor <filterColumn>.
_FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _has_formula_element(xml: bytes) -> bool:
    # Plain substring tests run at memory speed; the regex only confirms a
    # namespace-prefixed form.
    return (
        b"<f>" in xml
        or b"<f " in xml
        or b"<f/" in xml
        or (b":f" in xml and _FORMULA_ELEMENT.search(xml) is not None)
    )


class _XlsxSource(TableSource):
    format = "xlsx"

    def __init__(
        self,
        stream: BinaryIO,
        name: str,
        *,
        sheet: str | None,
        max_uncompressed_bytes: int,
        max_compression_ratio: float,
    ):
        self._name = name
        self._workbook = None
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise _corrupt_error(name) from exc
        try:
            _check_zip(archive, name, max_uncompressed_bytes, max_compression_ratio)
            self._workbook = self._load(stream)
            self._choose_sheet(sheet)
            self._refuse_formulas(archive)
        except BaseException:
            archive.close()
            self.close()
            raise
        archive.close()
        if not self._has_data():
            self.close()
            raise _no_data_error(self.header_row_number)

    def _load(self, stream):
        import openpyxl

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return openpyxl.load_workbook(
                    stream, read_only=True, data_only=False, keep_links=False
                )
        except Exception as exc:  # openpyxl raises anything from KeyError to ParseError
            raise _corrupt_error(self._name) from exc

    def _choose_sheet(self, sheet: str | None) -> None:
        worksheets = self._workbook.worksheets
        self.sheet_names = [ws.title for ws in worksheets]
        if not worksheets:
            raise SpreadsheetError(gettext("工作簿中没有工作表。"), code="no_sheet")
        if sheet is not None:
            chosen = [ws for ws in worksheets if ws.title == sheet]
            if not chosen:
                raise SpreadsheetError(
                    gettext("找不到工作表“%(sheet)s”。文件中的工作表有：%(names)s。")
                    % {"sheet": sheet, "names": "、".join(self.sheet_names)},
                    code="sheet_not_found",
                )
            candidates = chosen
        else:
            visible = [
                ws
                for ws in worksheets
                if getattr(ws, "sheet_state", "visible") == "visible"
            ]
            candidates = visible or worksheets
        first_error = None
        all_blank = True
        for ws in candidates:
            try:
                rows = self._top_rows(ws)
            except SpreadsheetError as exc:
                first_error = first_error or exc
                continue
            all_blank = all_blank and all(_is_blank_row(row) for row in rows)
            found = _detect_header(rows)
            if found is not None:
                self._ws = ws
                self.sheet_name = ws.title
                self.header_row_number = found[0] + 1
                self.header = found[1]
                return
        if first_error is not None:
            raise first_error
        if all_blank:
            raise SpreadsheetError(
                gettext("文件“%(name)s”中没有数据（前%(rows)s行都是空的）。")
                % {"name": self._name, "rows": HEADER_SCAN_ROWS},
                code="empty",
            )
        raise _no_header_error(candidates[0].title)

    def _top_rows(self, ws) -> list[Sequence[object]]:
        ws.reset_dimensions()  # the stored dimension may be wrong; read what is there
        try:
            return list(ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True))
        except Exception as exc:
            raise _corrupt_error(self._name) from exc

    def _refuse_formulas(self, archive: zipfile.ZipFile) -> None:
        """Refuse a sheet with formulas, naming the first formula cell.

        A byte scan of the sheet XML finds formula elements fast; only then are
        cells parsed to name the place. Values of cells that merely start with
        "=" are text and are published (neutralised on export).
        """
        path = getattr(self._ws, "_worksheet_path", "").lstrip("/")
        try:
            member = archive.open(path)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError) as exc:
            raise _corrupt_error(self._name) from exc
        found = False
        tail = b""
        with member:
            try:
                while chunk := member.read(_CHUNK):
                    if _has_formula_element(tail + chunk):
                        found = True
                        break
                    tail = chunk[-64:]
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise _corrupt_error(self._name) from exc
        if not found:
            return
        try:
            for row in self._ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        raise SpreadsheetError(
                            gettext(
                                "工作表“%(sheet)s”第%(row)s行第%(column)s列含有公式。请将公式转换为数值（复制后“选择性粘贴—数值”）再重新上传。"
                            )
                            % {
                                "sheet": self.sheet_name,
                                "row": cell.row,
                                "column": cell.column_letter,
                            },
                            code="formula",
                            row=cell.row,
                            column=cell.column_letter,
                        )
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise _corrupt_error(self._name) from exc

    def _has_data(self) -> bool:
        for row in self.iter_rows():
            if not _is_blank_row(row):
                return True
        return False

    def iter_rows(self) -> Iterator[Sequence[object]]:
        width = len(self.header)
        try:
            yield from self._ws.iter_rows(
                min_row=self.header_row_number + 1, max_col=width, values_only=True
            )
        except (
            ParseError,
            zipfile.BadZipFile,
            OSError,
            EOFError,
            ValueError,
            KeyError,
        ) as exc:
            raise _corrupt_error(self._name) from exc

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        stream = getattr(self, "_owned_stream", None)
        if stream is not None:
            stream.close()
            self._owned_stream = None


def _check_zip(
    archive: zipfile.ZipFile, name: str, max_uncompressed: int, max_ratio: float
) -> None:
    """Refuse zip bombs and non-workbooks from the zip directory alone.

    Declared sizes can be trusted as an upper bound: ``zipfile`` never yields
    more than an entry's declared size and fails its CRC check otherwise.
    """
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError(
            gettext("文件包含%(count)s个压缩条目，疑似恶意文件，已拒绝。")
            % {"count": len(infos)},
            code="zip_bomb",
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise SpreadsheetError(
                gettext("文件已加密（设置了密码），无法读取。请取消密码后重新上传。"),
                code="encrypted",
            )
        total += info.file_size
        if info.file_size > _RATIO_CHECK_MIN_BYTES and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            raise SpreadsheetError(
                gettext(
                    "文件中的“%(entry)s”解压后为%(size)s，压缩比超过%(ratio)s倍，疑似压缩炸弹，已拒绝。"
                )
                % {
                    "entry": info.filename,
                    "size": filesizeformat(info.file_size),
                    "ratio": int(max_ratio),
                },
                code="zip_bomb",
            )
    if total > max_uncompressed:
        raise SpreadsheetError(
            gettext(
                "文件解压后共%(size)s，超过了%(limit)s的上限，已拒绝。请拆分后分批上传。"
            )
            % {
                "size": filesizeformat(total),
                "limit": filesizeformat(max_uncompressed),
            },
            code="zip_bomb",
        )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(
        n.startswith("xl/") for n in names
    ):
        raise SpreadsheetError(
            gettext(
                "文件“%(name)s”不是 Excel 工作簿：请上传 Excel（.xlsx）或 CSV 文件。"
            )
            % {"name": name},
            code="not_spreadsheet",
        )


class _CsvSource(TableSource):
    format = "csv"

    def __init__(self, stream: BinaryIO, name: str):
        self._stream = stream
        self._name = name
        self.sheet_names = []
        self.encoding = _detect_encoding(stream, name)
        self._delimiter = self._sniff_delimiter()
        top = []
        for _number, row in self._records():
            top.append(row)
            if len(top) >= HEADER_SCAN_ROWS:
                break
        if all(_is_blank_row(row) for row in top):
            raise SpreadsheetError(
                gettext("文件“%(name)s”中没有数据。") % {"name": name}, code="empty"
            )
        found = _detect_header(top)
        if found is None:
            raise _no_header_error(None)
        self.header_row_number = found[0] + 1
        self.header = found[1]
        if not any(not _is_blank_row(row) for row in self.iter_rows()):
            raise _no_data_error(self.header_row_number)

    def _text(self) -> io.TextIOWrapper:
        self._stream.seek(0)
        return io.TextIOWrapper(self._stream, encoding=self.encoding, newline="")

    def _sniff_delimiter(self) -> str:
        text = self._text()
        try:
            sample = text.read(64 * 1024)
        finally:
            text.detach()
        lines = [line for line in sample.splitlines()[:50] if line.strip()]
        counts = {d: sum(line.count(d) for line in lines) for d in _CSV_DELIMITERS}
        best = max(_CSV_DELIMITERS, key=lambda d: counts[d])
        return best if counts[best] else ","

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        text = self._text()
        reader = csv.reader(text, delimiter=self._delimiter)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):  # noqa: B007
                yield number, row
        except csv.Error as exc:
            raise SpreadsheetError(
                gettext("第%(row)s行格式有误，无法解析（例如引号不配对或单元格过长）。")
                % {"row": number + 1},
                code="corrupt",
                row=number + 1,
            ) from exc
        except UnicodeDecodeError as exc:  # detection read it all, but be safe
            raise _encoding_error() from exc
        finally:
            text.detach()

    def iter_rows(self) -> Iterator[Sequence[object]]:
        start = self.header_row_number
        for number, row in self._records():
            if number > start:
                yield row

    def close(self) -> None:
        stream = getattr(self, "_owned_stream", None)
        if stream is not None:
            stream.close()
            self._owned_stream = None


def _encoding_error() -> SpreadsheetError:
    return SpreadsheetError(
        gettext(
            "无法识别 CSV 文件的编码。请另存为 UTF-8 或 GBK 编码的 CSV 后重新上传。"
        ),
        code="encoding",
    )


def _decodes(stream: BinaryIO, encoding: str) -> bool:
    """Whether the whole stream decodes strictly, read in chunks."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def _detect_encoding(stream: BinaryIO, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (covers GBK)."""
    head = stream.read(4096)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        if b"\x00" in head:
            raise SpreadsheetError(
                gettext(
                    "文件“%(name)s”不是电子表格：请上传 Excel（.xlsx）或 CSV 文件。"
                )
                % {"name": name},
                code="not_spreadsheet",
            )
        encoding = "utf-8" if _decodes(stream, "utf-8") else "gb18030"
    if encoding != "utf-8" and not _decodes(stream, encoding):
        raise _encoding_error()
    return encoding
