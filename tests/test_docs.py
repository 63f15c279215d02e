from __future__ import annotations

from pathlib import Path

from parcelguard.accounts.matrix import BEGIN, END, matrix_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_role_matrix_in_the_docs_is_generated_from_the_code():
    text = (DOCS / "roles.md").read_text(encoding="utf-8")
    current = text[text.index(BEGIN): text.index(END) + len(END)]
    assert current == matrix_markdown(), "run: python manage.py roles_matrix --write"


def test_the_docs_name_the_architecture_the_roles_and_the_scoping_rule():
    for name in ("architecture.md", "roles.md", "scoping.md"):
        assert (DOCS / name).stat().st_size > 1000
