"""Document metadata of attachments, removed before a file is stored (SPEC §5). Pure.

* docx/xlsx: author, last editor, company, manager, keywords, the "comments"
  property, custom properties, the saved thumbnail, comments and their authors,
  tracked-change author names; EXIF of pictures inside the package.
* PDF: author, creator, producer, company, keywords and subject, blanked in
  place; XMP metadata and earlier revisions removed by a pypdf re-write when
  in-place blanking cannot reach them.
* JPEG/PNG: re-encoded without EXIF (GPS, camera, time), XMP, ICC or text chunks.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections import defaultdict

__all__ = [
    "MAX_IMAGE_PIXELS",
    "MAX_UNZIPPED_BYTES",
    "ImageFileError",
    "OfficeFileError",
    "strip_image_metadata",
    "strip_office_metadata",
    "strip_pdf_metadata",
    "strip_pdf_metadata_rewrite",
]

#: Uncompressed size limit of a docx/xlsx package (guards against zip bombs).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
#: A photo larger than this many pixels is refused (decompression bombs).
MAX_IMAGE_PIXELS = 60_000_000


# --------------------------------------------------------------------------- images


class ImageFileError(ValueError):
    """Not a readable JPEG/PNG, or too large (``args[0] == "too_large"``)."""


def strip_image_metadata(data: bytes, kind: str) -> bytes:
    """Re-encode a JPEG or PNG without EXIF (GPS, camera, time), XMP, ICC or text chunks.

    The EXIF orientation is applied to the pixels first, so the photo still
    shows the right way up. A JPEG keeps its quantisation tables when no
    rotation was needed (``quality="keep"``), so it loses next to nothing.
    Raises `ImageFileError` for anything else.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    formats = {"jpeg": ("JPEG", "MPO"), "png": ("PNG",)}[kind]
    try:
        with Image.open(io.BytesIO(data), formats=formats) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ImageFileError("too_large")
            image.load()
            upright = ImageOps.exif_transpose(image)
            rotated = upright is not image
            transparency = image.info.get("transparency")
            upright.info = {}  # nothing of the original's metadata is written back
            out = io.BytesIO()
            if kind == "png":
                options = (
                    {"transparency": transparency} if transparency is not None else {}
                )
                upright.save(out, "PNG", optimize=True, **options)
            else:
                if upright.mode not in ("L", "RGB", "CMYK"):
                    upright = upright.convert("RGB")
                # "keep" needs the original JPEG object (its quantisation tables).
                keep = not rotated and image.format == "JPEG"
                quality = (
                    {"quality": "keep", "subsampling": "keep"}
                    if keep
                    else {"quality": 92}
                )
                (image if keep else upright).save(out, "JPEG", optimize=True, **quality)
    except ImageFileError:
        raise
    except Image.DecompressionBombError:
        raise ImageFileError("too_large") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageFileError(str(exc)) from exc
    return out.getvalue()


# --------------------------------------------------------------------------- docx and xlsx

NS_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"

# docx parts that carry comments and the names of their authors.
_DOCX_COMMENT_PARTS = re.compile(
    r"^word/(comments|commentsExtended|commentsIds|commentsExtensible|people)\.xml$"
)
_XLSX_COMMENT_PARTS = re.compile(
    r"^xl/(comments\d*\.xml|threadedComments/[^/]+\.xml|persons/[^/]+\.xml)$"
)
_XLSX_COMMENT_REL_TYPES = ("/comments", "/threadedComment", "/person")
# A picture of the first page as last saved: possibly of an older version.
_THUMBNAIL_PART = re.compile(r"^docProps/thumbnail\.\w+$", re.I)
_MEDIA_IMAGE = re.compile(r"^(word|xl)/media/[^/]+\.(jpe?g|png)$", re.I)
_CORE_REMOVE = [
    f"{{{NS_DC}}}creator",
    f"{{{NS_CP}}}lastModifiedBy",
    f"{{{NS_DC}}}description",
    f"{{{NS_CP}}}keywords",
]
_APP_REMOVE = [f"{{{NS_EP}}}Company", f"{{{NS_EP}}}Manager"]
_DOCX_COMMENT_MARKS = [
    f"{{{NS_W}}}commentRangeStart",
    f"{{{NS_W}}}commentRangeEnd",
    f"{{{NS_W}}}commentReference",
]


class OfficeFileError(ValueError):
    """Not a readable docx/xlsx package."""


def _xml_parser():
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, remove_blank_text=False
    )


def _xml(data: bytes):
    from lxml import etree

    try:
        return etree.fromstring(data, parser=_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise OfficeFileError(str(exc)) from exc


def _xml_bytes(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_source(rels_name: str) -> str:
    """'xl/worksheets/_rels/sheet1.xml.rels' → 'xl/worksheets/sheet1.xml'."""
    folder, base = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _strip_media(name: str, content: bytes) -> bytes:
    """A picture inside the package without its EXIF; unchanged if Pillow cannot read it."""
    kind = "png" if name.lower().endswith(".png") else "jpeg"
    try:
        return strip_image_metadata(content, kind)
    except ImageFileError:
        return content


def strip_office_metadata(data: bytes, kind: str) -> bytes:
    """Remove author, company and comments from a docx or xlsx package.

    Cleared: dc:creator, cp:lastModifiedBy, dc:description (the "comments"
    property), cp:keywords in docProps/core.xml; Company and Manager in
    docProps/app.xml; docProps/custom.xml and the saved thumbnail. docx:
    comment parts, comment marks in the text and author names of tracked
    changes. xlsx: comment, threaded comment and person parts, the VML drawings
    that display comments, and the sheets' references to them. JPEG and PNG
    pictures lose their EXIF (camera, location). Everything else is copied
    unchanged. Raises `OfficeFileError` for anything that is not such a package.
    """
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        infos = zin.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise OfficeFileError(str(exc)) from exc
    names = {i.filename for i in infos}
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    if "[Content_Types].xml" not in names or main not in names:
        raise OfficeFileError("not an OOXML package of the expected kind")
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise OfficeFileError("package too large when unzipped")

    pattern = _DOCX_COMMENT_PARTS if kind == "docx" else _XLSX_COMMENT_PARTS
    drop = {n for n in names if pattern.match(n) or _THUMBNAIL_PART.match(n)} | {
        "docProps/custom.xml"
    }
    # xlsx: a sheet with comments shows them through a VML drawing; drop it too.
    drop_rel_ids: dict[str, set[str]] = defaultdict(set)
    rels_cache: dict[str, object] = {}
    try:
        for rels_name in (n for n in names if n.endswith(".rels")):
            root = _xml(zin.read(rels_name))
            rels_cache[rels_name] = root
            source = _rels_source(rels_name)
            rels = list(root)
            has_comments = any(r.get("Type", "").endswith("/comments") for r in rels)
            for rel in rels:
                rel_type = rel.get("Type", "")
                if rel.get("TargetMode") == "External":
                    continue
                target = _resolve(source, rel.get("Target", ""))
                if kind == "xlsx" and has_comments and rel_type.endswith("/vmlDrawing"):
                    drop.add(target)
                    drop_rel_ids[source].add(rel.get("Id"))
                if target in drop or (
                    kind == "xlsx" and rel_type.endswith(_XLSX_COMMENT_REL_TYPES)
                ):
                    drop.add(target)
                    drop_rel_ids[source].add(rel.get("Id"))
        # Second pass: relationships to any dropped part go, wherever they are.
        for rels_name, root in rels_cache.items():
            source = _rels_source(rels_name)
            for rel in list(root):
                if (
                    rel.get("TargetMode") != "External"
                    and _resolve(source, rel.get("Target", "")) in drop
                ):
                    root.remove(rel)
                    drop_rel_ids[source].add(rel.get("Id"))

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in infos:
                name = info.filename
                if name in drop:
                    continue
                content = zin.read(info)
                if name in rels_cache:
                    content = _xml_bytes(rels_cache[name])
                elif name == "[Content_Types].xml":
                    content = _clean_content_types(content, drop)
                elif name == "docProps/core.xml":
                    content = _remove_elements(content, _CORE_REMOVE)
                elif name == "docProps/app.xml":
                    content = _remove_elements(content, _APP_REMOVE)
                elif (
                    kind == "docx"
                    and name.startswith("word/")
                    and name.endswith(".xml")
                ):
                    content = _clean_docx_part(content)
                elif kind == "xlsx" and drop_rel_ids.get(name):
                    content = _clean_sheet(content, drop_rel_ids[name])
                elif _MEDIA_IMAGE.match(name):
                    content = _strip_media(name, content)
                out_info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                out_info.compress_type = zipfile.ZIP_DEFLATED
                out_info.external_attr = info.external_attr
                zout.writestr(out_info, content)
    except (zipfile.BadZipFile, KeyError, RuntimeError, OSError, EOFError) as exc:
        raise OfficeFileError(str(exc)) from exc
    return out.getvalue()


def _remove_elements(data: bytes, tags: list[str]) -> bytes:
    root = _xml(data)
    for tag in tags:
        for el in root.iter(tag):
            el.getparent().remove(el)
    return _xml_bytes(root)


def _clean_content_types(data: bytes, drop: set[str]) -> bytes:
    root = _xml(data)
    for el in list(root):
        if (
            el.tag == f"{{{NS_CT}}}Override"
            and el.get("PartName", "").lstrip("/") in drop
        ):
            root.remove(el)
    return _xml_bytes(root)


def _clean_docx_part(data: bytes) -> bytes:
    if b"comment" not in data and b"author" not in data:
        return data
    root = _xml(data)
    for tag in _DOCX_COMMENT_MARKS:
        for el in list(root.iter(tag)):
            el.getparent().remove(el)
    author, initials = f"{{{NS_W}}}author", f"{{{NS_W}}}initials"
    for el in root.iter():
        if author in el.attrib:
            el.set(author, "")
        if initials in el.attrib:
            el.set(initials, "")
    return _xml_bytes(root)


def _clean_sheet(data: bytes, rel_ids: set[str]) -> bytes:
    root = _xml(data)
    rid = f"{{{NS_R}}}id"
    for tag in (f"{{{NS_S}}}legacyDrawing", f"{{{NS_S}}}legacyDrawingHF"):
        for el in list(root.iter(tag)):
            if el.get(rid) in rel_ids:
                el.getparent().remove(el)
    return _xml_bytes(root)


_PDF_INFO_KEYS = (
    "/Author",
    "/Creator",
    "/Producer",
    "/Company",
    "/Keywords",
    "/Subject",
    "/SourceModified",
)
_PDF_INFO_RE = re.compile(
    rb"/(Author|Creator|Producer|Company|Keywords|Subject|SourceModified)\s*"
    rb"(\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)|<[0-9A-Fa-f\s]*>)"
)
_PDF_XMP_RE = re.compile(
    rb"(<(dc:creator|xmp:CreatorTool|pdf:Producer|pdf:Keywords|pdfx:Company|dc:description)\b[^>]*>)(.*?)(</\2>)",
    re.S,
)
_PDF_XMP_ATTR_RE = re.compile(rb'\b(xmp:CreatorTool|pdf:Producer|pdf:Keywords)="[^"]*"')


def strip_pdf_metadata(data: bytes) -> bytes:
    """Blank the author, creator, producer, company, keywords and subject of a PDF.

    Values are overwritten in place with spaces of the same length, so every
    byte offset (the cross-reference table, stream lengths) stays valid and the
    file is not re-written. This covers the document information dictionary
    and an XMP metadata packet when they are stored uncompressed, as most
    office and scanner software writes them. Values inside compressed object
    streams or a compressed XMP stream are left to
    `strip_pdf_metadata_rewrite`, which needs a PDF library.
    """

    def blank_info(m: re.Match) -> bytes:
        value = m.group(2)
        if value.startswith(b"("):
            inner = b" " * (len(value) - 2)
            return m.group(0)[: m.start(2) - m.start(0)] + b"(" + inner + b")"
        digits = len(value) - 2
        inner = b"20" * (digits // 2) + b" " * (digits % 2)
        return m.group(0)[: m.start(2) - m.start(0)] + b"<" + inner + b">"

    def blank_xmp(m: re.Match) -> bytes:
        inner = m.group(3)
        # Keep the XML structure of rdf:Seq/rdf:li wrappers, blank only text.
        blanked = re.sub(
            rb">([^<]+)<",
            lambda t: b">" + b" " * len(t.group(1)) + b"<",
            b">" + inner + b"<",
        )[1:-1]
        if b"<" not in inner:
            blanked = b" " * len(inner)
        return m.group(1) + blanked + m.group(4)

    def blank_attr(m: re.Match) -> bytes:
        key, _eq, rest = m.group(0).partition(b"=")
        return key + b'="' + b" " * (len(rest) - 2) + b'"'

    data = _PDF_INFO_RE.sub(blank_info, data)
    data = _PDF_XMP_RE.sub(blank_xmp, data)
    return _PDF_XMP_ATTR_RE.sub(blank_attr, data)


def strip_pdf_metadata_rewrite(data: bytes) -> bytes:
    """Re-write a PDF without XMP metadata and author fields, when in-place blanking left some.

    Needed when the XMP packet is a compressed stream or the information
    dictionary sits in a compressed object stream (PDF 1.5+), and for a file
    saved incrementally: its earlier revisions (text since deleted, an old
    author) are still in the bytes, invisible to viewers and to the scanner.
    pypdf re-writes the file from its latest revision: the catalog's and pages'
    XMP streams go, the information dictionary keeps only the title, and
    unreferenced objects are dropped. A file pypdf cannot read or write is
    returned unchanged (already blanked in place where possible).
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        root = reader.trailer["/Root"].get_object()
        info = reader.metadata or {}
        compressed_xmp = (
            "/Metadata" in root and "/Filter" in root["/Metadata"].get_object()
        )
        page_xmp = any("/Metadata" in page for page in reader.pages)
        author_left = any(str(info.get(key) or "").strip() for key in _PDF_INFO_KEYS)
        incremental = data.count(b"%%EOF") > 1
        if not (compressed_xmp or page_xmp or author_left or incremental):
            return data
        writer = PdfWriter(clone_from=reader)
        writer._root_object.pop(NameObject("/Metadata"), None)
        for page in writer.pages:
            page.pop(NameObject("/Metadata"), None)
        title = info.get("/Title")
        writer.metadata = None
        if title:
            writer.add_metadata({"/Title": str(title)})
        writer.compress_identical_objects(
            remove_duplicates=False, remove_unreferenced=True
        )
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Exception:  # pypdf raises many kinds on unusual files
        return data
