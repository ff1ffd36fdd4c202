"""The dbt docs site, as `lakehouse docs` serves it on the sample warehouse: the lineage
graph seen in headless Chromium, and documentation for every node, column and macro."""

import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from lakehouse.datasets import DATASETS
from lakehouse.transform.dbt_runner import PROJECT_DIR, TARGET_DIR
from tests.support import BIN, free_port, listening, succeed, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SCREENSHOT = TARGET_DIR / "lineage.png"
# Chromium as root on a machine with no outside network: no sandbox, nothing fetched at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DATA_NODES = ["source", "seed", "model", "snapshot", "exposure"]
GRAPH = "angular.element(document.body).injector().get('graph')"


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium, installed here if missing (root with apt), as CI machines lack it."""
    if not shutil.which("chromium") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "chromium"],
        ):
            subprocess.run(command, env=env, capture_output=True, check=True)
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed and could not be installed with apt-get")
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory) -> Iterator[str]:
    """The sample built into a fresh warehouse, then `lakehouse docs` serving its site."""
    wh = tmp_path_factory.mktemp("docs") / "wh"
    succeed("run", "--warehouse", str(wh), warehouse=wh)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "lakehouse"), "docs", "--warehouse", str(wh), "--port", str(port)],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: listening(port) or server.poll() is not None, seconds=180)
        assert server.poll() is None, "lakehouse docs exited before serving the site"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _served_json(site: str, name: str) -> dict:
    with urllib.request.urlopen(f"{site}/{name}") as response:
        return json.load(response)


def _project_models() -> set[str]:
    return {f"model.lakehouse.{p.stem}" for p in (PROJECT_DIR / "models").rglob("*.sql")}


def test_lineage_graph_shows_every_source_and_model(chromium, docs_site):
    expected = _project_models() | {f"source.lakehouse.bronze.{d}" for d in DATASETS}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{docs_site}/#!/overview?g_v=1")
        page.wait_for_function(f"() => {GRAPH}.graph_element?.nodes().length > 0")
        # The full graph, tests left out: what an analyst reads as the lineage.
        page.evaluate(
            f"""types => {{
                const selector = angular.element(document.body).injector().get('selectorService');
                {GRAPH}.updateGraph({{...selector.selection.clean, resource_types: types}});
            }}""",
            DATA_NODES,
        )
        page.wait_for_timeout(1500)  # the layout animates into place
        shown = set(page.evaluate(f"() => {GRAPH}.graph_element.nodes().map(n => n.id())"))
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOT)
        browser.close()
    assert expected - shown == set(), f"missing from the lineage graph ({SCREENSHOT})"
    assert {n.split(".")[0] for n in shown} == set(DATA_NODES)


def test_every_built_table_is_in_the_catalog_with_its_columns(docs_site):
    """The catalog also lists tables re-attached from their Delta logs
    (macros/sail/sail_catalog.sql)."""
    manifest = _served_json(docs_site, "manifest.json")
    catalog = _served_json(docs_site, "catalog.json")
    built = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
        and node["config"]["materialized"] != "ephemeral"
    } | set(manifest["sources"])
    listed = {
        uid for uid, entry in {**catalog["nodes"], **catalog["sources"]}.items() if entry["columns"]
    }
    assert built - listed == set()


def test_every_node_column_and_macro_is_documented(docs_site):
    manifest = _served_json(docs_site, "manifest.json")
    catalog = _served_json(docs_site, "catalog.json")
    undocumented = []
    for uid, node in {**manifest["nodes"], **manifest["sources"]}.items():
        if node["resource_type"] == "operation" or node.get("test_metadata"):
            continue  # hooks take no description; a generic test is documented by its macro
        if not node.get("description"):
            undocumented.append(uid)
        entry = catalog["nodes"].get(uid) or catalog["sources"].get(uid) or {"columns": {}}
        undocumented += [
            f"{uid}.{column}"
            for column in entry["columns"]
            if not node["columns"].get(column, {}).get("description")
        ]
    undocumented += [
        uid
        for uid, node in {**manifest["macros"], **manifest["unit_tests"]}.items()
        if node["package_name"] in ("lakehouse", "dbt_expectations") and not node["description"]
    ]
    assert undocumented == []


def test_every_gold_mart_has_a_consumer(docs_site):
    """The public models of Gold, the marts; the intermediate ones are private."""
    manifest = _served_json(docs_site, "manifest.json")
    gold = {
        uid
        for uid in _project_models()
        if manifest["nodes"][uid]["schema"] == "gold"
        and manifest["nodes"][uid]["access"] == "public"
    }
    consumed = {
        uid
        for exposure in manifest["exposures"].values()
        for uid in exposure["depends_on"]["nodes"]
    }
    assert gold and gold - consumed == set()
