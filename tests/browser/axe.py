"""axe-core for the browser tests, injected without weakening the page's CSP.

`page.add_script_tag()` inserts an inline <script>, which the portal's
Content-Security-Policy (script-src 'self') refuses. `page.evaluate()` runs the
source through the DevTools protocol, which the page's CSP does not govern, so the
pages are checked with the policy they really have.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def inject_axe(page) -> None:
    """Define `window.axe` in the page (once per document)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations of the page, one line each."""
    inject_axe(page)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
