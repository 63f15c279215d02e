from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcelguard.events.docs import render_workflow_doc


class Command(BaseCommand):
    help = "Write the workflow's state diagram and role rules, generated from events/states.py, into docs/workflow.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="fail if docs/workflow.md is out of date")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "workflow.md"
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        wanted = render_workflow_doc(current)
        if check:
            if wanted != current:
                raise CommandError("docs/workflow.md is out of date: run manage.py events_diagram")
            self.stdout.write("docs/workflow.md is up to date")
            return
        path.write_text(wanted, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
