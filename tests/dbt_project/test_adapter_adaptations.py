"""The adapter adaptations (macros/sail/ for the local engine, macros/glue/ for Glue) state
the versions they were written for; when requirements.lock moves to other versions, each
must be checked again."""

import re
from pathlib import Path

import pytest
import yaml

from lakehouse.transform.dbt_runner import PROJECT_DIR

LOCK = PROJECT_DIR / "requirements.lock"
# folder under macros/ -> the locked packages its adaptations were written for
ADAPTATIONS = {"sail": ("dbt-sail", "pysail"), "glue": ("dbt-glue",)}
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(")
# dbt names a materialization's macro materialization_<name>_<adapter>
MATERIALIZATION = re.compile(r"{%-?\s*materialization\s+(\w+)\s*,\s*adapter\s*=\s*'(\w+)'")


def folder(adapter: str) -> Path:
    return PROJECT_DIR / "macros" / adapter


def properties(adapter: str) -> Path:
    return folder(adapter) / f"_{adapter}__macros.yml"


def locked_version(package: str) -> str:
    found = re.search(rf"^{re.escape(package)}==(\S+)", LOCK.read_text(), re.MULTILINE)
    assert found, f"{LOCK.name} pins no {package}"
    return found.group(1)


def adaptations(adapter: str) -> list[dict]:
    return yaml.safe_load(properties(adapter).read_text())["macros"]


def defined_macros(adapter: str) -> dict[str, str]:
    """Every macro of macros/<adapter>/*.sql (materializations included), with its file."""
    defined = {}
    for path in sorted(folder(adapter).glob("*.sql")):
        text = path.read_text()
        for name in MACRO.findall(text):
            defined[name] = path.name
        for materialization, on in MATERIALIZATION.findall(text):
            defined[f"materialization_{materialization}_{on}"] = path.name
    return defined


@pytest.mark.parametrize(
    ("adapter", "package"), [(a, p) for a, packages in ADAPTATIONS.items() for p in packages]
)
def test_every_adaptation_was_written_for_the_locked_version(adapter: str, package: str):
    locked = locked_version(package)
    stale = {
        entry["name"]: (entry.get("meta") or {}).get("written_for", {}).get(package)
        for entry in adaptations(adapter)
        if (entry.get("meta") or {}).get("written_for", {}).get(package) != locked
    }
    assert not stale, (
        f"{LOCK.name} locks {package}=={locked}, but these adaptations in "
        f"{properties(adapter).relative_to(PROJECT_DIR)} were written for another version: "
        f"{stale}. Re-check each against {package} {locked} (is the upstream behaviour in "
        "its `works_around` still there? is the macro still needed, or can it be deleted?), "
        f'then update its `meta.written_for` to {package}: "{locked}".'
    )


@pytest.mark.parametrize("adapter", ADAPTATIONS)
def test_every_adaptation_says_what_it_works_around(adapter: str):
    missing = [
        entry["name"]
        for entry in adaptations(adapter)
        if not (entry.get("meta") or {}).get("works_around") or not entry.get("description")
    ]
    assert not missing, (
        f"{properties(adapter).name}: give these a description and meta.works_around: {missing}"
    )


@pytest.mark.parametrize("adapter", ADAPTATIONS)
def test_every_adaptation_is_documented_and_every_entry_defined(adapter: str):
    defined, where = defined_macros(adapter), f"macros/{adapter}/"
    documented = {entry["name"] for entry in adaptations(adapter)}
    undocumented = {name: file for name, file in defined.items() if name not in documented}
    assert not undocumented, (
        f"macros in {where} without an entry in {properties(adapter).name}: {undocumented}"
    )
    assert documented <= defined.keys(), (
        f"entries in {properties(adapter).name} with no macro in {where}*.sql: "
        f"{sorted(documented - defined.keys())}"
    )
    files_without_macro = {p.name for p in folder(adapter).glob("*.sql")} - set(defined.values())
    assert not files_without_macro, f"files in {where} that define no macro: {files_without_macro}"
