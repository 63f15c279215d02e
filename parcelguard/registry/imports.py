"""Import of registry records from Excel (.xlsx) or CSV files with Chinese column headers.

Two steps: `import_preview` reads and checks the whole file and reports every problem row by row
(which row, which column, what is wrong) without writing anything; `import_apply` checks again and
writes all rows in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm
from parcelguard.accounts.scoping import require, scope
from parcelguard.core.errors import DomainError, Invalid
from parcelguard.core.excel import unneutralise
from parcelguard.registry import services
from parcelguard.registry.kinds import IMPORTABLE, Kind, kind_of
from parcelguard.registry.models import Brand, Enterprise, Site

MAX_ROWS = 20_000
# Bounds checked on the compressed file's directory and by counting tags in a streamed decompression,
# BEFORE openpyxl parses anything: a 350 KB workbook can hold millions of cells or shared strings.
MAX_COLUMNS = 100
MAX_CELLS = 400_000  # 20,000 rows of 20 columns
MAX_XML_BYTES = 64 * 1024 * 1024  # uncompressed size of the sheet or of the shared strings
_TRUE = {"是", "true", "1", "yes", "y", "联网"}
_FALSE = {"否", "false", "0", "no", "n", "未联网", ""}


class ImportRejected(DomainError):
    """The file as a whole cannot be read (wrong type, encoding, headers, size); nothing was written."""

    code = "import_rejected"
    status = 422


@dataclass
class RowError:
    row: int  # 1-based, counting the header as row 1, as Excel shows it
    column: str
    message: str

    def __str__(self) -> str:
        where = _("Row %(row)s") % {"row": self.row}
        if self.column:
            where += _(", column “%(column)s”") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass
class Preview:
    kind: Kind
    headers: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)  # parsed field values, ready to save
    table: list[list[Any]] = field(default_factory=list)  # row number and the cells, for the preview
    errors: list[RowError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors and bool(self.rows)


def _read_cells(data: bytes, filename: str, header_check: Any = None) -> list[list[Any]]:
    if len(data) == 0:
        raise ImportRejected(_("The file is empty."), code="empty_file")
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportRejected(
            _("The file is %(size)s MB; at most %(limit)s MB can be imported at once. Split it into smaller files.")
            % {"size": round(len(data) / 1048576, 1), "limit": settings.IMPORT_MAX_BYTES // 1048576},
            code="file_too_large",
        )
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, header_check)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRejected(_("This is an old Excel 97-2003 (.xls) file; save it as .xlsx and import again."),
                             code="xls_not_supported")
    return _read_csv(data)


def _count_tags(zf: zipfile.ZipFile, name: str, tag: bytes, limit: int) -> int:
    """Count `tag` in one member, streaming (constant memory); stop as soon as `limit` is passed."""
    count, tail = 0, b""
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 20):
            block = tail + chunk
            count += block.count(tag)
            tail = block[-(len(tag) - 1):]
            count -= tail.count(tag)  # counted again with the next chunk
            if count > limit:
                break
    return count + tail.count(tag) if count <= limit else count


def _check_xlsx_bounds(data: bytes) -> None:
    too_big = ImportRejected(
        _("The workbook holds more than %(cells)s cells (or an equally large text table); at most %(rows)s rows of "
          "%(cols)s columns can be imported at once. Split it into smaller files.")
        % {"cells": MAX_CELLS, "rows": MAX_ROWS, "cols": MAX_COLUMNS}, code="too_many_cells")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = {i.filename: i for i in zf.infolist()}
            sheets = [n for n in infos if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            shared = [n for n in infos if n.lower() == "xl/sharedstrings.xml"]
            if any(infos[n].file_size > MAX_XML_BYTES for n in [*sheets, *shared]):
                raise too_big
            for name in sheets[:1]:
                if _count_tags(zf, name, b"<c ", MAX_CELLS) + _count_tags(zf, name, b"<c>", MAX_CELLS) > MAX_CELLS:
                    raise too_big
            for name in shared:
                if _count_tags(zf, name, b"<si", MAX_CELLS) > MAX_CELLS:
                    raise too_big
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise ImportRejected(_("The file is not a readable Excel (.xlsx) workbook."), code="not_a_spreadsheet") from exc


def _read_xlsx(data: bytes, header_check: Any = None) -> list[list[Any]]:
    from openpyxl import load_workbook

    _check_xlsx_bounds(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRejected(_("The file is not a readable Excel (.xlsx) workbook."), code="not_a_spreadsheet") from exc
    try:
        ws = wb.worksheets[0]
        rows: list[list[Any]] = []
        for row in ws.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            if len(rows) > MAX_ROWS + 1:
                raise ImportRejected(_("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS},
                                     code="too_many_rows")
            if len(row) > MAX_COLUMNS and row[MAX_COLUMNS] not in (None, ""):
                raise _too_many_columns()
            rows.append(list(row[:MAX_COLUMNS]))
            if header_check is not None and len(rows) == 1 and any(c not in (None, "") for c in rows[0]):
                header_check(rows[0])  # a wrong file is refused before its body is read
    except (KeyError, ValueError, TypeError) as exc:  # malformed sheet XML
        raise ImportRejected(_("The file is not a readable Excel (.xlsx) workbook."), code="not_a_spreadsheet") from exc
    finally:
        wb.close()
    return rows


def _too_many_columns() -> ImportRejected:
    return ImportRejected(_("The file has more than %(max)s columns; use the template's columns.")
                          % {"max": MAX_COLUMNS}, code="too_many_columns")


def _read_csv(data: bytes) -> list[list[Any]]:
    if b"\x00" in data[:65536]:
        raise ImportRejected(_("The file is neither an Excel (.xlsx) workbook nor a CSV text file."),
                             code="not_a_spreadsheet")
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK unless told otherwise
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected(_("The CSV file is neither UTF-8 nor GBK/GB18030 encoded; save it as UTF-8 CSV."),
                             code="bad_encoding")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportRejected(_("The CSV file is malformed: %(error)s") % {"error": exc}, code="bad_csv") from exc
    if len(rows) > MAX_ROWS + 1:
        raise ImportRejected(_("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS},
                             code="too_many_rows")
    if any(len(row) > MAX_COLUMNS for row in rows):
        raise _too_many_columns()
    return rows


def _choice_lookup(model_field: models.Field[Any, Any]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    with translation.override("zh-hans"):
        for value, label in model_field.flatchoices:
            lookup[str(value).lower()] = value
            lookup[str(label).lower()] = value
    with translation.override("en"):
        for value, label in model_field.flatchoices:
            lookup[str(label).lower()] = value
    return lookup


class _Resolver:
    """Turns cells into field values, resolving relations by their natural keys within the user's reach."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.counties = {j.code: j for j in Jurisdiction.objects.filter(level=Level.COUNTY)}
        self.grids = {j.code: j for j in Jurisdiction.objects.filter(level=Level.GRID)}
        self.brands = {b.code.lower(): b for b in Brand.objects.all()} | {
            b.name.lower(): b for b in Brand.objects.all()}
        self._enterprises: dict[str, Enterprise | None] = {}
        self._sites: dict[str, Site | None] = {}

    def enterprise(self, key: str) -> Enterprise | None:
        if key not in self._enterprises:
            qs = scope(self.user, Enterprise) if self.user.role == "enterprise" else Enterprise.objects.all()
            self._enterprises[key] = qs.filter(credit_code=key.upper()).first()
        return self._enterprises[key]

    def site(self, key: str) -> Site | None:
        if key not in self._sites:
            self._sites[key] = scope(self.user, Site).filter(code=key).first()
        return self._sites[key]

    def convert(self, model: type[models.Model], name: str, cell: Any) -> Any:
        f = model._meta.get_field(name)
        text = "" if cell is None else unneutralise(str(cell).strip())
        if isinstance(f, models.ForeignKey):
            if not text:
                return None
            target = f.related_model
            found: Any
            if target is Jurisdiction:
                found = (self.counties if name == "county" else self.grids).get(text)
            elif target is Brand:
                found = self.brands.get(text.lower())
            elif target is Enterprise:
                found = self.enterprise(text)
            elif target is Site:
                found = self.site(text)
            else:
                found = None
            if found is None:
                raise ValidationError(_("“%(value)s” is not a known %(what)s.") % {
                    "value": text, "what": target._meta.verbose_name})
            return found
        if f.choices:
            if not text:
                return f.get_default()
            value = _choice_lookup(f).get(text.lower())
            if value is None:
                allowed = "、".join(str(label) for _v, label in f.flatchoices)
                raise ValidationError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})
            return value
        if isinstance(f, models.BooleanField):
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValidationError(_("Write 是 or 否."))
        if isinstance(f, models.DateField):
            if isinstance(cell, dt.datetime):
                return cell.date()
            if isinstance(cell, dt.date):
                return cell
            if not text:
                return None
            for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"):
                try:
                    return dt.datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
            raise ValidationError(_("“%(value)s” is not a date like 2026-03-01.") % {"value": text})
        if isinstance(f, models.TimeField):
            if isinstance(cell, dt.time):
                return cell
            if not text:
                return None
            try:
                return dt.datetime.strptime(text, "%H:%M").time()
            except ValueError:
                raise ValidationError(_("“%(value)s” is not a time like 08:30.") % {"value": text}) from None
        if isinstance(f, models.DecimalField):
            if not text:
                return None
            try:
                return Decimal(text).quantize(Decimal(1).scaleb(-f.decimal_places))
            except InvalidOperation:
                raise ValidationError(_("“%(value)s” is not a number.") % {"value": text}) from None
        if isinstance(f, models.IntegerField):
            if not text:
                return None
            try:
                number = float(text)
            except ValueError:
                raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": text}) from None
            if number != int(number):
                raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": text})
            return int(number)
        return text


def _check_headers(kind: Kind, row: list[Any]) -> list[str]:
    """The header row against the register's template (`bad_headers` naming what is wrong)."""
    headers = [str(h).strip() if h is not None else "" for h in row]
    known = {c.header: c for c in kind.columns if c.importable}
    unknown = [h for h in headers if h and h not in known]
    missing = [c.header for c in kind.columns if c.required and c.header not in headers]
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    if unknown or missing or duplicated:
        parts = []
        if missing:
            parts.append(_("missing columns: %(cols)s") % {"cols": "、".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": "、".join(unknown)})
        if duplicated:
            parts.append(_("columns given twice: %(cols)s") % {"cols": "、".join(duplicated)})
        raise ImportRejected(
            _("The header row does not match the %(register)s template (%(problems)s). Expected columns: %(expected)s.")
            % {"register": kind.title, "problems": "; ".join(parts), "expected": "、".join(known)},
            code="bad_headers",
        )
    return headers


def import_preview(*, user: Any, kind_slug: str, data: bytes, filename: str = "") -> Preview:
    require(user, Perm.REGISTRY_IMPORT)
    if kind_slug not in IMPORTABLE:
        raise ImportRejected(_("This register cannot be imported from a file."), code="not_importable")
    kind = kind_of(kind_slug)
    cells = _read_cells(data, filename, header_check=lambda row: _check_headers(kind, row))
    while cells and all(c in (None, "") for c in cells[-1]):
        cells.pop()
    if not cells:
        raise ImportRejected(_("The file is empty."), code="empty_file")
    headers = _check_headers(kind, cells[0])
    known = {c.header: c for c in kind.columns if c.importable}
    body = cells[1:]
    if not any(any(c not in (None, "") for c in row) for row in body):
        raise ImportRejected(_("The file has a header row but no data rows."), code="no_rows")

    preview = Preview(kind=kind, headers=headers)
    resolver = _Resolver(user)
    seen_keys: dict[str, int] = {}
    key_column = next((c for c in kind.columns if c.path == kind.natural_key), None)
    for offset, row in enumerate(body):
        row_no = offset + 2
        if all(c in (None, "") for c in row):
            continue
        values: dict[str, Any] = {}
        row_ok = True
        for index, header in enumerate(headers):
            if not header:
                continue
            column = known[header]
            cell = row[index] if index < len(row) else None
            if column.required and (cell is None or str(cell).strip() == ""):
                preview.errors.append(RowError(row_no, header, _("This column is required.")))
                row_ok = False
                continue
            try:
                values[column.path] = resolver.convert(kind.model, column.path, cell)
            except ValidationError as exc:
                preview.errors.append(RowError(row_no, header, " ".join(exc.messages)))
                row_ok = False
        if key_column is not None and values.get(kind.natural_key):
            key = str(values[kind.natural_key]).upper()
            if key in seen_keys:
                preview.errors.append(RowError(row_no, key_column.header, _(
                    "“%(key)s” appears again (first in row %(first)s).") % {"key": key, "first": seen_keys[key]}))
                row_ok = False
            else:
                seen_keys[key] = row_no
        if row_ok:
            row_ok = _check_row(user, kind, values, row_no, preview, key_column)
        preview.rows.append({k: v for k, v in values.items() if v is not None})
        preview.table.append([row_no, *("" if c is None else c for c in row[: len(headers)])])
    return preview


def _check_row(user: Any, kind: Kind, values: dict[str, Any], row_no: int, preview: Preview,
               key_column: Any) -> bool:
    obj = kind.model(**{k: v for k, v in values.items() if v is not None})
    headers = {c.path: c.header for c in kind.columns}
    if key_column is not None:
        manager = kind.model._default_manager
        if manager.filter(**{kind.natural_key: getattr(obj, kind.natural_key)}).exists():
            preview.errors.append(RowError(row_no, key_column.header, _(
                "“%(key)s” is already registered; change it on its page instead.")
                % {"key": getattr(obj, kind.natural_key)}))
            return False
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            preview.errors.append(RowError(row_no, headers.get(name, ""), " ".join(messages)))
        return False
    try:
        services._check_placement(user, obj)
    except DomainError as exc:
        preview.errors.append(RowError(row_no, "", str(exc.message)))
        return False
    return True


def import_apply(*, user: Any, kind_slug: str, data: bytes, filename: str = "") -> int:
    """Write every row of a valid file, or nothing. Returns the number of records created."""
    preview = import_preview(user=user, kind_slug=kind_slug, data=data, filename=filename)
    if preview.errors:
        raise Invalid(_("The file has %(n)s problems; nothing was imported.") % {"n": len(preview.errors)},
                      code="import_invalid", details=[str(e) for e in preview.errors[:200]])
    with transaction.atomic():
        for values in preview.rows:
            services.record_create(user=user, model=preview.kind.model, data=values, action="import",
                                   reason=Path(filename).name[:200])
    return len(preview.rows)


def template_headers(kind_slug: str) -> list[str]:
    return [c.header for c in kind_of(kind_slug).columns if c.importable]
