"""Registry import from Excel and CSV: a preview first, row-by-row errors, nothing written unless the
whole file is valid."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from parcelguard.core.errors import DomainError
from parcelguard.registry.imports import ImportRejected, import_apply, import_preview
from parcelguard.registry.models import ChangeRecord, Enterprise, Site
from parcelguard.testing.cast import credit_code

SITE_HEADERS = ["网点编码", "网点名称", "类型", "所属企业信用代码", "区县代码", "网格编码", "备案地址", "营业开始", "营业结束",
                "开业日期", "负责人电话"]


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def site_rows(cast, *extra: list[object]) -> list[list[object]]:
    x = cast.enterprise_x.credit_code
    return [
        SITE_HEADERS,
        ["PTZTOWD0101", "中通涵江江口营业部", "营业网点", x, "350303", "350303001", "福建省莆田市涵江区江口镇江口大道18号",
         "08:00", "20:00", "2024-03-01", "13905941234"],
        ["PTZTOWD0102", "中通涵江梧塘营业部", "outlet", x, "350303", "350303002", "福建省莆田市涵江区梧塘镇梧塘街6号",
         "", "", "2023/7/15", ""],
        *extra,
    ]


def counts() -> tuple[int, int, int]:
    return Site.objects.count(), Enterprise.objects.count(), ChangeRecord.objects.count()


def test_a_valid_workbook_imports_every_row_with_history(cast):
    data = xlsx(site_rows(cast))
    preview = import_preview(user=cast.centre_a, kind_slug="sites", data=data, filename="sites.xlsx")
    assert preview.valid and len(preview.rows) == 2
    assert import_apply(user=cast.centre_a, kind_slug="sites", data=data, filename="sites.xlsx") == 2
    site = Site.objects.get(code="PTZTOWD0101")
    assert site.grid == cast.grid_a1 and site.kind == "outlet" and site.opens.hour == 8
    assert Site.objects.get(code="PTZTOWD0102").opened_on.isoformat() == "2023-07-15"
    assert ChangeRecord.objects.filter(model="site", object_id=site.pk, action="import").exists()


def test_a_utf8_csv_and_a_gbk_csv_both_import(cast):
    text = "\n".join(",".join(str(c) for c in row) for row in site_rows(cast))
    for encoding in ("utf-8-sig", "gbk"):
        preview = import_preview(user=cast.centre_a, kind_slug="sites", data=text.encode(encoding))
        assert preview.valid, [str(e) for e in preview.errors]


@pytest.mark.parametrize(("bad_row", "column", "fragment"), [
    (["PTZTOWD0103", "x", "网吧", "X", "350303", "", "地址1号", "", "", "", ""], "类型", "网吧"),
    (["PTZTOWD0103", "x", "营业网点", "91350303MA2XYW1230", "350303", "", "地址1号", "", "", "", ""],
     "所属企业信用代码", "91350303MA2XYW1230"),
    (["PTZTOWD0103", "x", "营业网点", "X", "999999", "", "地址1号", "", "", "", ""], "区县代码", "999999"),
    (["PTZTOWD0103", "x", "营业网点", "X", "350303", "", "地址1号", "25:00", "20:00", "", ""], "营业开始", "25:00"),
    (["PTZTOWD0103", "x", "营业网点", "X", "350303", "", "地址1号", "", "", "2024-13-45", ""], "开业日期", "2024-13-45"),
    (["PTZTOWD0103", "x", "营业网点", "X", "350303", "", "", "", "", "", ""], "备案地址", ""),
    (["PTZTOWD0101", "重复", "营业网点", "X", "350303", "", "地址1号", "", "", "", ""], "网点编码", "PTZTOWD0101"),
])
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(cast, bad_row, column, fragment):
    bad_row = [cast.enterprise_x.credit_code if c == "X" else c for c in bad_row]
    data = xlsx(site_rows(cast, bad_row))
    before = counts()
    preview = import_preview(user=cast.centre_a, kind_slug="sites", data=data)
    assert not preview.valid
    error = preview.errors[0]
    assert error.row == 4 and error.column == column
    assert fragment in str(error)
    with pytest.raises(DomainError) as exc:
        import_apply(user=cast.centre_a, kind_slug="sites", data=data)
    assert exc.value.code == "import_invalid"
    assert counts() == before


def test_a_code_already_registered_is_refused(cast):
    rows = site_rows(cast)
    rows[1][0] = cast.outlet_a1.code
    preview = import_preview(user=cast.centre_a, kind_slug="sites", data=xlsx(rows))
    assert [(e.row, e.column) for e in preview.errors] == [(2, "网点编码")]
    assert "already registered" in str(preview.errors[0]) or "已" in str(preview.errors[0])


def test_a_county_cannot_import_sites_into_another_county(cast):
    data = xlsx(site_rows(cast))
    preview = import_preview(user=cast.centre_b, kind_slug="sites", data=data)
    assert len(preview.errors) == 2
    before = counts()
    with pytest.raises(DomainError):
        import_apply(user=cast.centre_b, kind_slug="sites", data=data)
    assert counts() == before


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "xls_not_supported"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 500, "not_a_spreadsheet"),
    (b"PK\x03\x04not really a zip", "not_a_spreadsheet"),
    ("网点编码,网点名称\n".encode("utf-16"), "not_a_spreadsheet"),
    (bytes([0xFF, 0xFE, 0xFA, 0x81, 0x30]) * 10, "bad_encoding"),
    ("网点编码,名字,颜色\nA,B,C\n".encode(), "bad_headers"),
    (",".join(SITE_HEADERS).encode(), "no_rows"),
])
def test_an_unreadable_file_gets_a_precise_error_and_writes_nothing(cast, data, code):
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_preview(user=cast.centre_a, kind_slug="sites", data=data)
    assert exc.value.code == code
    assert exc.value.message
    assert counts() == before


def test_a_50_mb_file_is_refused_before_it_is_parsed(cast, client_for):
    big = b"a" * (50 * 1024 * 1024)
    with pytest.raises(ImportRejected) as exc:
        import_preview(user=cast.centre_a, kind_slug="sites", data=big)
    assert exc.value.code == "file_too_large"
    client = client_for(cast.centre_a)
    upload = io.BytesIO(big)
    upload.name = "huge.csv"
    response = client.post("/registry/import/", {"kind": "sites", "file": upload})
    assert response.status_code == 400
    assert "MB" in response.content.decode()
    assert Site.objects.count() == 4


def test_the_import_page_previews_then_imports_on_confirmation(cast, client_for):
    client = client_for(cast.centre_a)
    upload = io.BytesIO(xlsx(site_rows(cast)))
    upload.name = "网点.xlsx"
    response = client.post("/registry/import/", {"kind": "sites", "file": upload})
    assert response.status_code == 200
    assert Site.objects.filter(code="PTZTOWD0101").count() == 0  # a preview writes nothing
    token = response.context["token"]
    confirm = client.post(f"/registry/import/{token}/")
    assert confirm.status_code == 302
    assert Site.objects.filter(code__in=["PTZTOWD0101", "PTZTOWD0102"]).count() == 2
    again = client.post(f"/registry/import/{token}/")  # the spool is gone: no double import
    assert again.status_code == 302
    assert Site.objects.filter(code__in=["PTZTOWD0101", "PTZTOWD0102"]).count() == 2


def test_a_grid_worker_and_a_procurator_may_not_import(cast, client_for):
    for user in (cast.worker_a1, cast.procurator):
        with pytest.raises(DomainError) as exc:
            import_preview(user=user, kind_slug="sites", data=xlsx(site_rows(cast)))
        assert exc.value.code == "forbidden"
        assert client_for(user).get("/registry/import/").status_code == 403


def test_enterprises_import_with_checked_credit_codes(cast):
    good = credit_code("91350305MA4PQR789")
    rows = [["统一社会信用代码", "企业名称", "品牌", "法定代表人", "快递业务经营许可证号"],
            [good, "莆田市秀屿区申通快递有限公司", "STO", "陈志明", "闽邮20210077"],
            [good[:-1] + ("0" if good[-1] != "0" else "1"), "坏代码公司", "申通快递", "李四", ""]]
    from parcelguard.registry.models import Brand

    Brand.objects.create(code="STO", name="申通快递")
    preview = import_preview(user=cast.city_bureau, kind_slug="enterprises", data=xlsx(rows))
    assert [(e.row, e.column) for e in preview.errors] == [(3, "统一社会信用代码")]
    rows.pop()
    assert import_apply(user=cast.city_bureau, kind_slug="enterprises", data=xlsx(rows)) == 1
    assert Enterprise.objects.get(credit_code=good).brand_id == "STO"


def test_an_export_re_imports_as_a_template(cast, client_for):
    from openpyxl import load_workbook

    response = client_for(cast.centre_a).get("/registry/sites/export.xlsx?q=白塘")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("网点编码", "网点名称", "类型")
    assert [r[0] for r in rows[1:]] == [cast.outlet_a2.code]
    assert rows[1][2] in ("营业网点", "Outlet")
    assert "13600001111" not in [str(c) for c in rows[1]]  # the manager's phone is masked in exports
