from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcelguard.core.flowdoc import render_flows_doc


class Command(BaseCommand):
    help = ("Write docs/flows.md: the state diagram and the rules of every registered flow (core.workflow), "
            "generated from the flows' tables.")

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--write", action="store_true", help="write the document")
        group.add_argument("--check", action="store_true", help="fail if the document is out of date")
        parser.add_argument("--path", default="", help="another file than docs/flows.md")

    def handle(self, *args: Any, write: bool, check: bool, path: str, **options: Any) -> None:
        target = Path(path) if path else Path(settings.BASE_DIR) / "docs" / "flows.md"
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        wanted = render_flows_doc(current)
        if check:
            if wanted != current:
                raise CommandError(f"{target} is out of date: run manage.py flow_diagram --write")
            self.stdout.write(f"{target} is up to date")
            return
        target.write_text(wanted, encoding="utf-8")
        self.stdout.write(f"wrote {target}")
