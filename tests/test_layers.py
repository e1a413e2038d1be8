"""Pure domain modules import nothing of the database (docs/architecture.md).

import-linter (`lint-imports` in CI, contracts in pyproject.toml) checks the
arrows between the project's own modules, but it cannot name a subpackage of
an external package such as `django.db`; this test reads the pure modules'
imports directly. The same contract keeps them away from the models.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = [
    "catalogs/deadlines",
    "catalogs/diff.py",
    "catalogs/documents",
    "catalogs/rules.py",
    "catalogs/textsafety.py",
    "disclosures/deidentify",
    "disclosures/progress/quarters.py",
    "disclosures/records/attachment_scan",
    "disclosures/records/attachment_metadata.py",
]


def _files(entry: str) -> list[Path]:
    path = ROOT / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("entry", PURE)
def test_pure_module_does_not_import_the_database(entry):
    files = _files(entry)
    assert files, entry
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in _imports(path)
        if name == "django.db" or name.startswith("django.db.")
    ]
    assert offenders == []


def test_the_check_would_see_a_database_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from django.db.models import Q\nimport django.db\n", encoding="utf-8"
    )
    assert _imports(sample) == ["django.db.models", "django.db"]
