#!/usr/bin/python3
# Vernier from Python through GObject-Introspection: a trainer written as
# a Python class runs a study loaded from a study file, with the random
# tuner of the build tree, and the study's signals reach Python.
#
# Run by `meson test python`: GI_TYPELIB_PATH and LD_LIBRARY_PATH point at
# the build tree's typelibs and libraries. A missing python3-gi or typelib
# is a failure, not a skip.

import math
import sys
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Json', '1.0')
gi.require_version('Vernier', '1')
gi.require_version('VernierCore', '1')

from gi.repository import GLib, GObject, Gio, Vernier, VernierCore  # noqa: E402

N_TRIALS = 20
LOW, HIGH = -5.0, 10.0

STUDY = f"""
[study]
name=python
objective=loss
direction=minimize
trials={N_TRIALS}
parallel=2
seed=7
storage=memory

[param x]
type=float
low={LOW}
high={HIGH}

[tuner]
plugin=random

# Replaced by the Python trainer below; a study file names one.
[trainer]
plugin=benchmark
function=sphere
"""


class QuadraticTrainer(GObject.Object, Vernier.Trainer):
    """(x - 2)², computed in an idle callback of the main loop, after an
    intermediate report of the same value at step 0."""

    def __init__(self):
        super().__init__()
        self.prepared_with = None
        self.trained = []

    def do_prepare(self, context):
        self.prepared_with = context
        return True

    def do_train_async(self, trial, cancellable, callback, *user_data):
        # callback is the caller's GAsyncReadyCallback with its data
        # already bound: it takes (source, result).
        task = Gio.Task.new(self, cancellable,
                            lambda source, result, _data: callback(source, result), None)

        def evaluate():
            x = trial.get_params().get_double_member('x')
            value = (x - 2.0) ** 2
            trial.report(0, value)
            trial.set_value(value)
            self.trained.append(trial.get_number())
            task.return_boolean(True)
            return GLib.SOURCE_REMOVE

        GLib.idle_add(evaluate)

    def do_train_finish(self, result):
        return result.propagate_boolean()


class PythonTrainerTest(unittest.TestCase):

    def setUp(self):
        self.registry = VernierCore.Registry.new()
        config = VernierCore.Config.new_from_data(STUDY, -1, 'python.ini', None)
        self.study = config.create_study(self.registry)
        self.trainer = QuadraticTrainer()
        self.study.set_trainer(self.trainer)

    def run_study(self):
        events = []
        reports = {}
        outcome = {}
        loop = GLib.MainLoop.new(None, False)

        def on_reported(trial, step, value):
            reports.setdefault(trial.get_number(), []).append((step, value))

        def on_started(study, trial):
            events.append(('started', trial.get_number()))
            trial.connect('reported', on_reported)

        def on_finished(study, trial):
            events.append(('finished', trial.get_number(), trial.get_state(),
                           trial.get_value(), trial.get_params().get_double_member('x')))

        def on_study_finished(study, best, error):
            events.append(('study-finished', best, error))

        def done(study, result):
            try:
                outcome['best'] = study.run_finish(result)
            except GLib.Error as e:
                outcome['error'] = e
            loop.quit()

        self.study.connect('trial-started', on_started)
        self.study.connect('trial-finished', on_finished)
        self.study.connect('study-finished', on_study_finished)
        self.study.run_async(None, done)
        loop.run()
        return events, reports, outcome

    def test_study_with_python_trainer(self):
        events, reports, outcome = self.run_study()

        self.assertNotIn('error', outcome)
        self.assertIsNotNone(self.trainer.prepared_with)
        self.assertEqual(self.trainer.prepared_with.get_objective().get_name(), 'loss')

        started = [e[1] for e in events if e[0] == 'started']
        finished = [e for e in events if e[0] == 'finished']
        self.assertEqual(sorted(started), list(range(N_TRIALS)))
        self.assertEqual(len(finished), N_TRIALS)
        self.assertEqual(sorted(f[1] for f in finished), list(range(N_TRIALS)))
        self.assertEqual(sorted(self.trainer.trained), list(range(N_TRIALS)))

        # Every trial starts before it finishes, and the study finishes
        # once, after all of them.
        order = [(e[0], e[1]) for e in events if e[0] != 'study-finished']
        for number in range(N_TRIALS):
            self.assertLess(order.index(('started', number)), order.index(('finished', number)))
        self.assertEqual(events[-1][0], 'study-finished')
        self.assertEqual(sum(1 for e in events if e[0] == 'study-finished'), 1)

        # parallel=2: two trials run at once, never three.
        running = peak = 0
        for e in events:
            running += {'started': 1, 'finished': -1}.get(e[0], 0)
            peak = max(peak, running)
        self.assertEqual(peak, 2)
        self.assertEqual(running, 0)

        values = []
        for _, number, state, value, x in finished:
            self.assertEqual(state, Vernier.TrialState.COMPLETE)
            self.assertTrue(LOW <= x <= HIGH, f'trial {number}: x={x} out of bounds')
            self.assertAlmostEqual(value, (x - 2.0) ** 2)
            self.assertEqual(reports.get(number), [(0, value)])
            values.append(value)

        best = outcome['best']
        self.assertEqual(best.get_value(), min(values))
        _, signal_best, signal_error = events[-1]
        self.assertIsNone(signal_error)
        self.assertEqual(signal_best.get_number(), best.get_number())
        self.assertEqual(self.study.get_best_trial().get_number(), best.get_number())
        self.assertEqual(self.study.get_n_finished(), N_TRIALS)
        self.assertEqual(self.study.count_state(Vernier.TrialState.COMPLETE), N_TRIALS)
        self.assertTrue(math.isfinite(best.get_value()))


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
