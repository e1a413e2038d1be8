"""Small helpers shared by tests."""

import subprocess
from pathlib import Path

from catalogs import services


def fill_lost_content(catalog, actor):
    """Luoyang's transcription lost the content of two items (seq 9, 10); a clone
    inherits the gap and must fill it before it can be submitted."""
    for item in catalog.items.filter(content=[]):
        services.catalog_item_set_elements(
            item=item,
            values={"content": ["初审对象名单及相关信息", "终止供养名单"]},
            bases=None,
            actor=actor,
        )


def libreoffice_pdf(office: str, source: Path, profile: Path) -> Path:
    """`source` converted to PDF beside it by headless LibreOffice (profile in `profile`)."""
    subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(source.parent),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = source.with_suffix(".pdf")
    assert pdf.exists(), "LibreOffice produced no PDF"
    return pdf
