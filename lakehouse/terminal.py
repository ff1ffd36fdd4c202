"""What `lakehouse` prints: progress bars while it works, and summaries when it is done."""

import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lakehouse.bronze.loader import FileResult, Outcome
from lakehouse.local.pipeline import PipelineError, RunReport, raw_files
from lakehouse.local.validate import Validation, Verdict
from lakehouse.warehouse.maintenance import TableOutcome

console = Console()


def end_on_interrupt() -> None:
    """Make Ctrl-C end the process within moments, with exit code 130 and one line.

    The engine in this process (pysail 0.7.2) stops itself on SIGINT while dbt's worker
    threads still query it; their Spark Connect client then retries for about ten minutes, and
    Python's KeyboardInterrupt waits in the main thread until a worker returns. Python's
    own signal handler, which the engine's calls too, writes each signal to a wakeup pipe
    whichever thread it lands on: a thread reading the pipe ends the process. The warehouse
    is left as after a killed run, which the next run completes (Delta commits whole; the
    operating system releases the warehouse's lock).
    """
    reader, writer = os.pipe()
    os.set_blocking(writer, False)
    signal.set_wakeup_fd(writer, warn_on_full_buffer=False)
    signal.signal(signal.SIGINT, lambda *_: None)  # no KeyboardInterrupt: the thread acts

    def wait_for_ctrl_c() -> None:
        while (byte := os.read(reader, 1)) and byte[0] != signal.SIGINT:
            pass
        console.show_cursor(True)  # a progress bar hides it
        console.print("\n[bold red]Interrupted[/]: stopped; run the command again to finish")
        sys.stdout.flush()
        os._exit(128 + signal.SIGINT)

    threading.Thread(target=wait_for_ctrl_c, name="ctrl-c", daemon=True).start()


@contextmanager
def counting(step: str, total: int | None) -> Iterator[Callable[[str], None]]:
    """A progress bar of TOTAL steps (None: unknown); each call advances it and shows what
    was done."""
    with Progress(*_bar(step), console=console, transient=True) as progress:
        task = progress.add_task("", total=total)
        yield lambda done: progress.update(task, advance=1, description=done)


@contextmanager
def stages(step: str, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar over named stages: each call ends the stage shown (printing it) and
    shows the next."""
    columns = (*_bar(step), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("", total=total)

        def on_stage(stage: str) -> None:
            if progress.tasks[task].description:
                progress.advance(task)
                console.print(f"  done: {progress.tasks[task].description}")
            progress.update(task, description=stage)

        yield on_stage


@contextmanager
def file_progress(raw: Path) -> Iterator[Callable[[FileResult], None]]:
    """A progress bar over the raw files, advanced as each one is loaded or skipped."""
    try:
        total = sum(len(files) for files in raw_files(raw.resolve()).values())
    except PipelineError:
        total = None  # the pipeline itself reports the missing folder
    with counting("ingest", total) as advance:
        yield lambda result: advance(f"{result.dataset}/{result.path.name}")


def _bar(step: str) -> tuple:
    return (
        TextColumn(f"[bold]{step}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
    )


def print_files(files: list[FileResult]) -> None:
    counts = {o: sum(1 for f in files if f.outcome == o) for o in Outcome}
    console.print(
        f"[bold]Files[/]: {counts[Outcome.LOADED]} loaded "
        f"({sum(f.rows for f in files)} rows), {counts[Outcome.SKIPPED]} skipped (already loaded), "
        f"{counts[Outcome.EMPTY]} empty, {counts[Outcome.REJECTED]} rejected"
    )
    for f in files:
        if f.outcome == Outcome.REJECTED:
            console.print(f"  [red]rejected[/] {f.path}: {f.detail}")
        elif f.detail and f.outcome == Outcome.LOADED:
            console.print(f"  [yellow]note[/] {f.path}: {f.detail}")


def print_summary(report: RunReport) -> None:
    print_files(report.files)
    rows = Table(title="Rows per layer", title_justify="left")
    for column in ("schema", "table", "rows"):
        rows.add_column(column, justify="right" if column == "rows" else "left")
    for table in report.quality["tables"]:
        rows.add_row(table["schema"], table["table"], f"{table['rows']:,}")
    console.print(rows)
    reasons: Counter[tuple[str, str]] = Counter()
    for q in report.quality["quarantine"]:
        reasons[(q["table"], q["reason"])] += q["rows"]
    if reasons:
        quarantine = Table(title="Quarantined rows per reason", title_justify="left")
        for column in ("table", "reason", "rows"):
            quarantine.add_column(column)
        for (table, reason), count in sorted(reasons.items()):
            quarantine.add_row(table, reason, f"{count:,}")
        console.print(quarantine)
    else:
        console.print("[bold]Quarantine[/]: no rows")
    if report.report_page:
        console.print(f"[bold]Quality report[/]: {report.report_page}")
    timing = Table(title="Time per step", title_justify="left")
    timing.add_column("step")
    timing.add_column("seconds", justify="right")
    for step, seconds in report.seconds.items():
        timing.add_row(step, f"{seconds:.1f}")
    console.print(timing)


def print_maintenance(outcomes: list[TableOutcome]) -> None:
    table = Table(title="Delta maintenance", title_justify="left")
    for column in ("table", "files before", "files after", "files vacuumed", "seconds"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for o in outcomes:
        table.add_row(
            f"{o.schema}.{o.table}",
            *map(str, (o.files_before, o.files_after, o.files_vacuumed)),
            f"{o.seconds:.1f}",
        )
    console.print(table)


def print_validation(validation: Validation) -> None:
    files = Table(title="What a run would do with each file", title_justify="left")
    numbers = ("rows", "to Silver", "superseded", "held back", "quarantined")
    files.add_column("file", overflow="fold")
    files.add_column("Bronze")
    for column in numbers:
        files.add_column(column, justify="right")
    for f in validation.files:
        counts = (f.rows, f.to_silver, f.superseded, f.held_back, sum(f.quarantined.values()))
        style = {"rejected": "red", "skipped": "dim"}.get(f.outcome, "")
        outcome = f"[{style}]{f.outcome}[/]" if style else f.outcome
        shown = [f"{n:,}" for n in counts] if f.outcome == "loaded" else [""] * len(counts)
        files.add_row(f.file, outcome, *shown)
    console.print(files)
    for f in validation.files:
        if f.detail:
            colour = "red" if f.outcome == "rejected" else "yellow"
            console.print(f"  [{colour}]{f.outcome}[/] {f.file}: {f.detail}")
    reasons = Table(title="Rows quarantined per reason", title_justify="left")
    for column in ("file", "reason", "rows"):
        reasons.add_column(column, justify="right" if column == "rows" else "left", overflow="fold")
    for f in validation.files:
        for reason, n in f.quarantined.items():
            reasons.add_row(f.file, reason, f"{n:,}")
    if reasons.rows:
        console.print(reasons)
    if validation.rows:
        rows = Table(title="First rows that would not reach Silver", title_justify="left")
        for column in ("file", "row", "reason", "values as delivered"):
            rows.add_column(column, justify="right" if column == "row" else "left", overflow="fold")
        for r in validation.rows:
            rows.add_row(r.file, str(r.row), r.reason, ",".join(r.values.values()))
        console.print(rows)
    if validation.warehouse is None:
        console.print(
            "[yellow]Compared with an empty warehouse[/]: line items whose order or product "
            "is only in your warehouse show as held back or quarantined (pass --warehouse)."
        )
    meaning = {
        Verdict.LOADS: "[green]every row would load[/]",
        Verdict.FAULTY: "[red]rows would be quarantined or files rejected[/]",
        Verdict.HELD_BACK: "[yellow]only line items waiting for their order would not load[/]",
    }
    console.print(f"[bold]Verdict[/] (exit {validation.verdict}): {meaning[validation.verdict]}")
