"""docs/flows.md is generated from every registered flow and kept current (manage.py flow_diagram)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from parcelguard.core import workflow
from parcelguard.core.flowdoc import BEGIN, END, render_flows_doc


def test_the_flows_doc_is_current_and_names_every_registered_flow(settings):
    doc = (Path(settings.BASE_DIR) / "docs" / "flows.md").read_text(encoding="utf-8")
    assert render_flows_doc(doc) == doc, "run: manage.py flow_diagram --write"
    call_command("flow_diagram", "--check")
    with translation.override("en"):
        for flow in workflow.flows():
            assert f"## `{flow.name}` — " in doc and flow.mermaid() in doc
    assert "escalated: escalated Escalated to the city bureau" in doc  # in English, whatever the language
    assert "| `dismiss` | new, acknowledged | dismissed |" in doc
    assert "- Terminal states: `paid` (Paid)" in doc


def test_write_keeps_the_hand_written_text_and_check_fails_on_a_stale_table(tmp_path):
    target = tmp_path / "flows.md"
    target.write_text(f"# Flows\n\nBy hand.\n\n{BEGIN}\nold\n{END}\n\nAfter.\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("flow_diagram", "--check", "--path", str(target))
    call_command("flow_diagram", "--write", "--path", str(target))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Flows\n\nBy hand.\n\n") and text.endswith("\n\nAfter.\n") and "\nold\n" not in text
    call_command("flow_diagram", "--check", "--path", str(target))
    with pytest.raises(CommandError):
        call_command("flow_diagram")  # --write or --check, one of them
