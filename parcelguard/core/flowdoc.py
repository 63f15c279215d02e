"""docs/flows.md, generated from every registered flow (core.workflow): per flow its subject form, model,
states (open and terminal), state diagram and rules table. The text around the generated block is kept,
so the document can say more by hand; `manage.py flow_diagram --check` (and a test) fails when a flow's
table changed and the document did not."""

from __future__ import annotations

from django.utils import translation

from parcelguard.core import workflow

BEGIN = "<!-- BEGIN GENERATED: edit the flows' tables and run `manage.py flow_diagram --write` -->"
END = "<!-- END GENERATED -->"
INTRO = """# Flows

Every subject that moves through states on ParcelGuard does so through one engine
(`parcelguard/core/workflow.py`): the step table below is the code's own data, and each step writes one
`core.StatusChange` row keyed by the subject (`"event:12"`) and one trail entry. See
docs/architecture.md for how an app registers its flow.
"""


def _section(flow: workflow.Flow) -> list[str]:
    states = dict(flow.states.choices)
    return [
        f"## `{flow.name}` — {flow.label}", "",
        f"- Subject: `{flow.name}:<id>` · model `{flow.model}` · state field `{flow.state_field}`",
        "- Open states: " + ", ".join(f"`{s}` ({states[s]})" for s in flow.open_states),
        "- Terminal states: " + ", ".join(f"`{s}` ({states[s]})" for s in sorted(flow.terminal)), "",
        "```mermaid", flow.mermaid(), "```", "", flow.rules_table(), "",
    ]


def generated_block() -> str:
    with translation.override("en"):  # the same text whatever the caller's language
        lines = [BEGIN, ""]
        for flow in workflow.flows():
            lines += _section(flow)
        return "\n".join([*lines, END])


def render_flows_doc(current: str) -> str:
    """Replace the generated block of the document (or start one), leaving the hand-written text alone."""
    block = generated_block()
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        _old, tail = rest.split(END, 1)
        return head + block + tail
    return (current.rstrip() + "\n\n" if current.strip() else INTRO + "\n") + block + "\n"
