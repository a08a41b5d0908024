"""The benchmark functions of Vernier's `benchmark` trainer, in Python.

The same formulas, evaluated in the same order, over the same domains as
plugins/benchmark/vernier-benchmark-function.c; optuna_side.py checks them
against the values the C side printed (bench-tuners --json, "checks").
"""

import math

BRANIN_MINIMUM = 5.0 / (4.0 * math.pi)
HARTMANN6_MINIMUM = -3.32236801141551
STYBLINSKI_TANG_MINIMUM_PER_DIM = -39.16616570377142

HARTMANN6_ALPHA = (1.0, 1.2, 3.0, 3.2)
HARTMANN6_A = (
    (10.0, 3.0, 17.0, 3.5, 1.7, 8.0),
    (0.05, 10.0, 17.0, 0.1, 8.0, 14.0),
    (3.0, 3.5, 1.7, 10.0, 17.0, 8.0),
    (17.0, 8.0, 0.05, 10.0, 0.1, 14.0),
)
HARTMANN6_P = (
    (0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886),
    (0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991),
    (0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650),
    (0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381),
)

# kind: (optimum of x, offset); the minimum, 0, is at kind "b", x 2, n 3
MIXED_KINDS = {"a": (-1.0, 0.5), "b": (2.0, 0.0), "c": (0.0, 1.0)}
MIXED_N_OPTIMUM = 3


def branin(x, y):
    b = 5.1 / (4.0 * math.pi * math.pi)
    c = 5.0 / math.pi
    t = 1.0 / (8.0 * math.pi)
    u = y - b * x * x + c * x - 6.0
    return u * u + 10.0 * (1.0 - t) * math.cos(x) + 10.0


def hartmann6(x):
    total = 0.0
    for i in range(4):
        inner = 0.0
        for j in range(6):
            d = x[j] - HARTMANN6_P[i][j]
            inner += HARTMANN6_A[i][j] * d * d
        total += HARTMANN6_ALPHA[i] * math.exp(-inner)
    return -total


def rosenbrock(x):
    total = 0.0
    for i in range(len(x) - 1):
        u = x[i + 1] - x[i] * x[i]
        v = 1.0 - x[i]
        total += 100.0 * u * u + v * v
    return total


def ackley(x):
    n = len(x)
    squares = 0.0
    cosines = 0.0
    for xi in x:
        squares += xi * xi
        cosines += math.cos(2.0 * math.pi * xi)
    return (-20.0 * math.exp(-0.2 * math.sqrt(squares / n)) - math.exp(cosines / n)
            + 20.0 + math.e)


def styblinski_tang(x):
    total = 0.0
    for xi in x:
        total += xi * xi * xi * xi - 16.0 * xi * xi + 5.0 * xi
    return total / 2.0


def sphere(x):
    total = 0.0
    for xi in x:
        total += xi * xi
    return total


def mixed(x, n, kind):
    x_optimum, offset = MIXED_KINDS[kind]
    dx = x - x_optimum
    dn = n - MIXED_N_OPTIMUM
    return dx * dx + 0.1 * dn * dn + offset


class Function:
    """One function of the suite: its space and how to evaluate a point."""

    def __init__(self, name, dimensions, low, high, minimum, vector_fn):
        self.name = name
        self.dimensions = dimensions
        self.low = low
        self.high = high
        self.minimum = minimum
        self._vector_fn = vector_fn

    def space(self):
        """[(name, kind, low, high or choices)] as the study files declare them."""
        if self.name == "branin":
            return [("x", "float", -5.0, 10.0), ("y", "float", 0.0, 15.0)]
        if self.name == "mixed":
            return [("x", "float", -5.0, 5.0), ("n", "int", 0, 10),
                    ("kind", "categorical", ("a", "b", "c"), None)]
        return [("x%d" % i, "float", self.low, self.high) for i in range(self.dimensions)]

    def evaluate(self, params):
        if self.name == "branin":
            return branin(params["x"], params["y"])
        if self.name == "mixed":
            return mixed(params["x"], params["n"], params["kind"])
        return self._vector_fn([params["x%d" % i] for i in range(self.dimensions)])


FUNCTIONS = {
    f.name: f for f in (
        Function("branin", 2, None, None, BRANIN_MINIMUM, None),
        Function("hartmann6", 6, 0.0, 1.0, HARTMANN6_MINIMUM, hartmann6),
        Function("rosenbrock", 4, -5.0, 10.0, 0.0, rosenbrock),
        Function("ackley", 10, -32.768, 32.768, 0.0, ackley),
        Function("styblinski-tang", 8, -5.0, 5.0, STYBLINSKI_TANG_MINIMUM_PER_DIM * 8,
                 styblinski_tang),
        Function("mixed", 3, None, None, 0.0, None),
        Function("sphere", 4, -5.12, 5.12, 0.0, sphere),
    )
}

SUITE = ["branin", "hartmann6", "rosenbrock", "ackley", "styblinski-tang", "mixed"]
