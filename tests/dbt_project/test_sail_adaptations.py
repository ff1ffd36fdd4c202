"""The Sail adaptations (macros/sail/) state the engine versions they were written for;
when requirements.lock moves to other versions, each must be checked again."""

import re

import pytest
import yaml

from lakehouse.transform.dbt_runner import PROJECT_DIR

SAIL_MACROS = PROJECT_DIR / "macros" / "sail"
PROPERTIES = SAIL_MACROS / "_sail__macros.yml"
LOCK = PROJECT_DIR / "requirements.lock"
ENGINE_PACKAGES = ("dbt-sail", "pysail")
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(")


def locked_version(package: str) -> str:
    found = re.search(rf"^{re.escape(package)}==(\S+)", LOCK.read_text(), re.MULTILINE)
    assert found, f"{LOCK.name} pins no {package}"
    return found.group(1)


def adaptations() -> list[dict]:
    return yaml.safe_load(PROPERTIES.read_text())["macros"]


def defined_macros() -> dict[str, str]:
    """Every macro of macros/sail/*.sql, with its file."""
    return {
        name: path.name
        for path in sorted(SAIL_MACROS.glob("*.sql"))
        for name in MACRO.findall(path.read_text())
    }


@pytest.mark.parametrize("package", ENGINE_PACKAGES)
def test_every_adaptation_was_written_for_the_locked_engine(package: str):
    locked = locked_version(package)
    stale = {
        entry["name"]: (entry.get("meta") or {}).get("written_for", {}).get(package)
        for entry in adaptations()
        if (entry.get("meta") or {}).get("written_for", {}).get(package) != locked
    }
    assert not stale, (
        f"{LOCK.name} locks {package}=={locked}, but these adaptations in "
        f"{PROPERTIES.relative_to(PROJECT_DIR)} were written for another version: {stale}. "
        f"Re-check each against {package} {locked} (is the upstream behaviour in its "
        "`works_around` still there? is the macro still needed, or can it be deleted?), "
        f'then update its `meta.written_for` to {package}: "{locked}".'
    )


def test_every_adaptation_says_what_it_works_around():
    missing = [
        entry["name"]
        for entry in adaptations()
        if not (entry.get("meta") or {}).get("works_around") or not entry.get("description")
    ]
    assert not missing, (
        f"{PROPERTIES.name}: give these a description and meta.works_around: {missing}"
    )


def test_every_sail_macro_is_documented_and_every_entry_defined():
    defined = defined_macros()
    documented = {entry["name"] for entry in adaptations()}
    undocumented = {name: file for name, file in defined.items() if name not in documented}
    assert not undocumented, (
        f"macros in macros/sail/ without an entry in {PROPERTIES.name}: {undocumented}"
    )
    assert documented <= defined.keys(), (
        f"entries in {PROPERTIES.name} with no macro in macros/sail/*.sql: "
        f"{sorted(documented - defined.keys())}"
    )
    files_without_macro = {p.name for p in SAIL_MACROS.glob("*.sql")} - set(defined.values())
    assert not files_without_macro, (
        f"files in macros/sail/ that define no macro: {files_without_macro}"
    )
