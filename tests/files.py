"""Document builders for the tests: Office files and PDFs made in code (python-docx,
openpyxl, pypdf, Pillow), with or without identifiers, metadata, comments, hidden parts
or images, for the attachment scan, the metadata stripping and the privacy crawl."""

from __future__ import annotations

import io
import zipfile
from datetime import date


def docx_bytes(
    paragraphs=("低保标准调整通知",),
    *,
    table=None,
    header="",
    footer="",
    textbox="",
    runs=None,
) -> bytes:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if runs:
        paragraph = document.add_paragraph()
        for piece in runs:
            paragraph.add_run(piece)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    if textbox:
        box = parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
            f"<w:p><w:r><w:t>{textbox}</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
        document.add_paragraph("见右侧说明")._p.append(box)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(
    cells=None, *, hidden_sheet=None, hidden_row=None, header_text="", rows=None
) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "汇总"
    sheet["A1"] = "项目"
    sheet["B1"] = "金额（元）"
    sheet["A2"] = "低保金"
    sheet["B2"] = 1200
    sheet["C2"] = date(2025, 3, 1)
    for ref, value in (cells or {}).items():
        sheet[ref] = value
    for row in rows or []:
        sheet.append(row)
    if hidden_row:
        ref, value = hidden_row
        sheet[ref] = value
        sheet.row_dimensions[sheet[ref].row].hidden = True
    if hidden_sheet:
        ref, value = hidden_sheet
        hidden = workbook.create_sheet("底稿")
        hidden.sheet_state = "hidden"
        hidden[ref] = value
    if header_text:
        sheet.oddHeader.center.text = header_text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def name_list_xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["李楼街道2025年第一季度低保名单"])
    sheet.append(["序号", "姓名", "家庭人口", "保障金额（元）", "村（社区）"])
    sheet.append([1, "王小明", 3, 1200, "李楼村"])
    sheet.append([2, "欧阳娜", 1, 650, "辛店村"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_bytes(
    pages=("Notice of the subsidy standard",), *, info=None, xmp=None, compress_xmp=True
) -> bytes:
    """A PDF whose pages show ASCII text in Helvetica (``None``: a page with a drawing only)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for text in pages:
        page = writer.add_blank_page(595, 842)
        stream = DecodedStreamObject()
        if text is None:
            stream.set_data(b"0 0 m 300 300 l S")
        else:
            page[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
            )
            stream.set_data(
                b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
            )
        page[NameObject("/Contents")] = writer._add_object(stream)
    if info:
        writer.add_metadata(info)
    if xmp:
        stream = DecodedStreamObject()
        stream.set_data(xmp.encode())
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        if compress_xmp:
            stream = stream.flate_encode()
        writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def xmp_packet(creator: str) -> str:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )


def scanned_pdf_bytes() -> bytes:
    """A PDF of one image and no text layer, as a scanner makes it."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(buffer, "PDF")
    return buffer.getvalue()


def jpeg_with_gps(size=(40, 20), orientation: int | None = None) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Phone Maker"  # Make
    exif[0x0110] = "Model X"  # Model
    if orientation:
        exif[0x0112] = orientation
    exif[0x8825] = {
        1: "N",
        2: (34.0, 37.0, 12.5),
        3: "E",
        4: (112.0, 27.0, 3.25),
    }  # GPS IFD
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("低保标准调整")
    document.add_comment(
        paragraph.runs, text="内部意见：金额待核", author="张三", initials="ZS"
    )
    document.core_properties.author = "张三"
    document.core_properties.last_modified_by = "李四"
    document.core_properties.comments = "内部备注"
    buffer = io.BytesIO()
    document.save(buffer)
    return _with_company(buffer.getvalue())


def make_xlsx() -> bytes:
    import openpyxl
    from openpyxl.comments import Comment

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "金额"
    sheet["A1"].comment = Comment("请王五复核", "王五")
    workbook.properties.creator = "王五"
    workbook.properties.lastModifiedBy = "赵六"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _with_company(buffer.getvalue())


def _with_company(data: bytes) -> bytes:
    """Put <Company>洛龙区民政局</Company> into docProps/app.xml, as Office does."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/app.xml":
                content = content.replace(
                    b"</Properties>",
                    "<Company>洛龙区民政局</Company></Properties>".encode(),
                )
            target.writestr(info, content)
    return out.getvalue()
