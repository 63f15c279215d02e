"""Excel export: streamed row by row through openpyxl's write-only mode, so a large list stays cheap."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.styles import Font


def write_xlsx(target: Any, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31] or "Sheet1")
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font = Font(bold=True)
        header_cells.append(c)
    ws.append(header_cells)
    for row in rows:
        ws.append(list(row))
    wb.save(target)


def xlsx_response(filename: str, sheet_title: str, headers: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when the response ends)
    write_xlsx(spool, sheet_title, headers, rows)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
