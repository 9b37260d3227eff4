#!/usr/bin/env bash
# report --compare and report power against SciPy, on a store the real runner wrote: the
# per-seed values come straight from the store (sqlite3), SciPy computes every test from
# them, and report's JSON must agree to 1e-9. Welch (t, df, p, CI), Mann-Whitney U, the
# paired t test, Holm's adjustment (a hand loop: SciPy 1.10 has none), P(B better)
# (1 - U / (m n)), the pooled McNemar test from the per-seed counts, the power analysis
# (non-central t); the bootstrap is checked for what can be checked across random number
# generators: the same seed gives the same interval, another seed another, the count shown.
# SKIPPED without python3-scipy (ABLATE_TEST_PACKAGES in tools/lib/setup.sh).
# usage: report_stats_scipy.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"

# Debian's python3-scipy lives in /usr/bin/python3's path; a python3 of one's own (pyenv)
# may come first on PATH and lack it.
PYTHON=""
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c "import scipy.stats, scipy.optimize" 2>/dev/null; then
    PYTHON=$candidate
    break
  fi
done
[[ -n $PYTHON ]] || skip "no python3 with SciPy (apt-get install python3-scipy)"

write_synthetic_experiment grid.yaml
expect_exit 0 run.log -- "$RUNNER" grid.yaml --db runs.db "seeds=[0, 1, 2, 3]" dataset.test=64
expect_exit 0 compare.json -- "$REPORT" --db runs.db --compare baseline narrow \
  --metric test.accuracy test.f1_macro test.loss --format json
expect_exit 0 power.json -- "$REPORT" --db runs.db power baseline narrow \
  --metric test.accuracy test.f1_macro --delta 0.01 0.05 --format json
for metric in accuracy f1_macro loss; do
  for arm in baseline narrow; do
    sql runs.db "SELECT r.seed || ' ' || m.value FROM runs r JOIN metrics m ON m.run_id = r.id
                 WHERE r.arm = '$arm' AND r.status = 'finished' AND m.split = 'test' AND m.name = '$metric'
                 ORDER BY r.seed" >"$arm.$metric.txt"
  done
done

"$PYTHON" - <<'PY'
import json
import math
import sys
import warnings

import numpy as np
from scipy import optimize, stats

TOLERANCE = 1e-9
failures = []
# brentq probes non-centralities near 0, where SciPy's nct warns; the values are fine.
warnings.simplefilter("ignore", RuntimeWarning)


def check(what, actual, expected):
    if actual is None or expected is None or not math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
        failures.append(f"{what}: report {actual!r}, SciPy {expected!r}")


def values(arm, metric):
    rows = [line.split() for line in open(f"{arm}.{metric}.txt")]
    return [int(seed) for seed, _ in rows], [float(value) for _, value in rows]


def holm(p):
    order = sorted((value, i) for i, value in enumerate(p))
    adjusted, running = [None] * len(p), 0.0
    for rank, (value, i) in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * value))
        adjusted[i] = running
    return adjusted


comparison = json.load(open("compare.json"))
rows = comparison["rows"]
if [row["metric"] for row in rows] != ["test.accuracy", "test.f1_macro", "test.loss"]:
    sys.exit(f"unexpected rows: {[row['metric'] for row in rows]}")
welch_p, mann_whitney_p, paired_p = [], [], []
for row in rows:
    metric = row["metric"].split(".", 1)[1]
    seeds_a, a = values("baseline", metric)
    seeds_b, b = values("narrow", metric)
    name = row["metric"]
    check(f"{name} mean a", row["a"]["mean"], np.mean(a))
    check(f"{name} sd b", row["b"]["sd"], np.std(b, ddof=1))
    welch = stats.ttest_ind(b, a, equal_var=False)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    difference = np.mean(b) - np.mean(a)
    check(f"{name} Welch t", row["welch"]["t"], welch.statistic)
    check(f"{name} Welch df", row["welch"]["df"], df)
    check(f"{name} Welch p", row["welch"]["p"], welch.pvalue)
    check(f"{name} CI low", row["ci95"][0], difference - half)
    check(f"{name} CI high", row["ci95"][1], difference + half)
    ties = len(set(a + b)) < len(a + b)
    mw = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic" if ties else "exact")
    check(f"{name} U", row["mann_whitney"]["u"], mw.statistic)
    check(f"{name} U p", row["mann_whitney"]["p"], mw.pvalue)
    assert seeds_a == seeds_b, "the arms ran different seeds"
    paired = stats.ttest_rel(b, a)
    check(f"{name} paired t", row["paired"]["t"], paired.statistic)
    check(f"{name} paired p", row["paired"]["p"], paired.pvalue)
    # P(B better): for a loss, lower is better, so count b < a.
    u_b_beats = stats.mannwhitneyu(b, a).statistic if metric != "loss" else stats.mannwhitneyu(a, b).statistic
    check(f"{name} P(B better)", row["bootstrap"]["probability_b_better"], u_b_beats / (len(a) * len(b)))
    welch_p.append(welch.pvalue)
    mann_whitney_p.append(mw.pvalue)
    paired_p.append(paired.pvalue)
    # The pooled McNemar test from the per-seed counts report shows beside it.
    seeds = row["mcnemar_per_seed"]
    if metric == "accuracy":
        if len(seeds) != len(seeds_a):
            failures.append(f"{name}: McNemar for {len(seeds)} of {len(seeds_a)} seeds")
        b_count = sum(seed["b"] for seed in seeds)
        c_count = sum(seed["c"] for seed in seeds)
        pooled = row["mcnemar_pooled"]
        if (pooled["b"], pooled["c"]) != (b_count, c_count):
            failures.append(f"pooled McNemar counts {pooled['b']}/{pooled['c']}, seeds sum to {b_count}/{c_count}")
        if b_count + c_count < 25:
            expected = min(1.0, 2 * stats.binom.cdf(min(b_count, c_count), b_count + c_count, 0.5))
        else:
            expected = stats.chi2.sf((abs(b_count - c_count) - 1) ** 2 / (b_count + c_count), 1)
        check("pooled McNemar p", pooled["p"], expected)
        disagree = any(s["b"] > s["c"] for s in seeds) and any(s["c"] > s["b"] for s in seeds)
        if pooled["directions_disagree"] != disagree:
            failures.append(f"directions_disagree {pooled['directions_disagree']}, expected {disagree}")
    elif seeds:
        failures.append(f"{name}: McNemar on a metric other than accuracy")

if comparison["holm_family"] != 3:
    failures.append(f"holm_family {comparison['holm_family']}, expected 3")
for test, raw in (("welch", welch_p), ("mann_whitney", mann_whitney_p), ("paired", paired_p)):
    for row, expected in zip(rows, holm(raw)):
        check(f"{row['metric']} {test} Holm p", row[test]["p_holm"], expected)


def power(delta, sd, n_a, n_b, alpha=0.05):
    df = n_a + n_b - 2
    critical = stats.t.ppf(1 - alpha / 2, df)
    nc = abs(delta) / (sd * math.sqrt(1 / n_a + 1 / n_b))
    return stats.nct.sf(critical, df, nc) + stats.nct.cdf(-critical, df, nc)


def seeds_for(delta, sd):
    n = 2
    while power(delta, sd, n, n) < 0.8:
        n += 1
        if n > 100000:
            return None
    return n


analysis = json.load(open("power.json"))
for row in analysis["rows"]:
    metric = row["metric"].split(".", 1)[1]
    _, a = values("baseline", metric)
    _, b = values("narrow", metric)
    n_a, n_b = len(a), len(b)
    sd = math.sqrt(((n_a - 1) * np.var(a, ddof=1) + (n_b - 1) * np.var(b, ddof=1)) / (n_a + n_b - 2))
    name = row["metric"]
    check(f"{name} pooled sd", row["sd"], sd)
    check(f"{name} power now", row["power_observed"], power(np.mean(b) - np.mean(a), sd, n_a, n_b))
    # Bracketed by doubling from a non-centrality of 1: SciPy's nct (1.15, Debian 13) gives
    # NaN for the very large non-centralities a wide fixed bracket would probe.
    high = sd * math.sqrt(1 / n_a + 1 / n_b)
    while power(high, sd, n_a, n_b) < 0.8:
        high *= 2
    mdd = optimize.brentq(lambda d: power(d, sd, n_a, n_b) - 0.8, 1e-12, high, xtol=1e-15)
    check(f"{name} detectable", row["minimum_detectable_difference"], mdd)
    for entry in row["seeds_for_delta"]:
        if entry["seeds_per_arm"] != seeds_for(entry["delta"], sd):
            failures.append(f"{name} seeds for {entry['delta']}: report {entry['seeds_per_arm']}, "
                            f"SciPy {seeds_for(entry['delta'], sd)}")

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
print(f"{len(rows)} comparison rows and {len(analysis['rows'])} power rows match SciPy to {TOLERANCE}")
PY

# The bootstrap: reproducible from its seed, and the count it ran is shown.
expect_exit 0 again.json -- "$REPORT" --db runs.db --compare baseline narrow \
  --metric test.accuracy test.f1_macro test.loss --format json
cmp compare.json again.json || fail "the same bootstrap seed gave another result"
expect_exit 0 other.json -- "$REPORT" --db runs.db --compare baseline narrow --bootstrap-seed 1 --format json
expect_exit 0 small.json -- "$REPORT" --db runs.db --compare baseline narrow --bootstrap 500 --format json
"$PYTHON" - <<'PY' || fail "bootstrap checks"
import json, sys
first = json.load(open("compare.json"))["rows"][0]["bootstrap"]
other = json.load(open("other.json"))["rows"][0]["bootstrap"]
small = json.load(open("small.json"))["rows"][0]["bootstrap"]
problems = []
if (first["replicates"], first["seed"], first["resampled"]) != (2000, 0, "seeds, items"):
    problems.append(f"default bootstrap: {first}")
if (other["seed"], small["replicates"]) != (1, 500):
    problems.append(f"--bootstrap-seed 1 / --bootstrap 500: {other}, {small}")
if other["difference_ci"] == first["difference_ci"]:
    problems.append("another bootstrap seed gave the same interval")
low, high = first["difference_ci"]
p_low, p_high = first["probability_ci"]
if not (low <= high and p_low <= first["probability_b_better"] <= p_high):
    problems.append(f"intervals out of order: {first}")
if problems:
    sys.exit("\n".join(problems))
PY
expect_exit 0 console.log -- "$REPORT" --db runs.db --compare baseline narrow
expect_in console.log "two-level bootstrap, 2000 replicates, bootstrap seed 0"
expect_exit 2 bad.log -- "$REPORT" --db runs.db --compare baseline narrow --bootstrap 2000000
expect_in bad.log "--bootstrap 2000000: expected 0 (no bootstrap) to 1000000 replicates"
expect_exit 2 bad.log -- "$REPORT" --db runs.db --compare baseline narrow --bootstrap -3
expect_in bad.log "--bootstrap -3: expected 0 (no bootstrap) to 1000000 replicates"
expect_exit 2 bad_power.log -- "$REPORT" --db runs.db power baseline narrow --power 1.5
expect_in bad_power.log "--power 1.5: expected a number between 0 and 1"
echo "report_stats_scipy: all checks passed"
