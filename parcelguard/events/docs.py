"""The generated parts of docs/workflow.md: the diagram and the rules table come from states.py."""

from __future__ import annotations

from parcelguard.events.states import mermaid, rules_table

BEGIN = "<!-- BEGIN GENERATED: edit parcelguard/events/states.py and run `manage.py events_diagram` -->"
END = "<!-- END GENERATED -->"


def generated_block() -> str:
    from django.utils import translation

    with translation.override("en"):  # the same text whatever the caller's language
        return _block()


def _block() -> str:
    return "\n".join([BEGIN, "", "## State diagram", "", "```mermaid", mermaid(), "```", "",
                      "## Who may do what", "", rules_table(), "", END])


def render_workflow_doc(current: str) -> str:
    """Replace the generated block of the document (or append one), leaving the hand-written text alone."""
    block = generated_block()
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        _old, tail = rest.split(END, 1)
        return head + block + tail
    return (current.rstrip() + "\n\n" if current.strip() else "") + block + "\n"
