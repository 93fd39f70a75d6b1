"""The speed guards of `make bench-quick` (tests/bench/guards.py): what fails a CI run."""

from __future__ import annotations

from tests.bench.guards import breaches, load_slack
from tests.bench.measure import Row, Stats, Target, failed, not_measured


def row(samples, targets, **kw) -> Row:
    return Row("area", "op", Stats(tuple(samples)), targets=targets, **kw)


P95_1MS = (Target("p95", 0.001),)


def test_a_figure_within_three_times_its_target_holds_and_beyond_fails():
    assert breaches(row([0.0005] * 9 + [0.0029], P95_1MS)) == []
    found = breaches(row([0.0005] * 9 + [0.0031], P95_1MS))
    assert len(found) == 1 and "p95 3.1 ms > guard 3 ms" in str(found[0])


def test_the_guard_reads_the_targets_statistic():
    # one slow run in ten: a p95 target sees it, a median target does not
    samples = [0.001] * 9 + [0.050]
    assert breaches(row(samples, (Target("median", 0.001),))) == []
    assert breaches(row(samples, (Target("p95", 0.010),)))


def test_load_stretches_time_limits_but_not_memory():
    assert load_slack(1.5, 2) == 1.0
    assert load_slack(8.0, 2) == 4.0
    slow = row([0.010], (Target("median", 0.001),))
    assert breaches(slow, slack=1.0)
    assert breaches(slow, slack=load_slack(8.0, 2)) == []  # 12 ms allowed
    assert breaches(row([0.013], (Target("median", 0.001),)), slack=4.0)
    tail = row([0.040], P95_1MS)  # a tail stretches by the square: 3 ms x 16
    assert breaches(tail, slack=1.0)
    assert breaches(tail, slack=4.0) == []
    fat = Row("area", "op", Stats((0.1,)), peak_mb=200.0, targets=(Target("memory", 60),))
    assert breaches(fat, slack=4.0)


def test_a_target_set_from_a_floor_is_not_stretched_again():
    startup = row([1.6], (Target("median", 0.5),), extra={"target_from_floor": True})
    assert breaches(startup, slack=4.0)


def test_losing_to_the_baseline_fails():
    lost = row([0.010], (), baseline="LIKE scan", baseline_stats=Stats((0.009,)))
    won = row([0.010], (), baseline="LIKE scan", baseline_stats=Stats((0.020,)))
    assert "below 1" in str(breaches(lost)[0])
    assert breaches(won) == []


def test_a_row_meant_to_be_measured_and_not_fails():
    assert breaches(failed("area", "op", RuntimeError("boom"), P95_1MS))
    assert breaches(not_measured("area", "op", "module missing", P95_1MS))
    assert breaches(not_measured("data", "trainer demo", "--database given")) == []  # nothing to guard
