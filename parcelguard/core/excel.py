"""Excel export: streamed row by row through openpyxl's write-only mode, so a large list stays cheap.

Every workbook the platform writes goes through `write_xlsx`, and every cell it writes goes through
`safe_cell`: a text that a spreadsheet would read as a formula (OWASP "CSV injection": a leading `=`,
`+`, `-`, `@`, tab, carriage return or line feed, also after leading spaces, and their full-width forms)
is prefixed with a single quote `'` (OWASP's rule) and stored as a string cell, never a formula.
Numbers, dates and booleans are written as they are. The registry import strips that quote again, so
an export re-imports unchanged (`unneutralise`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

# OWASP: cells starting with these are interpreted by Excel, LibreOffice or Google Sheets.
_TRIGGERS = frozenset("=+-@\t\r\n＝＋－﹦﹢﹣＠")
# Characters openpyxl refuses in cells (XML 1.0 control characters) are dropped rather than failing the export.
_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)}


def neutralise(text: str) -> str:
    """The text as a spreadsheet must show it: never a formula, DDE call or hyperlink."""
    text = text.translate(_ILLEGAL)
    stripped = text.lstrip(" \u3000\u00a0")
    if stripped and (stripped[0] in _TRIGGERS or text[:1] in _TRIGGERS):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The inverse of `neutralise` for a cell read back by an import."""
    if text[:1] == "'" and len(text) > 1 and (text[1] in _TRIGGERS or text[1:].lstrip(" \u3000\u00a0")[:1] in _TRIGGERS):
        return text[1:]
    return text


def safe_cell(ws: Any, value: Any) -> Any:
    """A write-only cell for one value: text neutralised and stored as a string (data type "s")."""
    if isinstance(value, Cell):
        if isinstance(value.value, str):
            value.value = neutralise(value.value)
            value.data_type = "s"
        return value
    if value is None or isinstance(value, (bool, int, float)) or hasattr(value, "isoformat"):
        return value
    cell = WriteOnlyCell(ws, value=neutralise(str(value)))
    cell.data_type = "s"  # openpyxl would otherwise turn a leading "=" into a formula
    return cell


def write_xlsx(target: Any, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(sheet_title)[:31] or "Sheet1")
    header_cells = []
    for h in headers:
        c = safe_cell(ws, str(h))
        c.font = Font(bold=True)
        header_cells.append(c)
    ws.append(header_cells)
    for row in rows:
        ws.append([safe_cell(ws, v) for v in row])
    wb.save(target)


def xlsx_response(filename: str, sheet_title: str, headers: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when the response ends)
    write_xlsx(spool, sheet_title, headers, rows)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
