"""`lakehouse validate`: per file and row what a run would do with a landing folder, the
exit code a producer's CI reads, and the warehouse compared with left exactly as it was."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from lakehouse.local.validate import FileVerdict, Validation, Verdict
from tests.support import ITEMS_HEADER, ORDERS_HEADER, SAMPLE, cli, succeed

FAULTY_ORDERS = "\n".join(
    [
        ORDERS_HEADER,
        "1,900010,5,2025-04-02T10:00:00,10.00,2025-04-02",
        "2,900001,5,2025-04-02T10:00:00,abc,2025-04-02",
        "3,900002,5,2025-04-02T10:00:00,-3.50,2025-04-02",
        "4,900004,5,yesterday,10.00,2025-04-02",
        "5,900010,5,2025-04-02T10:00:00,12.00,2025-04-02",  # corrects row 1
        "",
    ]
)
BROKEN_ORDERS = "order_num,order_id,user_id\n1,900020,5\n"
# Order 10000 is only in the warehouse, order 777777 nowhere, order 900010 in the folder.
WAITING_ITEMS = "\n".join(
    [
        ITEMS_HEADER,
        "900001,10000,1990,10,999999,9,0,2025-04-01T11:27:00,2025-04-01",
        "900002,777777,1990,10,1,10,0,2025-04-01T11:27:00,2025-04-01",
        "900003,900010,5,10,1,1,0,2025-04-02T10:00:00,2025-04-02",
        "",
    ]
)
DAY_1 = "2025-04-01.csv"


def land(raw: Path, files: dict[str, str | Path]) -> Path:
    """Write each `dataset/name` of FILES, from text or a copy of a file."""
    for name, content in files.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, raw / name)
        else:
            (raw / name).write_text(content)
    return raw


def tree_state(root: Path) -> str:
    """A hash of every path under ROOT with its bytes and modification time."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(f"{path.relative_to(root)} {path.stat().st_mtime_ns}".encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> dict:
    """A warehouse with the products and the orders of day 1, then a folder validated
    against it: the same products, a rejected file, faulty orders, the line items of
    day 1, and line items whose product or order is unknown."""
    root = tmp_path_factory.mktemp("validate")
    warehouse = root / "warehouse"
    built = land(
        root / "built",
        {
            "products/products.csv": SAMPLE / "products" / "products.csv",
            f"orders/{DAY_1}": SAMPLE / "orders" / DAY_1,
        },
    )
    succeed("run", "--raw", str(built), warehouse=warehouse)
    (warehouse / ".lakehouse.lock").unlink()  # so that the check sees a new one
    raw = land(
        root / "raw",
        {
            "products/products.csv": SAMPLE / "products" / "products.csv",
            "orders/broken.csv": BROKEN_ORDERS,
            "orders/faulty.csv": FAULTY_ORDERS,
            f"order_items/{DAY_1}": SAMPLE / "order_items" / DAY_1,
            "order_items/waiting.csv": WAITING_ITEMS,
        },
    )
    before = tree_state(warehouse)
    result = cli(
        "validate", "--raw", str(raw), "--json", str(root / "report.json"), warehouse=warehouse
    )
    return {
        "result": result,
        "report": json.loads((root / "report.json").read_text()),
        "warehouse": warehouse,
        "before": before,
        "after": tree_state(warehouse),
    }


@pytest.mark.e2e
def test_every_file_reported_with_what_a_run_would_do(validated):
    files = {f["file"]: f for f in validated["report"]["files"]}
    warehouse = validated["warehouse"]
    assert files["products/products.csv"]["outcome"] == "skipped"
    assert files["products/products.csv"]["detail"] == f"same content as a file in {warehouse}"
    assert files["orders/broken.csv"]["outcome"] == "rejected"
    assert (
        "missing required column(s) order_timestamp, total_amount, date"
        in (files["orders/broken.csv"]["detail"])
    )
    counts = {
        name: {k: f[k] for k in ("rows", "to_silver", "superseded", "held_back", "quarantined")}
        for name, f in files.items()
        if f["outcome"] == "loaded"
    }
    assert counts == {
        "orders/faulty.csv": {
            "rows": 5,
            "to_silver": 1,
            "superseded": 1,
            "held_back": 0,
            "quarantined": {
                "order_timestamp does not parse as a timestamp": 1,
                "total_amount is not numeric": 1,
                "total_amount is not positive": 1,
            },
        },
        # their orders are only in the warehouse's Silver
        f"order_items/{DAY_1}": {
            "rows": 2768,
            "to_silver": 2768,
            "superseded": 0,
            "held_back": 0,
            "quarantined": {},
        },
        "order_items/waiting.csv": {
            "rows": 3,
            "to_silver": 1,
            "superseded": 0,
            "held_back": 1,
            "quarantined": {"product_id is not in the product catalogue": 1},
        },
    }


@pytest.mark.e2e
def test_rows_that_would_not_load_listed_with_reasons_and_values(validated):
    rows = [
        (r["file"], r["row"], r["reason"], r["values"]["order_id"])
        for r in validated["report"]["rows"]
    ]
    assert rows == [
        ("orders/faulty.csv", 2, "total_amount is not numeric", "900001"),
        ("orders/faulty.csv", 3, "total_amount is not positive", "900002"),
        ("orders/faulty.csv", 4, "order_timestamp does not parse as a timestamp", "900004"),
        ("order_items/waiting.csv", 1, "product_id is not in the product catalogue", "10000"),
        (
            "order_items/waiting.csv",
            2,
            "order not in silver yet: held back until it arrives",
            "777777",
        ),
    ]
    assert validated["report"]["rows"][1]["values"]["total_amount"] == "-3.50"


@pytest.mark.e2e
def test_faults_exit_1_and_are_printed(validated):
    result = validated["result"]
    assert result.returncode == Verdict.FAULTY, result.stdout[-3000:] + result.stderr[-3000:]
    assert validated["report"]["exit_code"] == 1
    assert "total_amount is not numeric" in result.stdout
    assert "Verdict (exit 1)" in result.stdout


@pytest.mark.e2e
def test_the_warehouse_is_left_as_it_was(validated):
    assert validated["after"] == validated["before"]
    assert not (validated["warehouse"] / ".lakehouse.lock").exists()


@pytest.mark.e2e
def test_a_clean_folder_exits_0(tmp_path):
    raw = land(
        tmp_path / "raw",
        {
            "products/products.csv": SAMPLE / "products" / "products.csv",
            f"orders/{DAY_1}": SAMPLE / "orders" / DAY_1,
            f"order_items/{DAY_1}": SAMPLE / "order_items" / DAY_1,
        },
    )
    report = tmp_path / "report.json"
    result = cli("validate", "--raw", str(raw), "--json", str(report), warehouse=None)
    assert result.returncode == Verdict.LOADS, result.stdout[-3000:] + result.stderr[-3000:]
    files = json.loads(report.read_text())["files"]
    assert [(f["file"], f["rows"], f["to_silver"]) for f in files] == [
        ("products/products.csv", 1000, 1000),
        (f"orders/{DAY_1}", 500, 500),
        (f"order_items/{DAY_1}", 2768, 2768),
    ]
    assert "Compared with an empty warehouse" in result.stdout


def test_verdict_held_back_items_alone_exit_3():
    def verdict(*files: FileVerdict) -> Verdict:
        return Validation("raw", None, list(files), []).verdict

    loads = FileVerdict("orders", "orders/a.csv", "loaded", "", rows=2, to_silver=2)
    waiting = FileVerdict("order_items", "order_items/a.csv", "loaded", "", rows=1, held_back=1)
    faulty = FileVerdict("orders", "orders/b.csv", "loaded", "", 1, quarantined={"x": 1})
    rejected = FileVerdict("orders", "orders/c.csv", "rejected", "not a well-formed CSV file")
    empty = FileVerdict("orders", "orders/d.csv", "empty", "header only")
    assert verdict(loads, empty) == Verdict.LOADS
    assert verdict(loads, waiting) == Verdict.HELD_BACK
    assert verdict(waiting, faulty) == Verdict.FAULTY
    assert verdict(loads, rejected) == Verdict.FAULTY


@pytest.mark.e2e
def test_no_verdict_exits_2_naming_the_folder(tmp_path):
    missing = cli("validate", "--raw", str(tmp_path / "nowhere"), warehouse=None)
    assert missing.returncode == 2
    # Rich wraps lines at the terminal's width
    assert f"raw folder {tmp_path / 'nowhere'} does not exist" in " ".join(missing.stdout.split())
    raw = land(tmp_path / "raw", {"orders/a.csv": FAULTY_ORDERS})
    no_warehouse = cli("validate", "--raw", str(raw), warehouse=tmp_path / "nowhere")
    assert no_warehouse.returncode == 2
    message = " ".join(no_warehouse.stdout.split())
    assert f"warehouse {tmp_path / 'nowhere'} does not exist" in message
