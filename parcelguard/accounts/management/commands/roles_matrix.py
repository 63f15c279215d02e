from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from parcelguard.accounts.matrix import matrix_markdown, replace_in


class Command(BaseCommand):
    help = "Print the role/permission matrix, or write it into docs/roles.md (--write)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", action="store_true")

    def handle(self, *args: Any, write: bool, **options: Any) -> None:
        if not write:
            self.stdout.write(matrix_markdown())
            return
        path = Path(settings.BASE_DIR) / "docs" / "roles.md"
        path.write_text(replace_in(path.read_text(encoding="utf-8")), encoding="utf-8")
        self.stdout.write(f"wrote {path}")
