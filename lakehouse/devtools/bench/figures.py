"""The benchmark's figures: the target ratios by history length, per-step tables, Markdown
for docs/benchmarks.md, the plot."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

GIB = 2**30
# Steps of the local pipeline that the peer does too: ingestion and `dbt build`, with
# the parse that our pipeline does once before it (the peer's build parses).
COMPARABLE = ("ingest", "dbt parse", "dbt build")
MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")
# The speed targets (docs/benchmarks.md, "Goals").
GOALS = {
    "ours_over_floor": 12.0,  # at most
    "incremental_over_full": 0.15,  # at most
    "ours_over_peer": 1 / 5,  # at most: 5x faster
    "peak_gib": 4.0,  # under
}
# The incremental day's steps drawn by history length: the pipeline's, then dbt's layers
# whose cost could grow with the history.
DAY_STEPS = ("ingest", "dbt build", "maintenance", "dbt silver", "dbt gold", "dbt tests")


def step(steps: list[dict], name: str) -> dict:
    return next((s for s in steps if s["name"] == name), {"seconds": 0.0, "peak_bytes": 0})


def seconds(steps: list[dict], *names: str) -> float:
    return sum(step(steps, n)["seconds"] for n in names)


def peak_gib(steps: list[dict]) -> float:
    return step(steps, "total")["peak_bytes"] / GIB


def line_items(scale: dict) -> int:
    return scale["rows"]["order_items"]


def ratios(results: dict) -> list[dict]:
    """Per history length: ours / floor (whole pipeline), the incremental day / the build
    from scratch, ours / peer (the same work, from scratch and for the day), peaks."""
    rows = []
    for scale in results["scales"]:
        ours = scale["ours"]
        row = {
            "days": scale["days"],
            "line_items": line_items(scale),
            "ours_seconds": seconds(ours, "total"),
            "ours_build_seconds": seconds(ours, *COMPARABLE),
            "floor_seconds": seconds(scale["floor"], "total"),
            "ours_peak_gib": peak_gib(ours),
        }
        row["ours_over_floor"] = row["ours_seconds"] / row["floor_seconds"]
        if "incremental" in scale:
            row["incremental_seconds"] = seconds(scale["incremental"], "total")
            row["incremental_over_full"] = row["incremental_seconds"] / row["ours_seconds"]
            row["incremental_peak_gib"] = peak_gib(scale["incremental"])
        if "peer" in scale:
            row["peer_seconds"] = seconds(scale["peer"], "total")
            row["peer_peak_gib"] = peak_gib(scale["peer"])
            row["ours_over_peer"] = row["ours_build_seconds"] / row["peer_seconds"]
        if "peer_incremental" in scale:
            row["incremental_build_seconds"] = seconds(scale["incremental"], *COMPARABLE)
            row["peer_incremental_seconds"] = seconds(scale["peer_incremental"], "total")
            row["incremental_over_peer"] = (
                row["incremental_build_seconds"] / row["peer_incremental_seconds"]
            )
        rows.append(row)
    return rows


def markdown(results: dict) -> str:
    m = results["machine"]
    packages = ", ".join(f"{n} {v}" for n, v in m["packages"].items())
    end = results.get("finished", "stopped early")
    load_end = _load(m["load_average_end"]) if "load_average_end" in m else "n/a"
    out = [
        f"Run {results['started']} to {end} (UTC) on {m['cpu']}, "
        f"{m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; Python {m['python']}, "
        f"{m['java']}; {packages}. Load average at start {_load(m['load_average_start'])}, "
        f"at end {load_end}.",
    ]
    if "generate" in results:
        g = results["generate"]
        items = g["rows"]["order_items"]
        out += [
            "",
            f"Generated once: {g['days']} days x {g['orders_per_day']:,} orders, "
            f"{items:,} line items in {g['seconds']:.1f} s ({items / g['seconds']:,.0f} "
            "line items/s); each history length lands its first days.",
        ]
    out += ["", *_goals_table(results)]
    if any("incremental" in s for s in results["scales"]):
        out += ["", "One more day by history length, per step (seconds; peak GiB):", ""]
        out += _incremental_table(results["scales"])
    if results["scales"]:
        compared = [s for s in results["scales"] if "peer" in s] or results["scales"]
        largest = max(compared, key=line_items)
        out += ["", f"Per step at {largest['days']} days ({line_items(largest):,} line items):"]
        out += ["", *_steps_table(largest)]
    if "queries" in results:
        out += ["", *_queries_tables(results)]
    return "\n".join(out) + "\n"


def _goals_table(results: dict) -> list[str]:
    out = [
        "| days | line items | ours (s) | floor (s) | ours / floor (goal <= "
        f"{GOALS['ours_over_floor']:.0f}x) | one more day (s) | one more day / full (goal <= "
        f"{GOALS['incremental_over_full']:.0%}) | peer (s) | ours / peer (goal <= "
        f"{GOALS['ours_over_peer']:.2f}x) | peer, one more day (s) | ours / peer, one more day "
        f"| ours peak (GiB, goal < {GOALS['peak_gib']:.0f}) | one more day peak (GiB) "
        "| peer peak (GiB) |",
        "| ---: " * 14 + "|",
    ]
    for r in ratios(results):
        cells = (
            f"{r['days']}",
            f"{r['line_items']:,}",
            f"{r['ours_seconds']:.1f}",
            f"{r['floor_seconds']:.1f}",
            f"{r['ours_over_floor']:.1f}x",
            _f(r, "incremental_seconds", ".1f"),
            _f(r, "incremental_over_full", ".0%"),
            _f(r, "peer_seconds", ".1f"),
            _f(r, "ours_over_peer", ".2f", "x"),
            _f(r, "peer_incremental_seconds", ".1f"),
            _f(r, "incremental_over_peer", ".2f", "x"),
            f"{r['ours_peak_gib']:.2f}",
            _f(r, "incremental_peak_gib", ".2f"),
            _f(r, "peer_peak_gib", ".2f"),
        )
        out.append("| " + " | ".join(cells) + " |")
    return out


def _incremental_table(scales: list[dict]) -> list[str]:
    days = [s for s in scales if "incremental" in s]
    out = [
        "| step | " + " | ".join(f"{s['days']} days" for s in days) + " |",
        "| --- |" + " ---: |" * len(days),
    ]
    for name in _step_names([s["incremental"] for s in days]):
        cells = [
            f"{step(s['incremental'], name)['seconds']:.1f}; "
            f"{step(s['incremental'], name)['peak_bytes'] / GIB:.2f}"
            for s in days
        ]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def _steps_table(scale: dict) -> list[str]:
    rows = sum(scale["rows"].values())
    # rows/s counts the rows a run had to take in: all of them, or the new day's
    new_rows = {"ours": rows, "peer": rows}
    if "incremental" in scale:
        new_rows["incremental"] = sum(scale["incremental_rows"].values()) - rows
        new_rows["peer_incremental"] = new_rows["incremental"]
    present = [c for c in ("ours", "incremental", "peer", "peer_incremental") if c in scale]
    titles = [c.replace("_", " ") for c in present]
    header = "| step | " + " | ".join(f"{c} (s) | {c} rows/s | {c} peak (GiB)" for c in titles)
    out = [header + " |", "| --- |" + " ---: | ---: | ---: |" * len(present)]
    for name in _step_names([scale[c] for c in present]):
        cells = []
        for c in present:
            s = step(scale[c], name)
            speed = f"{new_rows[c] / s['seconds']:,.0f}" if s["seconds"] > 0.05 else ""
            cells.append(f"{s['seconds']:.1f} | {speed} | {s['peak_bytes'] / GIB:.2f}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def _step_names(runs: list[list[dict]]) -> list[str]:
    """The timed steps of all runs, in the order they first appear."""
    names: list[str] = []
    for steps in runs:
        names += [s["name"] for s in steps if "seconds" in s and s["name"] not in names]
    return names


def _queries_tables(results: dict) -> list[str]:
    longest = max(results["scales"], key=line_items)
    out = [
        f"Delta maintenance at {longest['days']} days (median of 5 runs, delta-rs):",
        "",
        "| query | table | files before | files after | seconds before | seconds after |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for q in results["queries"]:
        out.append(
            f"| {q['query']} | {q['table']} | {q['files_before']} | {q['files_after']} "
            f"| {q['seconds_before']:.3f} | {q['seconds_after']:.3f} |"
        )
    rewritten = [
        f"| {t['schema']}.{t['table']} | {t['files_before']} | {t['files_after']} "
        f"| {t['seconds']:.1f} |"
        for t in step(longest["ours"], "maintained").get("tables", [])
        if t["files_before"] != t["files_after"]
    ]
    if not rewritten:
        return [*out, "", "Maintenance after the build from scratch rewrote no table."]
    return [
        *out,
        "",
        "| table | files before | files after | seconds |",
        "| --- | ---: | ---: | ---: |",
        *rewritten,
    ]


def _f(row: dict, key: str, spec: str, suffix: str = "") -> str:
    return f"{row[key]:{spec}}{suffix}" if key in row else "n/a"


def _load(load: list[float]) -> str:
    return " / ".join(f"{x:.1f}" for x in load)


def write_markdown(results: dict, document: Path) -> None:
    """Replace the figures between the bench markers of `document` (or append them)."""
    block = f"{MARKERS[0]}\n{markdown(results)}{MARKERS[1]}"
    text = document.read_text() if document.exists() else ""
    if MARKERS[0] in text:
        head, rest = text.split(MARKERS[0], 1)
        text = head + block + rest.split(MARKERS[1], 1)[1]
    else:
        text += ("\n" if text else "") + block + "\n"
    document.write_text(text)


def plot(results: dict, path: Path) -> None:
    """Time and peak memory of the build from scratch by line items (ours, floor, peer),
    and the incremental day by history length (total and main steps)."""
    rows = ratios(results)
    fig, (time_ax, memory_ax, day_ax) = plt.subplots(1, 3, figsize=(16, 4.6))
    lines = (
        ("ours (Sail + Delta)", "ours_seconds", "ours_peak_gib", "tab:blue", "o-"),
        ("ours: one more day", None, "incremental_peak_gib", "tab:blue", "D--"),
        ("floor (Arrow CSV to Parquet)", "floor_seconds", None, "tab:orange", "o-"),
        ("peer (PySpark JVM + Delta)", "peer_seconds", "peer_peak_gib", "tab:green", "o-"),
    )
    for label, time_key, memory_key, color, style in lines:
        for ax, key in ((time_ax, time_key), (memory_ax, memory_key)):
            drawn = [r for r in rows if key in r]
            if key and drawn:
                items = [r["line_items"] / 1e6 for r in drawn]
                ax.plot(items, [r[key] for r in drawn], style, color=color, label=label)
    time_ax.set(xlabel="line items (millions)", ylabel="seconds", title="Build from scratch")
    memory_ax.axhline(GOALS["peak_gib"], color="grey", linestyle=":", label="goal: 4 GiB")
    memory_ax.set(xlabel="line items (millions)", ylabel="GiB", title="Peak memory")
    days = [s for s in results["scales"] if "incremental" in s]
    history = [s["days"] for s in days]
    day_ax.plot(
        history, [seconds(s["incremental"], "total") for s in days], "o-", color="k", label="total"
    )
    for name in DAY_STEPS:
        style = "s--" if name.startswith("dbt ") and name != "dbt build" else "o-"
        day_ax.plot(history, [seconds(s["incremental"], name) for s in days], style, label=name)
    day_ax.set(xlabel="days of history", ylabel="seconds", title="One more day, by history length")
    for ax in (time_ax, memory_ax, day_ax):
        ax.set_ylim(bottom=0)
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
