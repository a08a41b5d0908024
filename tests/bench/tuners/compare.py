#!/usr/bin/python3
"""Vernier and Optuna side by side, from the JSON files of the benchmarks.

Reads bench-tuners --json, bench-suggest --json and optuna_side.py --json
and prints, per (tuner, function), the median regret of both at each
checkpoint with its ratio (Vernier / Optuna) and a verdict; the suggest
cost of both and its ratio (Optuna / Vernier); the median wall time of a
whole study and its ratio (Optuna / Vernier); and the goals of issue 3.

Verdict: "better" or "worse" when the two-sided Mann-Whitney U test of the
best regrets over the seeds (20 per side) tells the two apart at p < 0.05,
in the direction of the rank sums; "same" otherwise. The test is computed
by hand (bench_stats.py), identically to bench-util.c.

Without Optuna's file it prints "optuna not installed: Vernier's figures
only" and Vernier's tables alone.
"""

import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_stats import mann_whitney, median, quantile  # noqa: E402

P_THRESHOLD = 0.05
MODEL_TUNERS = ["tpe", "tpe-mv", "cmaes"]
SPEEDUP_GOAL = 100.0
SPEEDUP_HISTORY = 1000


def load(path):
    with open(path) as f:
        return json.load(f)


def at_checkpoint(runs, tuner, function, checkpoint):
    values = []
    for r in runs:
        if r["tuner"] == tuner and r["function"] == function:
            curve = r["best_regret"]
            v = curve[min(checkpoint, len(curve)) - 1]
            values.append(math.inf if v is None else v)
    return values


def walls(runs, tuner, function):
    return [r["wall_us"] for r in runs if r["tuner"] == tuner and r["function"] == function]


def order(items, preferred):
    return [x for x in preferred if x in items] + sorted(x for x in items if x not in preferred)


def ratio(a, b):
    if a == b:
        return 1.0
    if b == 0:
        return math.inf
    return a / b


def fmt_ratio(r):
    if math.isnan(r):
        return "-"
    if math.isinf(r):
        return "inf"
    return "%.3g" % r


def verdict(v, o):
    p, direction = mann_whitney(v, o)
    if p < P_THRESHOLD and direction < 0:
        return p, "better"
    if p < P_THRESHOLD and direction > 0:
        return p, "worse"
    return p, "same"


def print_machine(label, m):
    extra = ""
    if m.get("optuna"):
        extra = "; Python %s, Optuna %s" % (m.get("python"), m.get("optuna"))
    elif m.get("glib"):
        extra = "; GLib %s" % m["glib"]
    print("%-8s %d CPUs (nproc), %s%s; load average %s at the start; %s"
          % (label, m["nproc"], m["cpu"], extra, m.get("loadavg", "unknown"), m["date"]))


def skipped_reason(vt, tuner, function):
    for s in vt.get("skipped", []):
        if s.get("tuner") == tuner and s.get("function") in (None, function):
            return s["reason"]
    return None


def vernier_only(vt, vs):
    print("optuna not installed: Vernier's figures only")
    print()
    print_machine("Vernier", vt["machine"])
    checkpoints = vt["checkpoints"]
    print()
    print("Sample efficiency: best regret over %d seeds" % vt["seeds"])
    print("%-16s %-7s" % ("function", "tuner")
          + "".join("  %-32s" % ("after %d: median [q1, q3]" % c) for c in checkpoints))
    functions = order({r["function"] for r in vt["runs"]}, [])
    tuners = order({r["tuner"] for r in vt["runs"]}, ["random", "sobol"] + MODEL_TUNERS)
    for f in functions:
        for t in tuners:
            v = at_checkpoint(vt["runs"], t, f, checkpoints[0])
            if not v:
                print("%-16s %-7s  %s" % (f, t, skipped_reason(vt, t, f) or "-"))
                continue
            line = "%-16s %-7s" % (f, t)
            for c in checkpoints:
                v = at_checkpoint(vt["runs"], t, f, c)
                line += "  %10.3e [%9.3e, %9.3e]" % (median(v), quantile(v, 0.25),
                                                      quantile(v, 0.75))
            print(line)
    print()
    print("Suggest cost (us per suggestion, mean)")
    print("%-11s %8s  %12s" % ("case", "history", "Vernier"))
    for r in vs["results"]:
        print("%-11s %8d  %12.1f" % (r["case"], r["history"], r["suggest_us_mean"]))
    for s in vt.get("skipped", []) + vs.get("skipped", []):
        if s.get("reason") == "not built":
            print("%s: not built" % (s.get("tuner") or s.get("case")))


def side_by_side(vt, vs, ot):
    print_machine("Vernier", vt["machine"])
    print_machine("Optuna", ot["machine"])
    print("budget: %d trials, seeds 1..%d (Vernier), 1..%d (Optuna); Optuna's studies ran "
          "in %d processes, %.0f s of wall time"
          % (vt["trials"], vt["seeds"], ot["seeds"], ot["workers"], ot["studies_s"]))

    checkpoints = vt["checkpoints"]
    last = checkpoints[-1]
    functions = order({r["function"] for r in vt["runs"]} | {r["function"] for r in ot["runs"]},
                      ["branin", "hartmann6", "rosenbrock", "ackley", "styblinski-tang", "mixed"])
    tuners = order({r["tuner"] for r in vt["runs"]} | {r["tuner"] for r in ot["runs"]}
                   | {s["tuner"] for s in vt.get("skipped", []) if "tuner" in s},
                   ["random", "sobol"] + MODEL_TUNERS)

    print()
    print("Sample efficiency: median best regret after %d trials (ratio: Vernier / Optuna; "
          "verdict: Mann-Whitney U, p < %.2f)" % (last, P_THRESHOLD))
    print("%-16s %-7s  %-32s  %-32s  %7s  %6s  %s" % (
        "function", "tuner", "Vernier: median [q1, q3]", "Optuna: median [q1, q3]",
        "ratio", "p", "verdict"))
    verdicts = {}
    for f in functions:
        for t in tuners:
            v = at_checkpoint(vt["runs"], t, f, last)
            o = at_checkpoint(ot["runs"], t, f, last)
            if not v or not o:
                why = skipped_reason(vt, t, f) if not v else "Optuna: no runs"
                print("%-16s %-7s  %s" % (f, t, why or "n/a"))
                continue
            p, word = verdict(v, o)
            verdicts[(t, f, last)] = (ratio(median(v), median(o)), word)
            print("%-16s %-7s  %10.3e [%9.3e, %9.3e]  %10.3e [%9.3e, %9.3e]  %7s  %6.3f  %s" % (
                f, t, median(v), quantile(v, 0.25), quantile(v, 0.75),
                median(o), quantile(o, 0.25), quantile(o, 0.75),
                fmt_ratio(ratio(median(v), median(o))), p, word))

    print("random and sobol are controls (the same algorithm on both sides): a verdict other "
          "than \"same\" there is chance;\nwith this many tests at p < %.2f, about one in "
          "twenty is flagged by chance alone." % P_THRESHOLD)

    print()
    print("Sample efficiency at every checkpoint: ratio of median regrets (Vernier / Optuna) "
          "and verdict")
    print("%-16s %-7s" % ("function", "tuner")
          + "".join("  %-18s" % ("after %d" % c) for c in checkpoints))
    for f in functions:
        for t in tuners:
            line = "%-16s %-7s" % (f, t)
            shown = False
            for c in checkpoints:
                v = at_checkpoint(vt["runs"], t, f, c)
                o = at_checkpoint(ot["runs"], t, f, c)
                if not v or not o:
                    line += "  %-18s" % "n/a"
                    continue
                shown = True
                p, word = verdict(v, o)
                verdicts[(t, f, c)] = (ratio(median(v), median(o)), word)
                line += "  %7s %-10s" % (fmt_ratio(ratio(median(v), median(o))), word)
            if shown:
                print(line)

    print()
    print("Suggest cost: us per suggestion, mean and median over the timed suggestions "
          "(ratio: Optuna / Vernier)")
    print("%-11s %8s  %21s  %21s  %15s" % ("case", "history", "Vernier: mean, median",
                                          "Optuna: mean, median", "ratio of means"))
    vres = {(r["case"], r["history"]): r for r in vs["results"]}
    ores = {(r["case"], r["history"]): r for r in ot["suggest"]}
    case_order = ["tpe-2d", "tpe-10d", "tpe-mv-10d", "cmaes-10d"]
    keys = sorted(set(vres) | set(ores),
                  key=lambda k: (case_order.index(k[0]) if k[0] in case_order else 99,
                                 k[0], k[1]))
    speedups = {}
    for k in keys:
        v = vres.get(k)
        o = ores.get(k)
        vtxt = "%10.1f %10.1f" % (v["suggest_us_mean"], v["suggest_us_median"]) if v else "-"
        otxt = "%10.1f %10.1f" % (o["suggest_us_mean"], o["suggest_us_median"]) if o else "-"
        r = ratio(o["suggest_us_mean"], v["suggest_us_mean"]) if v and o else math.nan
        rm = ratio(o["suggest_us_median"], v["suggest_us_median"]) if v and o else math.nan
        if v and o:
            speedups[k] = r
        print("%-11s %8d  %21s  %21s  %7s (%s)" % (k[0], k[1], vtxt, otxt, fmt_ratio(r),
                                                   fmt_ratio(rm)))
    print("(in parentheses: the ratio of medians)")
    for s in vs.get("skipped", []):
        print("%-11s Vernier: %s" % (s["case"], s["reason"]))

    print()
    print("Whole-study wall time: median ms per study of %d trials (ratio: Optuna / Vernier)"
          % last)
    print("%-16s %-7s  %10s  %10s  %9s" % ("function", "tuner", "Vernier", "Optuna", "ratio"))
    for f in functions:
        for t in tuners:
            v = walls(vt["runs"], t, f)
            o = walls(ot["runs"], t, f)
            if not v or not o:
                continue
            print("%-16s %-7s  %10.1f  %10.1f  %9s" % (
                f, t, median(v) / 1000.0, median(o) / 1000.0,
                fmt_ratio(ratio(median(o), median(v)))))

    print()
    print("Goals of issue 3")
    for t in MODEL_TUNERS:
        words = [verdicts[(t, f, last)][1] for f in functions if (t, f, last) in verdicts]
        if not words:
            print("  %-7s median regret after %d: no comparison (not built or n/a)" % (t, last))
            continue
        better, same, worse = (words.count(w) for w in ("better", "same", "worse"))
        met = worse == 0 and better * 2 > len(words)
        print("  %-7s median regret after %d: better on %d, same on %d, worse on %d of %d "
              "functions: %s" % (t, last, better, same, worse, len(words),
                                 "met" if met else "NOT met"))
    for k in sorted(speedups):
        if k[1] == SPEEDUP_HISTORY:
            print("  %-11s suggestion at %d trials: %s times cheaper than Optuna "
                  "(means): %s" % (
                k[0], k[1], fmt_ratio(speedups[k]),
                "met" if speedups[k] >= SPEEDUP_GOAL else "NOT met"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vernier-tuners", required=True)
    ap.add_argument("--vernier-suggest", required=True)
    ap.add_argument("--optuna")
    args = ap.parse_args()

    vt = load(args.vernier_tuners)
    vs = load(args.vernier_suggest)
    if not args.optuna or not os.path.exists(args.optuna):
        vernier_only(vt, vs)
        return 0
    side_by_side(vt, vs, load(args.optuna))
    return 0


if __name__ == "__main__":
    sys.exit(main())
