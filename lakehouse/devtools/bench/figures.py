"""The benchmark's figures: ratios, per-step table, Markdown for docs/benchmarks.md, the plot."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

GIB = 2**30
# Steps of the local pipeline that the peer does too: ingestion and `dbt build`.
COMPARABLE = ("ingest", "dbt build")
MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")


def step(steps: list[dict], name: str) -> dict:
    return next((s for s in steps if s["name"] == name), {"seconds": 0.0, "peak_bytes": 0})


def seconds(steps: list[dict], *names: str) -> float:
    return sum(step(steps, n)["seconds"] for n in names)


def line_items(scale: dict) -> int:
    return scale["rows"]["order_items"]


def ratios(results: dict) -> list[dict]:
    """Per scale: ours / floor (whole pipeline), ours / peer (the same work), peaks."""
    rows = []
    for scale in results["scales"]:
        ours = scale["ours"]
        row = {
            "line_items": line_items(scale),
            "ours_seconds": seconds(ours, "total"),
            "ours_build_seconds": seconds(ours, *COMPARABLE),
            "floor_seconds": seconds(scale["floor"], "total"),
            "ours_peak_gib": step(ours, "total")["peak_bytes"] / GIB,
        }
        row["ours_over_floor"] = row["ours_seconds"] / row["floor_seconds"]
        if "peer" in scale:
            row["peer_seconds"] = seconds(scale["peer"], "total")
            row["peer_peak_gib"] = step(scale["peer"], "total")["peak_bytes"] / GIB
            row["ours_over_peer"] = row["ours_build_seconds"] / row["peer_seconds"]
        if "incremental" in scale:
            row["incremental_seconds"] = seconds(scale["incremental"], "total")
            row["incremental_over_full"] = row["incremental_seconds"] / row["ours_seconds"]
        if "peer_incremental" in scale:
            # the same comparison as for the full build, on the day added incrementally
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
    out = [
        f"Run {results['started']} to {results['finished']} (UTC) on {m['cpu']}, "
        f"{m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; Python {m['python']}, "
        f"{m['java']}; {packages}. Load average at start {_load(m['load_average_start'])}, "
        f"at end {_load(m['load_average_end'])}.",
        "",
        "| line items | ours (s) | floor (s) | peer (s) | ours / floor | ours / peer "
        "| incremental / full | ours peak (GiB) | peer peak (GiB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in ratios(results):
        out.append(
            f"| {r['line_items']:,} | {r['ours_seconds']:.1f} | {r['floor_seconds']:.1f} "
            f"| {_f(r, 'peer_seconds', '.1f')} | {r['ours_over_floor']:.1f}x "
            f"| {_f(r, 'ours_over_peer', '.2f', 'x')} | {_f(r, 'incremental_over_full', '.0%')} "
            f"| {r['ours_peak_gib']:.2f} | {_f(r, 'peer_peak_gib', '.2f')} |"
        )
    for r in ratios(results):
        if "incremental_over_peer" in r:
            out += [
                "",
                f"One more day on {r['line_items']:,} line items: ours "
                f"{r['incremental_seconds']:.1f} s in all, ingest + `dbt build` "
                f"{r['incremental_build_seconds']:.1f} s; peer "
                f"{r['peer_incremental_seconds']:.1f} s (JVM start, ingest, `dbt build`); "
                "ours / peer "
                f"{r['incremental_over_peer']:.2f}x.",
            ]
    largest = max(results["scales"], key=line_items)
    out += ["", f"Per step at {line_items(largest):,} line items:", ""]
    out += _steps_table(largest)
    if "queries" in results:
        out += ["", "Delta maintenance at the same scale (median of 5 runs, delta-rs):", ""]
        out += [
            "| query | table | files before | files after | seconds before | seconds after |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for q in results["queries"]:
            out.append(
                f"| {q['query']} | {q['table']} | {q['files_before']} | {q['files_after']} "
                f"| {q['seconds_before']:.3f} | {q['seconds_after']:.3f} |"
            )
        maintained = step(largest["ours"], "maintained").get("tables", [])
        changed = [t for t in maintained if t["files_before"] != t["files_after"]]
        out += [
            "",
            "| table | files before | files after | seconds |",
            "| --- | ---: | ---: | ---: |",
        ]
        for t in changed:
            out.append(
                f"| {t['schema']}.{t['table']} | {t['files_before']} | {t['files_after']} "
                f"| {t['seconds']:.1f} |"
            )
    return "\n".join(out) + "\n"


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
    names: list[str] = []
    for c in present:
        names += [s["name"] for s in scale[c] if "seconds" in s and s["name"] not in names]
    for name in names:
        cells = []
        for c in present:
            s = step(scale[c], name)
            speed = f"{new_rows[c] / s['seconds']:,.0f}" if s["seconds"] > 0.05 else ""
            cells.append(f"{s['seconds']:.1f} | {speed} | {s['peak_bytes'] / GIB:.2f}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


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
    rows = ratios(results)
    items = [r["line_items"] / 1e6 for r in rows]
    fig, (time_ax, memory_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    lines = (
        ("ours (Sail + Delta)", "ours_seconds", "ours_peak_gib", "tab:blue"),
        ("floor (Arrow CSV to Parquet)", "floor_seconds", None, "tab:orange"),
        ("peer (PySpark JVM + Delta)", "peer_seconds", "peer_peak_gib", "tab:green"),
    )
    for label, time_key, memory_key, color in lines:
        if all(time_key in r for r in rows):
            time_ax.plot(items, [r[time_key] for r in rows], "o-", color=color, label=label)
        if memory_key and all(memory_key in r for r in rows):
            memory_ax.plot(items, [r[memory_key] for r in rows], "o-", color=color, label=label)
    days = (
        ("ours: one more day, incremental", "incremental_seconds", "tab:blue"),
        ("peer: one more day, incremental", "peer_incremental_seconds", "tab:green"),
    )
    for r in rows:
        for label, key, color in days:
            if key in r:
                time_ax.plot(
                    [r["line_items"] / 1e6],
                    [r[key]],
                    "D",
                    color=color,
                    markerfacecolor="white",
                    label=label,
                )
    time_ax.set(xlabel="line items (millions)", ylabel="seconds", title="Time")
    time_ax.legend()
    memory_ax.axhline(4, color="grey", linestyle="--", label="goal: 4 GiB")
    memory_ax.set(xlabel="line items (millions)", ylabel="GiB", title="Peak memory")
    memory_ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
