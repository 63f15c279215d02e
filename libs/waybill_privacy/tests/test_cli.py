import csv
import io
import json
import sys

import pytest
from waybill_privacy import Policy
from waybill_privacy.cli import main, run_audit


def run(lines: bytes, policy=Policy.STANDARD):
    sink = io.StringIO()
    status = run_audit(io.BytesIO(lines), sink, policy)
    return status, sink.getvalue()


def test_audit_writes_one_contract_line_per_input_line_in_order():
    src = "".join(
        json.dumps({"id": f"w{i}", "text": f"收件人：张三 1381234{i:04d}"}, ensure_ascii=False) + "\n"
        for i in range(50)
    )
    status, out = run(src.encode())
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert [r["id"] for r in rows] == [f"w{i}" for i in range(50)]
    assert set(rows[0]) == {"id", "findings", "masked_text", "compliant"}
    assert rows[0]["findings"][1] == {
        "type": "phone",
        "start": 7,
        "end": 18,
        "text": "13812340000",
        "masked": False,
        "meets_standard": False,
    }
    assert rows[0]["masked_text"] == "收件人：张* 1******0000"


def test_a_malformed_line_gives_an_error_line_naming_it_and_the_rest_is_processed():
    src = b'{"id":"a","text":"13812345678"}\n{"id": "b", "text": \n{"id":"c","text":"\xe6\x97\xa0"}\n'
    status, out = run(src)
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 1
    assert len(rows) == 3
    assert rows[0]["id"] == "a" and rows[2]["id"] == "c"
    assert rows[1]["line"] == 2 and rows[1]["error"]["code"] == "invalid_json"
    assert rows[1]["error"]["message"]


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b"[1, 2]", "invalid_record"),
        (b'{"id": "x"}', "invalid_record"),
        (b'{"id": "x", "text": 5}', "invalid_record"),
        (b"   ", "empty_line"),
        (b'{"id": "x", "text": "\xff\xfe"}', "invalid_utf8"),
    ],
)
def test_bad_lines_are_reported_with_a_code(line, code):
    status, out = run(b'{"id":"ok","text":""}\n' + line + b"\n")
    rows = [json.loads(x) for x in out.splitlines()]
    assert status == 1 and rows[1]["line"] == 2 and rows[1]["error"]["code"] == code


def test_empty_input_gives_empty_output():
    assert run(b"") == (0, "")


def test_crlf_and_a_bom_are_accepted():
    status, out = run(b'\xef\xbb\xbf{"id":"a","text":"x"}\r\n{"id":"b","text":"y"}\r\n')
    assert status == 0 and [json.loads(x)["id"] for x in out.splitlines()] == ["a", "b"]


def test_main_reads_and_writes_files(tmp_path):
    src = tmp_path / "in.jsonl"
    dst = tmp_path / "out.jsonl"
    src.write_text('{"id":"1","text":"收件人：李四 13900001111"}\n', encoding="utf-8")
    assert main(["audit", "--input", str(src), "--output", str(dst), "--policy", "strict"]) == 0
    (row,) = [json.loads(x) for x in dst.read_text("utf-8").splitlines()]
    assert row["masked_text"] == "收件人：李* *******1111" and row["compliant"] is False


def test_main_uses_stdin_and_stdout(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"id":"1","text":"x"}\n')))
    assert main(["audit"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "id": "1",
        "findings": [],
        "masked_text": "x",
        "compliant": True,
    }


def test_the_prog_name_shows_in_usage(capsys):
    with pytest.raises(SystemExit):
        main(["--help"], prog="parcelguard privacy")
    assert "usage: parcelguard privacy" in capsys.readouterr().out


def test_mask_csv_masks_the_named_columns(tmp_path):
    src = tmp_path / "w.csv"
    src.write_text(
        "waybill_no,who,tel,addr\nSF1,欧阳娜娜,13812345678,浙江省杭州市西湖区文三路90号501室\nSF2,,,\n",
        encoding="utf-8",
    )
    dst = tmp_path / "out.csv"
    code = main(["mask", str(src), "-o", str(dst), "--columns", "name=who,phone=tel,address=addr"])
    assert code == 0
    rows = list(csv.DictReader(dst.open(encoding="utf-8")))
    assert rows == [
        {
            "waybill_no": "SF1",
            "who": "欧阳**",
            "tel": "1******5678",
            "addr": "浙江省杭州市西湖区文三路90号****",
        },
        {"waybill_no": "SF2", "who": "", "tel": "", "addr": ""},
    ]


def test_mask_csv_uses_the_usual_column_names_by_default(tmp_path):
    src = tmp_path / "w.csv"
    src.write_text("sender_name,sender_phone,other\n张三,13812345678,13812345678\n", encoding="utf-8")
    dst = tmp_path / "out.csv"
    assert main(["mask", str(src), "-o", str(dst), "--policy", "strict"]) == 0
    assert dst.read_text("utf-8").splitlines()[1] == "张*,*******5678,13812345678"


def test_mask_reports_a_missing_column(tmp_path, capsys):
    src = tmp_path / "w.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["mask", str(src), "--columns", "name=who"]) == 2
    assert "who" in capsys.readouterr().err


def test_mask_jsonl_keeps_other_fields_and_skips_broken_lines(tmp_path, capsys):
    src = tmp_path / "w.jsonl"
    src.write_text('{"sender_name":"张三","n":1}\nnot json\n{"sender_name":null}\n', encoding="utf-8")
    dst = tmp_path / "out.jsonl"
    assert main(["mask", str(src), "-o", str(dst)]) == 1
    assert [json.loads(x) for x in dst.read_text("utf-8").splitlines()] == [
        {"sender_name": "张*", "n": 1},
        {"sender_name": None},
    ]
    assert "line 2" in capsys.readouterr().err


def test_mask_parquet_streams_in_chunks(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    n = 2500
    table = pa.table(
        {
            "waybill_no": [f"SF{i}" for i in range(n)],
            "recipient_name": ["司马光" if i % 2 else None for i in range(n)],
            "recipient_phone": [f"1391234{i % 10000:04d}" for i in range(n)],
            "weight": [1.5] * n,
        }
    )
    src, dst = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(table, src)
    assert main(["mask", str(src), "-o", str(dst), "--chunk-size", "1000"]) == 0
    out = pq.read_table(dst)
    assert out.schema == table.schema and out.num_rows == n
    assert out.column("recipient_name").to_pylist()[:2] == [None, "司马*"]
    assert out.column("recipient_phone").to_pylist()[1] == "1******0001"
    assert out.column("weight").to_pylist() == [1.5] * n


def test_console_script_is_registered():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"]["waybill-privacy"] == "waybill_privacy.cli:main"


def test_mask_csv_streams_in_constant_memory(tmp_path):
    import tracemalloc

    src = tmp_path / "big.csv"
    row = "SF{i},张三{i},1381234{j:04d},浙江省杭州市西湖区文三路{j}号华星大厦501室\n"
    with src.open("w", encoding="utf-8") as fh:
        fh.write("waybill_no,sender_name,sender_phone,sender_address\n")
        for i in range(40000):
            fh.write(row.format(i=i, j=i % 10000))
    dst = tmp_path / "out.csv"
    tracemalloc.start()
    assert main(["mask", str(src), "-o", str(dst)]) == 0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert src.stat().st_size > 3_000_000
    assert peak < 1_000_000  # the file is over 3 MB; the masker holds one row at a time
    with dst.open(encoding="utf-8") as fh:
        fh.readline()
        assert fh.readline() == "SF0,张**,1******0000,浙江省杭州市西湖区文三路0号****\n"


def test_no_progress_bar_when_stderr_is_not_a_terminal():
    from waybill_privacy.cli import _progress

    rows = [1, 2, 3]
    assert _progress(rows, desc="x") is rows


def test_explain_adds_the_reasons_in_chinese():
    sink = io.StringIO()
    run_audit(
        io.BytesIO('{"id":"a","text":"收件人：张三 138****5678"}\n'.encode()),
        sink,
        Policy.STANDARD,
        explain=True,
    )
    row = json.loads(sink.getvalue())
    assert row["reasons"] == [
        "姓名完整显示，应至少隐藏1个字",
        "手机号显示11位中的7位，未达到去标识化标准（至少隐藏6位）",
    ]
    assert row["summary"].startswith("不合规：")


def test_output_is_utf8_whatever_the_console_encoding():
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "waybill_privacy", "audit"],
        input='{"id":"1","text":"收件人：张三"}\n'.encode(),
        capture_output=True,
        env={"PYTHONIOENCODING": "ascii", "PATH": ""},
        check=True,
    )
    assert json.loads(out.stdout.decode("utf-8"))["masked_text"] == "收件人：张*"


NESTED = [
    {"id": 1, "sender": {"name": "欧阳娜娜", "phone": "13812345678",
                         "address": "浙江省杭州市西湖区文三路90号华星大厦501室"},
     "recipient": {"name": "张三", "mobile": 13912345678}, "item": {"name": "手机壳"}},
    {"id": 2, "parties": [{"role": "consignee", "name": "李四", "tel": "0571-88888888"},
                          {"role": "shipper", "contact": {"姓名": "王五", "电话": "13700001111"}}]},
    {"id": 3, "consignee": {"name": ["赵六"], "address": {"province": "浙江省",
                                                       "detail": "杭州市西湖区文三路90号华星大厦501室"}}},
]
CLEAR = ["欧阳娜娜", "13812345678", "华星大厦501室", "张三", "13912345678", "李四", "88888888", "王五",
         "13700001111", "赵六"]


def test_mask_jsonl_reads_nested_senders_recipients_and_lists_of_parties(tmp_path):
    """Issue 19 item 4: nested shapes never pass personal data through."""
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in NESTED) + "\n", encoding="utf-8")
    assert main(["mask", str(source), "-o", str(tmp_path / "out.jsonl"), "--format", "jsonl"]) == 0
    text = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert not [c for c in CLEAR if c in text], text
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows[0]["sender"] == {"name": "欧阳**", "phone": "1******5678", "address": "浙江省杭州市西湖区文三路90号****"}
    assert rows[0]["recipient"]["mobile"] == "1******5678" and rows[0]["item"] == {"name": "手机壳"}
    assert rows[1]["parties"][0]["role"] == "consignee" and rows[2]["id"] == 3


def test_mask_jsonl_refuses_a_party_field_it_cannot_read_rather_than_pass_it(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text('{"sender": {"name": "张三", "phone": ' + "[" * 40 + "]" * 40 + "}}\n", encoding="utf-8")
    assert main(["mask", str(source), "-o", str(tmp_path / "out.jsonl"), "--format", "jsonl"]) == 1
    assert "line 1" in capsys.readouterr().err and "张三" not in (tmp_path / "out.jsonl").read_text(encoding="utf-8")
