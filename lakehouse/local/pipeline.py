"""The local pipeline: raw files -> Bronze, then `dbt build`, one lock per warehouse."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from lakehouse.bronze.landed_files import LandedFiles
from lakehouse.bronze.loader import BRONZE, BronzeLoader, FileResult, Outcome
from lakehouse.datasets import DATASETS
from lakehouse.local import report as report_module
from lakehouse.transform import dbt_runner
from lakehouse.warehouse import maintenance
from lakehouse.warehouse.tables import forget_missing_tables, register_table


class PipelineError(Exception):
    """A step of the pipeline failed; `step` names it."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"step '{step}' failed: {message}")
        self.step = step


@dataclass
class RunReport:
    files: list[FileResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # step -> wall time
    # step -> (start, end) in time.time(): when each step ran, to attribute what the
    # process did meanwhile (the benchmark's memory samples)
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    quality: dict = field(default_factory=dict)  # the figures of report.build
    maintained: list[maintenance.TableOutcome] = field(default_factory=list)
    report_page: Path | None = None

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as step NAME (also when it fails)."""
        started, wall = time.perf_counter(), time.time()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - started
            self.windows[name] = (wall, time.time())


def raw_files(raw_dir: Path) -> dict[str, list[Path]]:
    """Every file under RAW/<dataset>/ (any depth, any name), in name order: load order."""
    if not raw_dir.is_dir():
        raise PipelineError(
            "ingest",
            f"raw folder {raw_dir} does not exist; pass --raw with the folder that holds "
            "products/, orders/ and order_items/ (the bundled sample is data/sample)",
        )
    found = {}
    for name in DATASETS:
        folder = raw_dir / name
        files = folder.rglob("*") if folder.is_dir() else []
        found[name] = sorted(p for p in files if p.is_file() and not p.name.startswith("."))
    if not any(found.values()):
        expected = ", ".join(f"{raw_dir / n}/" for n in DATASETS)
        raise PipelineError("ingest", f"no raw files found; expected files under {expected}")
    return found


def ingest(
    raw_dir: Path,
    warehouse: Path,
    on_file: Callable[[FileResult], None] = lambda _: None,
    load_after: Path | None = None,
) -> list[FileResult]:
    """Load every new file of RAW into the warehouse's Bronze. With `load_after`, a
    warehouse only read, load what a run on that one would (see BronzeLoader.load_after)."""
    results = []
    landed = LandedFiles(warehouse)
    for name, paths in raw_files(raw_dir).items():
        loader = BronzeLoader(warehouse, DATASETS[name], raw_dir)
        if load_after is not None:
            loader.load_after(load_after)
        # The local engine's catalog (on AWS the Glue Data Catalog, which s3_ingest writes:
        # its three jobs run at once and must share no table)
        register_table(warehouse, BRONZE, name)
        loaded = loader.load(paths, landed.known_hash, on_file)  # one commit per dataset
        for result in loaded:
            if result.outcome in (Outcome.LOADED, Outcome.SKIPPED):
                landed.remember(result.path, result.file_hash)
        results += loaded
    landed.save()
    return results


@contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[None]:
    """One writer per warehouse: a second run refuses at once instead of interleaving."""
    lock = FileLock(warehouse / ".lakehouse.lock", timeout=0)
    try:
        warehouse.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise PipelineError(
            "lock",
            f"another lakehouse run is using {warehouse} (lock file {lock.lock_file}); "
            "wait for it to finish",
        ) from None
    except OSError as e:  # read-only folder, a file in the path, a full disk...
        raise PipelineError(
            "lock",
            f"cannot write to {warehouse} ({(e.strerror or str(e)).lower()}): "
            "pass --warehouse a folder you can write",
        ) from None
    try:
        yield
    finally:
        lock.release()


def run(
    raw_dir: Path,
    warehouse: Path,
    on_file: Callable[[FileResult], None] = lambda _: None,
) -> RunReport:
    """Ingest new files, then build and test every model (the unit tests aside, as on
    Glue). Raises PipelineError on failure."""
    report = RunReport()
    with warehouse_lock(warehouse):
        tests_since = report_module.checked_until(warehouse)
        with report.step("ingest"):
            report.files = ingest(raw_dir, warehouse, on_file)
            forget_missing_tables(warehouse)

        dbt_runner.use_warehouse(warehouse)
        with report.step("dbt deps"):
            outcome = dbt_runner.install_packages()
        if not outcome.success:
            raise PipelineError("dbt deps", outcome.exception or "see the dbt log above")

        with dbt_runner.own_engine():
            with report.step("dbt parse"):
                manifest = dbt_runner.parse()
            with report.step("dbt build"), dbt_runner.scheduled_build(tests_since):
                outcome = dbt_runner.invoke(["build", *dbt_runner.SCHEDULED], manifest)
            # the next run's data tests check what changed since this build's tests ran
            checked_at = datetime.fromtimestamp(report.windows["dbt build"][1], UTC)
            for layer, seconds in sorted(outcome.seconds_by_layer.items()):
                report.seconds[f"  {layer}"] = seconds

            if outcome.success:
                with report.step("maintenance"):
                    report.maintained = maintenance.maintain_locally(warehouse)

            # Stale Bronze only warns (severity policy), so freshness never fails the run.
            with report.step("source freshness"):
                dbt_runner.invoke(["source", "freshness"], manifest)

        # The report is written whatever the build's outcome: a failed run needs it most.
        with report.step("quality report"):
            report.quality = report_module.build(
                warehouse,
                report.files,
                report.seconds,
                dbt_runner.TARGET_DIR,
                checked_at,
                tests_since,
            )
            report.report_page = report_module.write(
                warehouse, report.quality, dbt_runner.TARGET_DIR
            )
        if not outcome.success:
            detail = "; ".join(outcome.failures) or outcome.exception or "see the dbt log above"
            hint = f" {outcome.hint}" if outcome.hint else ""
            raise PipelineError("dbt build", f"{detail} (report: {report.report_page}){hint}")
    return report
