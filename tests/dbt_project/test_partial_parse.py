"""A singular test's SQL edited: dbt's partial parse must keep its group, tags and meta.

dbt 1.10 drops the properties data_tests/_tests.yml gives a singular test when its SQL
changes, so they live in the SQL's config(); otherwise the next `dbt build` fails to parse
(a private model referenced from no group) until target/partial_parse.msgpack is deleted.
"""

import json

from tests.support import copy_dbt_project, succeed


def singular_test_configs(target) -> dict[str, dict]:
    nodes = json.loads((target / "manifest.json").read_text())["nodes"].values()
    return {
        node["name"]: {key: node["config"][key] for key in ("group", "tags", "meta", "severity")}
        for node in nodes
        if node["resource_type"] == "test"
        and "generic" not in node["original_file_path"]
        and node["original_file_path"].startswith("data_tests/")
    }


def test_editing_a_singular_test_keeps_its_config_through_partial_parsing(tmp_path):
    project, target = tmp_path / "project", tmp_path / "target"
    copy_dbt_project(project)
    parse = ("dbt", "parse", "--project-dir", str(project))
    succeed(*parse, warehouse=tmp_path / "wh", DBT_TARGET_PATH=str(target))
    before = singular_test_configs(target)
    assert before["bronze_rows_accounted_for"]["group"] == "data_platform"
    assert before["bronze_rows_accounted_for"]["meta"]["sort_merge_join"] is True

    for sql in (project / "data_tests").glob("*.sql"):
        sql.write_text(sql.read_text() + "\n{# edited #}\n")
    output = succeed(*parse, warehouse=tmp_path / "wh", DBT_TARGET_PATH=str(target))

    assert "Unable to do partial parsing" not in output  # the partial parse was tested
    assert singular_test_configs(target) == before
    assert all(config["group"] and config["tags"] for config in before.values()), before
