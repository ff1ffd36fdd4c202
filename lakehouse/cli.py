"""`lakehouse`: run the local pipeline, or parts of it, from the project root."""

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from lakehouse import terminal
from lakehouse.devtools import generate
from lakehouse.local.pipeline import (
    PipelineError,
    ingest,
    run,
    warehouse_lock,
)
from lakehouse.local.validate import validate
from lakehouse.terminal import console
from lakehouse.transform import dbt_runner, sail_engine
from lakehouse.warehouse import maintenance
from lakehouse.warehouse.tables import UnreadableTable, forget_missing_tables

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)

SAMPLE_DATA = dbt_runner.PROJECT_DIR / "data" / "sample"
RawOption = Annotated[
    Path, typer.Option("--raw", help="Landing folder with products/, orders/, order_items/")
]
WarehouseOption = Annotated[
    Path,
    typer.Option(
        "--warehouse",
        envvar="LAKEHOUSE_WAREHOUSE",
        help="Folder of the Delta tables (WAREHOUSE/<schema>/<table>)",
    ),
]


@app.command("run")
def run_command(raw: RawOption = SAMPLE_DATA, warehouse: WarehouseOption = Path("warehouse")):
    """Load every new raw file into Bronze, then `dbt build` Silver, quarantine and Gold."""
    terminal.end_on_interrupt()
    warehouse = warehouse.resolve()
    with terminal.file_progress(raw) as on_file:
        try:
            report = run(raw.resolve(), warehouse, on_file)
        except (PipelineError, UnreadableTable) as e:
            console.print(f"[bold red]{e}[/]")
            raise typer.Exit(1) from None
    terminal.print_summary(report)


@app.command("ingest")
def ingest_command(raw: RawOption = SAMPLE_DATA, warehouse: WarehouseOption = Path("warehouse")):
    """Load every new raw file into Bronze only."""
    terminal.end_on_interrupt()
    warehouse = warehouse.resolve()
    with terminal.file_progress(raw) as on_file:
        try:
            with warehouse_lock(warehouse):
                files = ingest(raw.resolve(), warehouse, on_file)
        except (PipelineError, UnreadableTable) as e:
            console.print(f"[bold red]{e}[/]")
            raise typer.Exit(1) from None
    terminal.print_files(files)


@app.command("validate")
def validate_command(
    raw: RawOption = SAMPLE_DATA,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            envvar="LAKEHOUSE_WAREHOUSE",
            help="Warehouse a run would load into, only read (default: an empty one)",
        ),
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the report as JSON here")
    ] = None,
    rows: Annotated[int, typer.Option(min=0, help="Rows that would not load to list")] = 20,
):
    """Report what a run would load, quarantine (and why) or reject, per file and row,
    writing nothing to the warehouse. Exit 0: every row would load; 1: a row would be
    quarantined or a file rejected; 3: only line items waiting for their order; 2: no
    verdict (bad arguments, or the validation failed)."""
    terminal.end_on_interrupt()
    with terminal.file_progress(raw) as on_file:
        try:
            with dbt_runner.own_engine():
                validation = validate(
                    raw.resolve(), warehouse.resolve() if warehouse else None, on_file, rows
                )
        except PipelineError as e:
            console.print(f"[bold red]{e}[/]")
            raise typer.Exit(2) from None
    terminal.print_validation(validation)
    if json_path is not None:
        json_path.write_text(validation.to_json())
    raise typer.Exit(validation.verdict)


@app.command("dbt", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def dbt_command(ctx: typer.Context, warehouse: WarehouseOption = Path("warehouse")):
    """Run any dbt command on the warehouse, e.g. `lakehouse dbt test --select silver`."""
    terminal.end_on_interrupt()
    dbt_runner.use_warehouse(warehouse)
    try:
        dbt_runner.check_engine(ctx.args)
        forget_missing_tables(warehouse.resolve())  # as `lakehouse run` does before dbt
    except (dbt_runner.EngineNotRunning, UnreadableTable) as e:
        console.print(f"[bold red]{e}[/]")
        raise typer.Exit(1) from None
    outcome = dbt_runner.install_packages()
    if outcome.success:
        with dbt_runner.own_engine(ctx.args):
            outcome = dbt_runner.invoke(ctx.args)
    if outcome.hint:
        console.print(f"[bold yellow]{outcome.hint}[/]")
    raise typer.Exit(0 if outcome.success else 1)


@app.command("docs")
def docs_command(
    warehouse: WarehouseOption = Path("warehouse"),
    host: Annotated[str, typer.Option(help="Address to serve the site on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve the site on")] = 8080,
    serve: Annotated[bool, typer.Option(help="Serve the site after generating it")] = True,
):
    """Generate the dbt docs site (lineage, columns, tests) from the warehouse and serve it."""
    dbt_runner.use_warehouse(warehouse)
    outcome = dbt_runner.install_packages()
    if outcome.success:
        outcome = dbt_runner.invoke(["docs", "generate"])
    if not outcome.success:
        console.print(f"[bold red]dbt docs generate failed: {outcome.exception or 'see above'}[/]")
        raise typer.Exit(1)
    console.print(f"[bold]Docs site[/]: {dbt_runner.TARGET_DIR / 'index.html'}")
    if serve:
        console.print(f"Serving on http://{host}:{port} (Ctrl-C to stop)")
        dbt_runner.invoke(["docs", "serve", "--host", host, "--port", str(port), "--no-browser"])


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Argument(help="Landing folder to write (products/, orders/, ...)")],
    days: Annotated[int, typer.Option(min=1, help="Days of orders")] = 90,
    orders_per_day: Annotated[int, typer.Option(min=1, help="Orders a day")] = 500,
    start: Annotated[str, typer.Option(help="First order date")] = "2025-04-01",
    seed: Annotated[int, typer.Option(help="Same seed, same files")] = 0,
    products: Annotated[int, typer.Option(min=1, help="Products in the catalogue")] = 1000,
    fault_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Share of rows with a fault the models quarantine")
    ] = 0.0,
    file_format: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
):
    """Write raw files shaped like the bundled sample: DAYS x ORDERS_PER_DAY orders (about
    5.5 line items each)."""
    profile = generate.Profile.from_sample(SAMPLE_DATA)
    with terminal.counting("generate", days) as on_day:
        result = generate.generate(
            out,
            profile,
            days=days,
            orders_per_day=orders_per_day,
            start=dt.date.fromisoformat(start),
            seed=seed,
            products=products,
            fault_rate=fault_rate,
            file_format=file_format,
            on_day=lambda day: on_day(str(day)),
        )
    rows = ", ".join(f"{n:,} {name}" for name, n in result.rows.items())
    faulty = sum(result.faulty_rows.values())
    console.print(f"[bold]Generated[/] {result.files} files in {out}: {rows} ({faulty:,} faulty)")


@app.command("maintain")
def maintain_command(
    warehouse: WarehouseOption = Path("warehouse"),
    target: Annotated[
        str, typer.Option(help="dbt target: local runs delta-rs, others SQL")
    ] = "local",
):
    """Compact, Z-order and vacuum the warehouse's Delta tables (`lakehouse run` does it
    after every build)."""
    dbt_runner.use_warehouse(warehouse)
    if target != "local":
        outcome = dbt_runner.invoke(["run-operation", "maintain_tables", "--target", target])
        raise typer.Exit(0 if outcome.success else 1)
    if (
        not (dbt_runner.TARGET_DIR / "manifest.json").exists()
        and not dbt_runner.invoke(["parse"]).success
    ):
        raise typer.Exit(1)
    with warehouse_lock(warehouse.resolve()):
        outcomes = maintenance.maintain_locally(warehouse.resolve())
    terminal.print_maintenance(outcomes)


@app.command("bench")
def bench_command(
    days: Annotated[
        list[int], typer.Option(min=1, help="A history length to build (repeat the option)")
    ] = [30, 90, 180, 280],  # noqa: B006 (typer reads the default, never mutates it)
    orders_per_day: Annotated[int, typer.Option(min=1, help="Orders a day at every length")] = (
        20_000
    ),
    peer: Annotated[bool, typer.Option(help="Also build with the JVM Spark peer")] = True,
    peer_days: Annotated[
        list[int], typer.Option(help="A history length the peer builds too (repeat the option)")
    ] = [30, 90],  # noqa: B006
    out: Annotated[Path, typer.Option(help="Folder for results.json and bench.png")] = Path(
        "docs/benchmarks"
    ),
    document: Annotated[Path, typer.Option(help="Markdown file to put the figures in")] = Path(
        "docs/benchmarks.md"
    ),
    work: Annotated[
        Path | None, typer.Option(help="Scratch folder (default: a temporary one, removed)")
    ] = None,
    replot: Annotated[
        bool,
        typer.Option(help="Only redraw the figures from OUT/results.json (a run stopped early)"),
    ] = False,
):
    """Generate the longest history once; at each history length build from scratch (ours,
    the floor, the peer at its lengths) and add one more day incrementally; write the
    figures, the plot and the Markdown tables."""
    from lakehouse.devtools.bench import figures
    from lakehouse.devtools.bench import run as bench

    results_file = out / "results.json"
    if replot:
        if not results_file.exists():
            console.print(f"[red]No {results_file} to redraw the figures from[/]")
            raise typer.Exit(1)
        results = json.loads(results_file.read_text())
    else:
        try:
            plan = bench.Plan(tuple(days), orders_per_day, tuple(peer_days) if peer else ())
        except ValueError as e:
            raise typer.BadParameter(str(e), param_hint="--peer-days") from e
        if work is not None:
            work.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.TemporaryDirectory(prefix="lakehouse-bench-", dir=work) as scratch,
            terminal.stages("bench", plan.stages() + 1) as on_stage,
        ):
            out.mkdir(parents=True, exist_ok=True)
            results = bench.run(plan, Path(scratch), SAMPLE_DATA, results_file, on_stage)
            on_stage("write the figures")
        results_file.write_text(json.dumps(results, indent=2))
    figures.plot(results, out / "bench.png")
    figures.write_markdown(results, document)
    console.print(figures.markdown(results))
    console.print(f"[bold]Figures[/]: {results_file}, {out / 'bench.png'}, {document}")


@app.command("engine")
def engine_command(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 50051,
):
    """Keep a Sail engine running for `dbt ... --target engine` and other Spark Connect
    clients (Ctrl-C stops it). Plain `dbt` does not need it: it starts its own."""
    console.print(f"Sail engine listening on sc://{host}:{port} (Ctrl-C to stop)")
    sail_engine.serve(host, port)
