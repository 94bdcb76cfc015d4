"""The Markdown of scripts/bench: one table with both shapes beside the peer
and the floor, then the goals of issue 22 judged on the same run."""

import os
import platform

from tests.bench.scrape_cost import COMM


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"nproc {os.cpu_count()}, {model}, kernel {platform.release()}"


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def ms(seconds):
    return f"{seconds * 1000:.2f}"


HEADER = ("| shape | N | who | p50 ms | p99 ms | p50 / floor | CPU ms / scrape "
          "| CPU / floor CPU | p50 vs peer | kept-alive p50 ms | idle RSS "
          "| RSS after | VmHWM | bytes / scrape | series | sampler CPU |")


def rows(r):
    out = []
    peer = r.get("peer")
    for who, label in (("ours", "memwatch_exporter"),
                       ("peer", "process-exporter")):
        x = r.get(who)
        if x is None:
            continue
        kept, reconnects = x["kept"]
        out.append(
            f"| {r['shape']} | {r['n']} | {label} | {ms(x['p50'])} | "
            f"{ms(x['p99'])} | {x['p50'] / r['floor_p50']:.2f} | "
            f"{ms(x['cpu'])} | {x['cpu'] / r['floor_cpu']:.2f} | "
            + (f"{x['p50'] / peer['p50']:.2f}" if peer else "–")
            + f" | {ms(kept)}"
            + (f" ({reconnects} reconnects)" if reconnects else "")
            + f" | {x['idle_rss']:.1f} | {x['rss']:.1f} | {x['hwm']:.1f} | "
            f"{x['bytes']} | {x['series']} | "
            + (f"{r['sampler'] * 100:.2f} %" if who == "ours" else "–")
            + " |")
    out.append(f"| {r['shape']} | {r['n']} | floor (C) | {ms(r['floor_p50'])} "
               f"| | 1.00 | {ms(r['floor_cpu'])} | 1.00 | | | | | | | | |")
    return out


def find(results, shape, n):
    for r in results:
        if r["shape"] == shape and r["n"] == n:
            return r
    return None


def goal_rows(results):
    """(goal, figure, met) rows for the figures this run has."""
    out = []
    ratio = []
    for shape, n in (("targets", 100), ("targets", 1000), ("group", 1000)):
        r = find(results, shape, n)
        if r:
            ratio.append((f"{n} {'targets' if shape == 'targets' else 'in one group'}",
                          r["ours"]["p50"] / r["floor_p50"],
                          r["ours"]["cpu"] / r["floor_cpu"]))
    if ratio:
        out.append(("scrape p50 ≤ 1.3 × the floor at 100 and 1000 targets and at "
                    "1000 processes in one group",
                    "; ".join(f"{w}: p50 {a:.2f}, CPU {c:.2f}" for w, a, c in ratio),
                    all(a <= 1.3 for _, a, _ in ratio)))
    per = [(r["n"], r["ours"]["cpu"] / r["n"] * 1e6, r["ours"]["p50"] / r["n"] * 1e6)
           for r in results if r["shape"] == "targets" and r["n"] >= 100]
    if len(per) >= 2:
        spread = max(c for _, c, _ in per) / min(c for _, c, _ in per)
        out.append(("cost linear up to 5000 targets",
                    ", ".join(f"{n}: {c:.0f} µs CPU and {w:.0f} µs p50 per target"
                              for n, c, w in per)
                    + f" (CPU per target within {spread:.2f}×)",
                    spread <= 1.5))
    r = find(results, "targets", 1000)
    if r:
        peer = r.get("peer")
        out.append(("RSS ≤ 14 MB with 1000 targets after the scrapes (half the peer's)",
                    f"{r['ours']['rss']:.1f} MiB after {r['ours']['hwm']:.1f} MiB "
                    f"peak" + (f"; peer {peer['rss']:.1f} MiB" if peer else ""),
                    r["ours"]["rss"] <= 14))
        out.append(("series per target: only what a user reads",
                    f"{r['ours']['series'] / r['n']:.1f} per target"
                    + (f" (peer {peer['series'] / r['n']:.1f})" if peer else ""),
                    None))
        out.append(("the sampler at 1000 targets ≤ 1 % of a core",
                    f"{r['sampler'] * 100:.2f} %", r["sampler"] <= 0.01))
    r = find(results, "group", 1)
    if r:
        out.append(("RSS ≤ 8 MB idle with the default collectors (one target)",
                    f"{r['ours']['idle_rss']:.1f} MiB", r["ours"]["idle_rss"] <= 8))
    return out


def render(results, args, started, peer_version, machine_info, load_start,
           load_end, notes):
    lines = [
        "# Benchmarks: memwatch_exporter vs prometheus-process-exporter",
        "",
        f"Written by `scripts/bench` on {started} UTC (`{args.command}`). "
        f"Machine: {machine_info}, load average {load_start} at the start, "
        f"{load_end} at the end.",
        "",
        f"Peer: Debian `prometheus-process-exporter` {peer_version} with "
        "`-threads=false -gather-smaps=false -children=false`. Ours: the "
        "optimized build, default collectors and flags. N idle processes "
        f"(`sleep` copied as `{COMM}`), in two shapes:",
        "",
        "- **group**: the N processes as one target (ours "
        f"`--match=name=bench,comm={COMM}`, the peer `-procnames {COMM}`);",
        "- **targets**: each process its own target (ours one `--pid` each, "
        "the peer one group per pid with the name template "
        "`{{.Comm}}-{{.PID}}`).",
        "",
        f"{args.scrapes} rounds per row; a round is one pass of the floor, one "
        "scrape of ours and one of the peer, each on a new connection (time = "
        "connect to last body byte, from Python), so the three share the "
        "load of the moment. **Floor**: `tests/bench/floor.c`, a C program "
        "doing the reads an exporter of these processes cannot avoid (`stat`, "
        "`status`, `io`, `limits`, `cgroup` and the `fd/` listing of each "
        "process; for the group, the `/proc` scan first). CPU ms / scrape: "
        "the exporter's CPU seconds (`/proc/<pid>/stat`) over the rounds, per "
        "scrape; floor CPU: `getrusage` per pass. RSS in MiB (VmRSS): idle = "
        "before the first timed scrape, after = after the rounds; VmHWM = the "
        "peak. Kept-alive p50: as many scrapes again over one kept-alive "
        "connection. Sampler: our CPU over "
        f"{args.sampler_seconds:g} s without scrapes, as a share of one core. "
        f"The peer is left out above N = {args.peer_max}.",
        "",
        HEADER,
        "|" + "---|" * (HEADER.count("|") - 1),
    ]
    for r in results:
        lines.extend(rows(r))
    lines += ["", "## Goals of issue 22 on this run", "",
              "| goal | figure | met? |", "|---|---|---|"]
    for goal, figure, met in goal_rows(results):
        lines.append(f"| {goal} | {figure} | "
                     + ("–" if met is None else ("yes" if met else "**no**"))
                     + " |")
    lines.append("")
    if notes:
        lines.append(notes.rstrip() + "\n")
    return "\n".join(lines)
