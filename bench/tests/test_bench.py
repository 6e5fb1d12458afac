"""The benchmarks still run: each on a tiny size, so a refactor of the apps they drive cannot leave
a ``make bench-*`` target broken until someone next measures."""

import json
import random

import pytest


def test_similarity_bench_prints_one_json_line_per_measure(capsys):
    from bench import similarity

    similarity.main(["--n", "60", "--queries", "2", "--pairs-n", "20"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["measure"] for line in lines] == [
        "build_index",
        "query_median",
        "query_max",
        "duplicates_within",
    ]


@pytest.mark.django_db
def test_rhythm_bench_runs_every_rule_and_rolls_back():
    from bench import rhythm
    from notifications.models import Email
    from programmes.models import Programme

    result = rhythm.run(20)
    assert result["pairs"] == 20
    assert result["by_rule"]["checkin-due"] > 0
    assert result["by_rule"]["checkin-nudge"] > 0  # a tenth are silent
    assert not Programme.objects.exists() and not Email.objects.exists()


def test_rhythm_bench_summary_says_whether_queries_per_batch_are_constant():
    from bench import rhythm

    def size(pairs, queries, seconds=1.0):
        line = {"pairs": pairs, "batches": -(-pairs // 500), "queries": queries}
        if pairs == rhythm.TARGET_PAIRS:
            line |= {"seconds": seconds, "met": seconds < 60}
        return line

    summary = rhythm.per_batch([size(1000, 37), size(5000, 117), size(20000, 417, 44.0)])
    assert summary["queries_per_batch"] == [10.0, 10.0] and summary["queries_fixed"] == 17
    assert summary["queries_per_batch_constant"] and summary["met"]
    growing = rhythm.per_batch([size(1000, 37), size(5000, 117), size(20000, 480, 44.0)])
    assert not growing["queries_per_batch_constant"] and not growing["met"]
    assert not rhythm.per_batch([size(1000, 37), size(5000, 117), size(20000, 417, 61.0)])["met"]


@pytest.mark.django_db
def test_dashboard_bench_builds_a_programme_and_times_every_page():
    from bench import dashboard

    info = dashboard.build(pairs=100, checkins=100, answers=100, rng=random.Random(1))
    assert info["pairs"] == 100 and info["cohorts"] == dashboard.COHORTS
    lines = list(dashboard.measure(info, repeat=1))
    assert {line["page"] for line in lines} == {
        "cohort_running",
        "cohort_finished",
        "programme",
        "trivial_page",
    }
    assert all(line["queries"] > 0 for line in lines)


@pytest.mark.django_db
def test_api_bench_times_every_list_over_the_dashboard_data(settings):
    from bench import api, dashboard

    settings.API_RATE_LIMIT_PER_MINUTE = 10**9
    info = dashboard.build(pairs=100, checkins=100, answers=100, rng=random.Random(1))
    lines = list(api.measure(info, repeat=1))
    assert lines and all(line["p95_ms"] >= line["p50_ms"] > 0 for line in lines if "p50_ms" in line)
    assert any(line["endpoint"].endswith("csv") for line in lines if "endpoint" in line)
