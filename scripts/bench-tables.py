#!/usr/bin/env python3
"""Markdown tables from a `volunteer-bench` results file (one JSON line per
scenario, as `scripts/bench-compare.sh` writes them), in the shape of
docs/performance.md's issue-14 tables.

    scripts/bench-tables.py results.jsonl [BUILD ...]

With BUILD names (say `before after`), only lines of those builds, by
backend, each in the file's order; by default every line as it comes.
"""
import json
import sys


def num(v, digits=0):
    return f"{v:,.{digits}f}"


def mb(b):
    return f"{b / 1e6:.2f} MB"


def kb_or_mb(b):
    return mb(b) if b >= 1e6 else f"{b / 1e3:.1f} kB"


def table(title, header, rows):
    print(f"#### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    print()


def checks(d, devices):
    return " / ".join(
        num(x)
        for x in [d["expected_unique"], devices, d["lost"], d.get("duplicates", 0), d["pending_left"]]
    )


def main():
    path, builds = sys.argv[1], sys.argv[2:]
    lines = [json.loads(l) for l in open(path) if l.strip()]
    if builds:
        lines = [d for d in lines if d.get("build") in builds]
        backends = {"sqlite": 0, "postgres": 1}
        # Stable: within a backend, the file's order (before, after, ...).
        lines.sort(key=lambda d: backends.get(d["backend"], 2))
    of = lambda s: [d for d in lines if d["scenario"] == s]

    rows = []
    for d in of("initial"):
        n = d["expected_unique"]
        rows.append([
            d["backend"], d.get("build", ""), f'{num(d["volunteers"])} / {num(d["activities"])}', num(n),
            num(d["wall_seconds"], 3), num(d["device_apply_seconds"], 3), d["requests"],
            f'{num(d["bytes_sent"])} / {num(d["bytes_received"])}', round(d["bytes_received"] / n),
            mb(d["device_db_bytes"]), num(d["device_db_bytes"] / n),
            checks(d, d["found_unique_devices"][0]),
        ])
    table("initial", ["backend", "build", "volunteers / activities", "records", "wall s", "device apply s",
                      "requests", "sent / received", "bytes per record", "device db", "db bytes per record",
                      "expected / device / lost / dup / pending"], rows)

    rows = []
    for d in of("checkin-burst"):
        rows.append([
            d["backend"], d.get("build", ""), num(d["wall_seconds"], 2), num(d["server_cpu_seconds"], 2),
            num(d.get("database_cpu_seconds", 0), 2), f'{num(d["converged_seconds"], 2)} ({d["sync_rounds"]})',
            d["requests"], f'{num(d["bytes_sent"])} / {num(d["bytes_received"])}',
            mb(d["bytes_sent"] + d["bytes_received"]),
            f'{d["expected_unique"]:,} / {d["found_unique_server"]:,} / '
            f'{d["found_unique_devices_min"]:,}–{d["found_unique_devices_max"]:,} / '
            f'{d["lost"]} / {d["duplicates"]} / {d["pending_left"]}',
        ])
    table("checkin-burst (20 devices, 250 check-ins each, overlap 0.1)",
          ["backend", "build", "burst wall s", "server CPU s", "PostgreSQL CPU s", "converged s (rounds)",
           "requests", "sent / received", "total on the wire",
           "expected / server / devices min–max / lost / dup / pending"], rows)

    rows = []
    for d in of("hours"):
        if d.get("rounds", 1) > 1:
            continue
        system = d.get("server_system_cpu_seconds")
        rows.append([
            d["backend"], d.get("build", ""), num(d["others"]), num(d["wall_seconds"], 2),
            f'{num(d["server_cpu_seconds"], 2)} ({"–" if system is None else num(system, 2)})',
            num(d.get("database_cpu_seconds", 0), 2), num(d["server_cpu_ms_per_mutation"], 3),
            f'{num(d["p50_sync_seconds"], 3)} / {num(d["p99_sync_seconds"], 3)}',
            f'{num(d["bytes_sent"])} / {num(d["bytes_received"])}',
            f'{d["expected_unique"]:,} / {d["found_unique_server"]:,} / {d["lost"]} / '
            f'{d["duplicates"]} / {d["pending_left"]}',
        ])
    table("hours (1,000 phones, 3 entries each, 50 syncs in flight)",
          ["backend", "build", "others' records", "wall s", "server CPU s (system)", "PostgreSQL CPU s",
           "server CPU ms per pushed mutation", "p50 / p99 sync s", "sent / received",
           "expected / server / lost / dup / pending"], rows)

    # Several rounds: one row per run, the cost at some of its rounds.
    shown = [1, 5, 10, 15, 20, 25]
    runs = {}
    for d in of("hours"):
        if d.get("rounds", 1) > 1:
            runs.setdefault((d["backend"], d.get("build", ""), d["phones"], d["entries"]), []).append(d)
    rows = []
    for (backend, build, phones, entries), ds in runs.items():
        at = {d["round"]: d for d in ds}
        rows.append([backend, build, num(phones)]
                    + [num(at[r]["server_cpu_ms_per_mutation"], 3) if r in at else "–" for r in shown]
                    + [" / ".join(str(sum(d[k] for d in ds)) for k in ["lost", "duplicates", "pending_left"])])
    if rows:
        table("hours over a growing history (more entries per volunteer each round)",
              ["backend", "build", "phones"]
              + [f"ms per mutation, round {r} ({r * next(iter(runs))[3]} entries)" for r in shown]
              + ["lost / dup / pending (all rounds)"], rows)

    rows = []
    for d in of("noop"):
        s, r = d["bytes_sent_per_sync"], d["bytes_received_per_sync"]
        rows.append([
            d["backend"], d.get("build", ""), d["repeat"], num(d["requests_per_sync"], 1),
            f"{num(s)} / {num(r)}", num(s + r), f'{num(d["p50_seconds"] * 1e3, 2)} / {num(d["p99_seconds"] * 1e3, 2)}',
        ])
    table("noop", ["backend", "build", "syncs", "requests per sync", "bytes sent / received per sync",
                   "total per sync", "p50 / p99 ms"], rows)

    rows = []
    for d in of("apply"):
        rows.append([
            d["backend"], d.get("build", ""), num(d["rows_pulled"]), d["requests"], num(d["apply_seconds"], 3),
            num(d["bare_insert_seconds"], 3), num(d["apply_vs_bare"], 2), kb_or_mb(d["bytes_received"]),
            mb(d["device_db_bytes"]), num(d["device_db_bytes"] / d["rows_pulled"]),
        ])
    table("apply", ["backend", "build", "rows pulled", "requests", "device apply s", "bare inserts s",
                    "apply vs bare", "received", "device db", "db bytes per row"], rows)


if __name__ == "__main__":
    main()
