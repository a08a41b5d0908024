#!/usr/bin/python3
"""Optuna's samplers on Vernier's benchmark suite, for the side-by-side table.

The same functions (bench_functions.py, checked against the values the C
side printed at known minimizers and random points), the same domains, the
same seeds given to the samplers (1..N, or --first-seed F: F..F+N-1), the same budget:

    random  RandomSampler(seed=s)
    sobol   QMCSampler(qmc_type="sobol", scramble=True, seed=s)
            (its categorical "kind" of mixed is drawn at random)
    tpe     TPESampler(seed=s)
    tpe-mv  TPESampler(multivariate=True, seed=s)
    cmaes   CmaEsSampler(restart_strategy="ipop", seed=s)  (not on mixed)

For each study: the best regret (best value - known minimum) after every
trial, and the wall time of create_study + optimize. Studies run in
--workers processes (2 by default), seeds in parallel.

Then the suggest cost: a study of each case is pre-filled with N frozen
trials of uniformly random parameters and values (study.add_trials), and
M rounds of study.ask() + suggest_float for every parameter are timed,
each followed by study.tell() (timed apart).

Run by Debian's /usr/bin/python3 (python3-optuna). Without optuna it says
so and writes nothing.
"""

import argparse
import datetime
import json
import math
import multiprocessing
import os
import platform
import random
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_functions import FUNCTIONS, SUITE  # noqa: E402
from bench_stats import median, quantile  # noqa: E402

try:
    import optuna
except ImportError:
    optuna = None

TUNERS = ["random", "sobol", "tpe", "tpe-mv", "cmaes"]
# a rough cost per study, to start the long ones first
TUNER_COST = {"tpe-mv": 5, "tpe": 4, "cmaes": 2, "sobol": 1, "random": 0}
SUGGEST_CASES = {
    "tpe-2d": ("tpe", 2),
    "tpe-10d": ("tpe", 10),
    "tpe-mv-10d": ("tpe-mv", 10),
    "cmaes-10d": ("cmaes", 10),
}


def quiet():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")


def make_sampler(tuner, seed):
    s = optuna.samplers
    if tuner == "random":
        return s.RandomSampler(seed=seed)
    if tuner == "sobol":
        # on mixed, "kind" is drawn at random (QMC has no categorical):
        # say so once here rather than at every trial
        return s.QMCSampler(qmc_type="sobol", scramble=True, seed=seed,
                            warn_independent_sampling=False)
    if tuner == "tpe":
        return s.TPESampler(seed=seed)
    if tuner == "tpe-mv":
        return s.TPESampler(multivariate=True, seed=seed)
    if tuner == "cmaes":
        return s.CmaEsSampler(restart_strategy="ipop", seed=seed)
    raise ValueError("unknown tuner %r" % tuner)


def suggest_all(trial, function):
    params = {}
    for name, kind, a, b in function.space():
        if kind == "float":
            params[name] = trial.suggest_float(name, a, b)
        elif kind == "int":
            params[name] = trial.suggest_int(name, a, b)
        else:
            params[name] = trial.suggest_categorical(name, list(a))
    return params


def run_study(task):
    tuner, function_name, seed, trials = task
    quiet()
    function = FUNCTIONS[function_name]

    def objective(trial):
        return function.evaluate(suggest_all(trial, function))

    start = time.perf_counter()
    study = optuna.create_study(direction="minimize", sampler=make_sampler(tuner, seed))
    study.optimize(objective, n_trials=trials)
    wall_us = (time.perf_counter() - start) * 1e6

    best = math.inf
    curve = []
    for t in study.trials:
        if t.state == optuna.trial.TrialState.COMPLETE:
            best = min(best, t.value - function.minimum)
        curve.append(best if math.isfinite(best) else None)
    return {"tuner": tuner, "function": function_name, "seed": seed,
            "wall_us": wall_us, "best_regret": curve}


def time_suggest(case, history, suggestions):
    tuner, dims = SUGGEST_CASES[case]
    quiet()
    rng = random.Random(history)
    names = ["x%d" % i for i in range(dims)]
    dist = optuna.distributions.FloatDistribution(-5.0, 5.0)
    study = optuna.create_study(direction="minimize", sampler=make_sampler(tuner, 1))

    start = time.perf_counter()
    frozen = [optuna.trial.create_trial(params={n: rng.uniform(-5.0, 5.0) for n in names},
                                        distributions={n: dist for n in names},
                                        value=rng.random())
              for _ in range(history)]
    study.add_trials(frozen)
    fill_us = (time.perf_counter() - start) * 1e6

    suggest_us = []
    tell_us = []
    for i in range(suggestions + 1):
        t0 = time.perf_counter()
        trial = study.ask()
        for n in names:
            trial.suggest_float(n, -5.0, 5.0)
        t1 = time.perf_counter()
        study.tell(trial, rng.random())
        t2 = time.perf_counter()
        if i == 0:
            continue  # untimed, as on the C side
        suggest_us.append((t1 - t0) * 1e6)
        tell_us.append((t2 - t1) * 1e6)
    return {"case": case, "tuner": tuner, "dimensions": dims, "history": history,
            "suggestions": suggestions,
            "suggest_us_mean": sum(suggest_us) / len(suggest_us),
            "suggest_us_median": median(suggest_us),
            "tell_us_mean": sum(tell_us) / len(tell_us),
            "fill_us": fill_us}


def machine():
    cpu = "unknown"
    try:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
    except OSError:
        load = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu, "loadavg": load,
            "date": datetime.datetime.now().astimezone().isoformat(),
            "python": platform.python_version(),
            "optuna": optuna.__version__ if optuna else None}


def check_functions(path):
    """Evaluates the C side's check points; returns the number of mismatches."""
    with open(path) as f:
        checks = json.load(f).get("checks", [])
    print("optuna_side: the Python functions against the C side's values "
          "(|difference| <= 1e-9 * max(1, |value|))")
    print("%-16s %-10s %24s %12s  %s" % ("function", "point", "C value", "|difference|", ""))
    bad = 0
    for c in checks:
        function = FUNCTIONS[c["function"]]
        value = function.evaluate(c["params"])
        diff = abs(value - c["value"])
        ok = diff <= 1e-9 * max(1.0, abs(c["value"]))
        if abs(function.minimum - c["minimum"]) > 1e-12 * max(1.0, abs(c["minimum"])):
            ok = False
        if not ok:
            bad += 1
        print("%-16s %-10s %24.17g %12.3g  %s" % (c["function"], c["point"], c["value"], diff,
                                                  "ok" if ok else "MISMATCH"))
    if not checks:
        print("optuna_side: no check points in %s" % path)
        bad += 1
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=1,
                    help="seeds FIRST..FIRST+N-1 (default 1)")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--functions", default=",".join(SUITE))
    ap.add_argument("--tuners", default=",".join(TUNERS))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--history", default="100,1000",
                    help="finished trials before timing suggestions")
    ap.add_argument("--suggestions", type=int, default=20,
                    help="timed suggestions per case and history size")
    ap.add_argument("--cases", default=",".join(SUGGEST_CASES))
    ap.add_argument("--vernier-json", help="bench-tuners --json output, for the checks")
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()

    if optuna is None:
        print("optuna not installed: Vernier's figures only")
        return 0

    quiet()
    info = machine()
    print("optuna_side: machine: %d CPUs (nproc), %s; load average %s; Python %s, Optuna %s; %s"
          % (info["nproc"], info["cpu"], info["loadavg"], info["python"], info["optuna"],
             info["date"]))

    if args.vernier_json:
        bad = check_functions(args.vernier_json)
        if bad:
            print("optuna_side: %d check(s) failed: the two sides do not compute the same "
                  "functions" % bad)
            return 1

    functions = [f for f in args.functions.split(",") if f]
    tuners = [t for t in args.tuners.split(",") if t]
    for name in functions:
        if name not in FUNCTIONS:
            ap.error("unknown function %r" % name)
    for name in tuners:
        if name not in TUNERS:
            ap.error("unknown tuner %r" % name)
    tasks = [(t, f, s, args.trials) for f in functions for t in tuners
             for s in range(args.first_seed, args.first_seed + args.seeds)
             if not (t == "cmaes" and f == "mixed")]
    tasks.sort(key=lambda task: -TUNER_COST[task[0]])

    print("optuna_side: %d studies of %d trials (seeds %d..%d) in %d processes"
          % (len(tasks), args.trials, args.first_seed, args.first_seed + args.seeds - 1,
             args.workers))
    sys.stdout.flush()
    start = time.perf_counter()
    runs = []
    with multiprocessing.Pool(args.workers, initializer=quiet) as pool:
        for i, run in enumerate(pool.imap_unordered(run_study, tasks), 1):
            runs.append(run)
            if i % 50 == 0 or i == len(tasks):
                print("optuna_side: %d/%d studies, %.0f s" % (i, len(tasks),
                                                             time.perf_counter() - start))
                sys.stdout.flush()
    studies_s = time.perf_counter() - start

    checkpoints = [args.trials // 4, args.trials // 2, args.trials]
    print()
    print("%-16s %-7s %5s" % ("function", "sampler", "seeds")
          + "".join("  %-32s" % ("regret after %d: median [q1, q3]" % c) for c in checkpoints)
          + "  %9s" % "study ms")
    for f in functions:
        for t in tuners:
            rs = [r for r in runs if r["tuner"] == t and r["function"] == f]
            if not rs:
                print("%-16s %-7s %5s  n/a" % (f, t, "-"))
                continue
            line = "%-16s %-7s %5d" % (f, t, len(rs))
            for c in checkpoints:
                at = [r["best_regret"][c - 1] for r in rs]
                at = [math.inf if v is None else v for v in at]
                line += "  %10.3e [%9.3e, %9.3e]" % (median(at), quantile(at, 0.25),
                                                      quantile(at, 0.75))
            line += "  %9.1f" % (median([r["wall_us"] for r in rs]) / 1000.0)
            print(line)
    print("optuna_side: studies took %.1f s of wall time in %d processes"
          % (studies_s, args.workers))

    suggest = []
    start = time.perf_counter()
    histories = [int(h) for h in args.history.split(",") if h]
    print()
    print("optuna_side: suggest cost, %d timed study.ask() + suggest_float rounds per row"
          % args.suggestions)
    print("%-11s %-7s %4s %8s  %14s %16s  %12s  %12s" % (
        "case", "sampler", "dims", "history", "suggest us/mean", "suggest us/median",
        "tell us/mean", "fill ms"))
    for case in [c for c in args.cases.split(",") if c]:
        if case not in SUGGEST_CASES:
            ap.error("unknown case %r" % case)
        for h in histories:
            r = time_suggest(case, h, args.suggestions)
            suggest.append(r)
            print("%-11s %-7s %4d %8d  %14.1f %16.1f  %12.1f  %12.1f" % (
                case, r["tuner"], r["dimensions"], h, r["suggest_us_mean"],
                r["suggest_us_median"], r["tell_us_mean"], r["fill_us"] / 1000.0))
            sys.stdout.flush()
    suggest_s = time.perf_counter() - start
    print("optuna_side: suggest cost took %.1f s" % suggest_s)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"program": "optuna_side", "machine": info, "seeds": args.seeds,
                       "first_seed": args.first_seed, "trials": args.trials, "checkpoints": checkpoints,
                       "workers": args.workers, "studies_s": studies_s,
                       "suggest_s": suggest_s, "runs": runs, "suggest": suggest}, f, indent=1)
        print("optuna_side: wrote %s" % args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
