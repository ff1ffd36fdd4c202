import datetime as dt
import subprocess
import sys

import openpyxl
import pytest

from lakehouse.bronze.readers import RawFileError, read_raw_file
from lakehouse.datasets import DATASETS

ORDERS = DATASETS["orders"]
HEADER = "order_num,order_id,user_id,order_timestamp,total_amount,date"


def test_csv_values_stay_text_as_delivered(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(f"{HEADER}\n7,0010, 5 ,2025-04-01T11:27:00,229.50,2025-04-01\n")
    row = read_raw_file(path, ORDERS).table.to_pylist()[0]
    assert row["order_id"] == "0010"
    assert row["user_id"] == " 5 "
    assert row["total_amount"] == "229.50"


def test_missing_column_names_file_and_column(tmp_path):
    path = tmp_path / "orders_no_amount.csv"
    path.write_text("order_num,order_id,user_id,order_timestamp,date\n1,2,3,x,y\n")
    with pytest.raises(RawFileError) as error:
        read_raw_file(path, ORDERS)
    assert "orders_no_amount.csv" in str(error.value)
    assert "total_amount" in str(error.value)


def test_extra_columns_are_reported_not_fatal(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(f"{HEADER},coupon\n1,2,3,2025-04-01T00:00:00,9.5,2025-04-01,XMAS\n")
    raw = read_raw_file(path, ORDERS)
    assert raw.ignored_columns == ("coupon",)
    assert raw.table.column_names == list(ORDERS.required_columns)


def test_header_only_file_has_no_rows(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "\n")
    assert read_raw_file(path, ORDERS).table.num_rows == 0


def test_bom_crlf_and_header_case_load_like_any_file(tmp_path):
    path = tmp_path / "o.csv"
    body = f"{HEADER.upper()}\r\n1,2,3,2025-04-01T00:00:00,9.5,2025-04-01\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    rows = read_raw_file(path, ORDERS).table.to_pylist()
    assert rows == [
        {
            "order_num": "1",
            "order_id": "2",
            "user_id": "3",
            "order_timestamp": "2025-04-01T00:00:00",
            "total_amount": "9.5",
            "date": "2025-04-01",
        }
    ]


def test_excel_first_sheet_numbers_read_as_their_text(tmp_path):
    path = tmp_path / "orders.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([90, 10000, 1990, dt.datetime(2025, 4, 1, 11, 27), 229.53, dt.date(2025, 4, 1)])
    sheet.append(["91", "10001", "1991", "2025-04-01T17:53:00", "131.93", "2025-04-01"])
    book.create_sheet("ignored").append(["not", "read"])
    book.save(path)
    rows = read_raw_file(path, ORDERS).table.to_pylist()
    assert rows[0] == {
        "order_num": "90",
        "order_id": "10000",
        "user_id": "1990",
        "order_timestamp": "2025-04-01T11:27:00",
        "total_amount": "229.53",
        "date": "2025-04-01",
    }
    assert rows[1]["total_amount"] == "131.93"


def test_a_value_longer_than_arrows_block_is_read_whole(tmp_path):
    """Arrow parses a CSV in blocks of 1 MB and refuses a row that spans two of them."""
    path = tmp_path / "o.csv"
    long_id = "9" * (3 * 2**20)
    path.write_text(f"{HEADER}\n1,{long_id},3,x,9.5,y\n2,5,6,x,1.0,y\n")
    rows = read_raw_file(path, ORDERS).table.to_pylist()
    assert [r["order_id"] for r in rows] == [long_id, "5"]


def test_an_unclosed_quote_in_a_long_file_names_the_row(tmp_path):
    path = tmp_path / "o.csv"
    good = "1,2,3,2025-04-01T00:00:00,9.5,2025-04-01\n" * 50_000
    path.write_text(f'{HEADER}\n{good}4,"5,6,2025-04-01T00:00:00,9.5,2025-04-01\n{good}')
    with pytest.raises(RawFileError) as error:
        read_raw_file(path, ORDERS)
    assert "not a well-formed CSV file" in str(error.value)
    assert "Expected 6 columns" in str(error.value)


def test_a_process_that_rejected_an_unclosed_quote_exits(tmp_path):
    """A threaded Arrow parse that failed left a pool worker waiting, and about every
    second process then hung at exit: a few processes each read such a file and exit."""
    path = tmp_path / "o.csv"
    good = "1,2,3,2025-04-01T00:00:00,9.5,2025-04-01\n" * 50_000
    path.write_text(f'{HEADER}\n{good}4,"5,6,2025-04-01T00:00:00,9.5,2025-04-01\n{good}')
    script = (
        "import sys; from lakehouse.bronze.readers import RawFileError, read_raw_file; "
        "from lakehouse.datasets import DATASETS\n"
        "try: read_raw_file(__import__('pathlib').Path(sys.argv[1]), DATASETS['orders'])\n"
        "except RawFileError: pass"
    )
    for _ in range(4):
        # a hang detector, not a speed bound: a process ends in about a second
        subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=60)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("binary.csv", bytes(range(256)) * 4, "not a UTF-8 text file"),
        (
            "truncated.csv",
            f"{HEADER}\n1,2,3,2025-04-01T00:00:00,9.5,2025-04-01\n4,5".encode(),
            "Expected 6",
        ),
        ("fake.xlsx", b"PK\x03\x04 not really a workbook", "not a readable Excel"),
        ("empty.csv", b"", "no header row"),
        ("notes.txt", b"hello", "unsupported file type"),
    ],
)
def test_unreadable_files_are_rejected_with_the_reason(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RawFileError) as error:
        read_raw_file(path, ORDERS)
    assert name in str(error.value)
    assert expected in str(error.value)
