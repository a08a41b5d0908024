#!/usr/bin/python3
"""Optuna's side of the storage benchmark (bench-storage).

The study bench-storage runs with Vernier, run with Optuna: RandomSampler
(seed 42), an instant objective (x0^2 + x1^2 over [-5, 5]^2, what
Vernier's benchmark trainer computes with function=sphere), one trial at
a time (n_jobs=1), and a fixed number of trials, in three storages:

    memory      optuna.create_study() without storage (InMemoryStorage)
    sqlite      storage="sqlite:///DIR/optuna-sqlite.db": Optuna's RDB
                storage on SQLite with SQLite's defaults (rollback
                journal, synchronous=FULL: every commit reaches the disk)
    sqlite-wal  the same with journal_mode=WAL and synchronous=NORMAL on
                every connection, as Vernier's sqlite storage has it (a
                commit survives the crash of the process, not of the
                machine): the like-for-like comparison

Each case is timed from create_study to the return of optimize (the import
of optuna is not counted). Then the study is opened again from a new
storage object (load_study) and its COMPLETE trials are counted: every
trial must be there when optimize returns.

    optuna_storage.py [--memory-trials N] [--sqlite-trials N]
                      [--cases memory,sqlite,sqlite-wal] [--dir DIR]
                      [--json FILE]

Run by Debian's /usr/bin/python3 (python3-optuna). Without optuna it says
so, writes {"installed": false} to FILE and exits with status 0.
"""

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
import warnings

try:
    import optuna
except ImportError:
    optuna = None

CASES = ["memory", "sqlite", "sqlite-wal"]
SEED = 42
LOW, HIGH = -5.0, 5.0

# PRAGMAs run on each new SQLite connection while a case wants them.
connect_pragmas = []


def install_pragma_hook():
    """Runs connect_pragmas on every new DB-API SQLite connection of any
    SQLAlchemy engine (Optuna's RDBStorage makes its own)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        if connect_pragmas and isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            for pragma in connect_pragmas:
                cursor.execute(pragma)
            cursor.close()


def objective(trial):
    x0 = trial.suggest_float("x0", LOW, HIGH)
    x1 = trial.suggest_float("x1", LOW, HIGH)
    return x0 * x0 + x1 * x1


def count_complete(study):
    return len(study.get_trials(deepcopy=False,
                                states=(optuna.trial.TrialState.COMPLETE,)))


def journal_mode(path):
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA journal_mode").fetchone()[0]


def run_case(case, trials, directory):
    name = "bench-storage-" + case
    url = None
    path = None
    if case != "memory":
        path = os.path.join(directory, "optuna-%s.db" % case)
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        url = "sqlite:///" + path
    connect_pragmas[:] = (["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"]
                          if case == "sqlite-wal" else [])

    start = time.perf_counter()
    study = optuna.create_study(study_name=name, storage=url, direction="minimize",
                                sampler=optuna.samplers.RandomSampler(seed=SEED))
    study.optimize(objective, n_trials=trials, n_jobs=1)
    seconds = time.perf_counter() - start

    result = {"id": "optuna-" + case, "storage": case, "trials": trials,
              "seconds": seconds, "trials_per_second": trials / seconds}
    if url is None:
        # Nothing to open again: what the study holds.
        result["complete"] = count_complete(study)
        result["durable"] = None
    else:
        again = optuna.load_study(study_name=name, storage=url)
        result["complete"] = count_complete(again)
        result["durable"] = result["complete"] == trials
        result["journal_mode"] = journal_mode(path)
    connect_pragmas[:] = []
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--memory-trials", type=int, default=5000)
    ap.add_argument("--sqlite-trials", type=int, default=300)
    ap.add_argument("--cases", default=",".join(CASES),
                    help="comma-separated, of %s" % ", ".join(CASES))
    ap.add_argument("--dir", help="where the databases go (default: a "
                    "temporary directory, removed afterwards)")
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()

    cases = [c for c in args.cases.split(",") if c]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        ap.error("unknown case %s (known: %s)" % (", ".join(unknown), ", ".join(CASES)))
    if args.memory_trials < 1 or args.sqlite_trials < 1:
        ap.error("--memory-trials and --sqlite-trials take a positive number")

    if optuna is None:
        print("optuna not installed: Vernier's figures only")
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"installed": False}, f)
        return 0

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")
    install_pragma_hook()

    print("optuna_storage: optuna %s, python %s; RandomSampler(seed=%d), "
          "instant objective, n_jobs=1" % (optuna.__version__,
                                           platform.python_version(), SEED))
    sys.stdout.flush()

    results = []
    with tempfile.TemporaryDirectory(prefix="vernier-bench-optuna-") as tmp:
        directory = args.dir or tmp
        for case in cases:
            trials = args.memory_trials if case == "memory" else args.sqlite_trials
            r = run_case(case, trials, directory)
            durable = ("n/a" if r["durable"] is None else
                       "%d of %d complete after reopening: %s"
                       % (r["complete"], trials, "ok" if r["durable"] else "LOST TRIALS"))
            print("optuna_storage: %-10s %6d trials %8.2f s %9.1f trials/s  %s%s"
                  % (case, trials, r["seconds"], r["trials_per_second"], durable,
                     "  (journal_mode=%s)" % r["journal_mode"] if "journal_mode" in r else ""))
            sys.stdout.flush()
            results.append(r)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"installed": True, "optuna": optuna.__version__,
                       "python": platform.python_version(), "seed": SEED,
                       "cases": results}, f, indent=1)
    return 0 if all(r["durable"] is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
