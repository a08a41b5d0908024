#!/usr/bin/python3
"""Runs the whole Vernier-versus-Optuna chain and prints the comparison.

  1. bench-tuners --json      Vernier's sample efficiency and check points
  2. bench-suggest --json     Vernier's suggest cost
  3. optuna_side.py --json    the same with Optuna (if it is installed)
  4. compare.py               the tables side by side, with ratios

Every stage runs one after the other, so that no timing overlaps another.
The budget options are handed on: `--seeds 3` makes a quick smoke run
(`meson test --benchmark vs-optuna --test-args '--seeds 3'`).
"""

import argparse
import os
import subprocess
import sys
import time


def run(label, argv):
    print("\n==== %s: %s" % (label, " ".join(argv)))
    sys.stdout.flush()
    start = time.perf_counter()
    status = subprocess.call(argv)
    elapsed = time.perf_counter() - start
    print("==== %s: exit status %d, %.1f s" % (label, status, elapsed))
    sys.stdout.flush()
    if status != 0:
        sys.exit("vs-optuna: %s failed with status %d" % (label, status))
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench-tuners", required=True)
    ap.add_argument("--bench-suggest", required=True)
    ap.add_argument("--optuna-side", required=True)
    ap.add_argument("--compare", required=True)
    ap.add_argument("--outdir", default=".")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--functions")
    ap.add_argument("--tuners")
    ap.add_argument("--workers", type=int, default=2,
                    help="processes running Optuna's studies")
    ap.add_argument("--suggestions", type=int,
                    help="timed suggestions per row on both sides")
    args = ap.parse_args()

    os.makedirs(args.outdir, exist_ok=True)
    vt_json = os.path.join(args.outdir, "vernier-tuners.json")
    vs_json = os.path.join(args.outdir, "vernier-suggest.json")
    ot_json = os.path.join(args.outdir, "optuna.json")
    if os.path.exists(ot_json):
        os.remove(ot_json)

    budget = ["--seeds", str(args.seeds), "--trials", str(args.trials)]
    if args.functions:
        budget += ["--functions", args.functions]
    if args.tuners:
        budget += ["--tuners", args.tuners]
    suggestions = ["--suggestions", str(args.suggestions)] if args.suggestions else []

    times = {}
    times["bench-tuners"] = run("bench-tuners", [args.bench_tuners] + budget + ["--json", vt_json])
    times["bench-suggest"] = run("bench-suggest",
                                 [args.bench_suggest] + suggestions + ["--json", vs_json])
    times["optuna_side"] = run("optuna_side", [sys.executable, args.optuna_side] + budget
                               + suggestions + ["--workers", str(args.workers),
                                                "--vernier-json", vt_json,
                                                "--json", ot_json])
    compare = [sys.executable, args.compare, "--vernier-tuners", vt_json,
               "--vernier-suggest", vs_json]
    if os.path.exists(ot_json):
        compare += ["--optuna", ot_json]
    run("compare", compare)

    print("\nvs-optuna: wall time of each stage: " + ", ".join(
        "%s %.1f s" % (k, v) for k, v in times.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
