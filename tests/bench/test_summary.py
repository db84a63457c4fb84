"""bench/summary.py: a run's JSON becomes rows beside their baselines, with goals met or not.

No benchmark runs here: the figures are written out as a script would record them.
"""

from __future__ import annotations

from bench.summary import END, START, render, rows, splice


def hot_paths(cached_rps: float, post_rps: float, post_p99: float) -> dict:
    return {"connections": 64, "seconds": 3, "endpoints": {
        "bare GET /hello": {"rps": 10_000, "p50": 5, "p99": 10},
        "bare POST /hello (JSON body)": {"rps": 8_000, "p50": 6, "p99": 20},
        "GET /api/v1/chapters/15 (read cache on)": {"rps": cached_rps, "p50": 20, "p99": 90},
        "GET /api/v1/chapters/15 (read cache off)": {"rps": 600, "p50": 80, "p99": 300},
        "POST /api/v1/generations": {"rps": post_rps, "p50": 20, "p99": post_p99}}}


def by_goal(table):
    return {(r.figure, r.goal): r for r in table}


def test_hot_paths_ratios_use_the_bare_endpoint_of_the_same_method_and_judge_each_goal():
    table = by_goal(rows("hot_paths", hot_paths(cached_rps=7_500, post_rps=3_600, post_p99=30)))
    cached = table[("GET /api/v1/chapters/15 (read cache on)", "≥ 0.7× bare (#11)")]
    assert cached.ratio == "0.75×" and cached.verdict == "met" and "bare GET" in cached.baseline
    issue = table[("POST /api/v1/generations", "≥ 0.4× bare, p99 ≤ 40 ms (#11)")]
    product = table[("POST /api/v1/generations", "≥ 0.5× bare, p99 ≤ 25 ms (PRODUCT)")]
    assert issue.ratio == "0.45×" and issue.verdict == "met"
    assert product.verdict == "**not met**"  # 0.45× and 30 ms miss both of PRODUCT's bounds
    uncached = table[("GET /api/v1/chapters/15 (read cache off)", "—")]
    assert uncached.verdict == "—" and uncached.ratio == "0.06×"


def test_a_goal_missed_on_latency_alone_is_not_met():
    table = by_goal(rows("hot_paths", hot_paths(cached_rps=7_500, post_rps=4_000, post_p99=41)))
    assert table[("POST /api/v1/generations", "≥ 0.4× bare, p99 ≤ 40 ms (#11)")].verdict == "**not met**"


def test_dashboards_below_the_goals_size_say_so_beside_the_verdict():
    figures = {"events": 1_000_000, "ours": {"daily-active": 20.0, "events-by-type": 100.0},
               "buckets": {"daily-active": 200.0},
               "postgres": {"daily-active": 300.0, "events-by-type": 300.0}}
    table = {r.figure: r for r in rows("events_dashboards", figures)}
    assert table["daily-active"].verdict == "met (at 1,000,000 events, goal at 10 M)"
    assert table["events-by-type"].verdict.startswith("**not met**")  # 3× PG, goal 10×
    assert "date=/bucket: 200.0 ms" in table["daily-active"].baseline


def test_ai_reports_are_judged_like_the_dashboards():
    figures = {"attempts": 10_000_000, "ours": {"ai-cost": 120.0, "job-latency": 160.0},
               "postgres": {"ai-cost": 2400.0, "job-latency": 9000.0}}
    table = {r.figure: r for r in rows("ai_reports", figures)}
    assert table["ai-cost"].verdict == "met"
    assert table["job-latency"].verdict.startswith("**not met**")  # 56x PG, but over 150 ms
    assert table["ai-cost"].ratio == "PG / ours 20×"


def test_load_counts_429_as_a_limit_but_a_5xx_or_transport_error_as_a_miss():
    figures = {"students": 50, "seconds": 30, "events_accepted": 100, "events_counted": 99,
               "jobs": {"succeeded": 10, "queued": 1},
               "endpoints": {
                   "GET /curriculum": {"requests": 10, "errors": 1, "error_kinds": {"429": 1},
                                       "p50": 1, "p95": 2, "p99": 3},
                   "POST /events": {"requests": 10, "errors": 2, "error_kinds": {"503": 1, "ReadTimeout": 1},
                                    "p50": 1, "p95": 2, "p99": 3}}}
    table = {r.figure: r for r in rows("load_students", figures)}
    assert table["50 students × 30 s: GET /curriculum"].verdict == "met"
    events = table["50 students × 30 s: POST /events"]
    assert events.verdict == "**not met**" and "503 ×1, ReadTimeout ×1" in events.value
    assert table["generation jobs"].verdict == "**not met**"  # one left queued
    assert table["events counted by the dashboard after the flush"].verdict == "**not met**"


def test_a_script_whose_output_changed_shape_gets_a_row_saying_so():
    [row] = rows("events_flush", {"events": 10})
    assert row.value.startswith("could not be read: KeyError")


def run(benches):
    return {"command": "uv run python -m bench.run_all --quick", "profile": "quick",
            "started": "2026-11-26 00:00 UTC", "commit": "abc1234", "machine": "2 cores",
            "load_start": [1.5, 1.0, 0.5], "load_end": [2.0, 1.5, 1.0], "wall": 600, "benches": benches}


def bench(name, figures, status="ok"):
    return {"bench": name, "command": f"uv run python -m bench.{name}", "status": status, "wall": 30,
            "load_mean": 1.8, "load_max": 2.4, "figures": figures}


def test_render_counts_goals_lists_commands_and_load_and_marks_a_failed_benchmark():
    text = render(run([
        bench("events_ingest", {"seconds": 3, "healthz_rps": 3_000, "events_per_s": 25_000,
                                "xadd_events_per_s": 800_000}),
        bench("events_flush", {"events": 200_000, "ours": {"events_per_s": 150_000, "peak_mb": 80},
                               "baseline": {"events_per_s": 90_000, "peak_mb": 60}}),
        bench("ops_middleware", None, status="exit 1, see bench/out/x/ops_middleware.log"),
    ]))
    assert "**Goals met: 1 of 2.** **Did not finish: ops_middleware.**" in text
    assert "| events_ingest | POST /events, batches of 100, one API process | 25,000 events/s |" in text
    assert "| events_flush | Redis → Parquet flush, 200,000 events | 150,000 events/s |" in text
    assert "did not finish: exit 1" in text and "**not run**" in text
    assert "`uv run python -m bench.events_flush` | 30 s | 1.80 / 2.40 |" in text
    assert "Load average (1 min) 1.50 at the start" in text and "commit abc1234" in text


def test_splice_replaces_only_the_generated_block_and_keeps_the_analysis():
    doc = "# Benchmarks\n\nIntro.\n\n## Enqueue path\nHand-written analysis.\n"
    once = splice(doc, "first summary\n")
    assert once.index(START) < once.index("first summary") < once.index(END) < once.index("## Enqueue path")
    twice = splice(once, "second summary\n")
    assert "first summary" not in twice and "second summary" in twice
    assert twice.count(START) == 1 and twice.endswith("## Enqueue path\nHand-written analysis.\n")
    assert twice.startswith("# Benchmarks\n\nIntro.\n\n")


def test_ai_chain_is_judged_against_its_floor_measured_in_the_same_run():
    def scenario(drain):
        return {"drain": drain, "cpu_ms_per_job": 20.0, "in_flight": 256, "rss": 300, "failed": 0}

    figures = {"jobs": 1000, "latency": 1.0, "scenarios": {
        "baseline: offline": scenario(20.0), "healthy: Gemini primary": scenario(21.0),
        "failing: Gemini 503": scenario(31.0), "floor: the required parts alone": scenario(20.0)}}
    table = by_goal(rows("ai_chain", figures))
    healthy = table[("1,000 jobs, healthy: Gemini primary", "≤ 1.5× the floor (#3 note)")]
    failing = table[("1,000 jobs, failing: Gemini 503", "≤ 1.5× the floor (#3 note)")]
    assert healthy.ratio == "1.05×" and healthy.verdict == "met"
    assert failing.verdict == "**not met**"  # 1.55× the floor
    assert table[("1,000 jobs, healthy: Gemini primary", "drain ≤ 6 s (#3)")].verdict == "**not met**"
