"""Inverted dropout in pure Python (standard library only), as a dropcheck candidate:

    dropcheck audit --exec 'python3 adapters/python/pure_dropout.py'

Each element is kept with probability keep = 1 - rate, drawn from random.Random(seed), and a kept
element is divided by keep; at inference the output is x. The vjp applies the same mask to dy.
"""
import math
import os
import random
import sys
from array import array

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dropcheck_exec import serve  # noqa: E402


def check_rate(rate):
    if not (0 <= rate < 1):
        raise ValueError(f"rate must be in [0, 1), got {rate}")


def apply(v, rate, training, seed):
    check_rate(rate)
    if not training or rate == 0:
        return array("d", v)
    keep = 1.0 - rate
    u = random.Random(seed).random
    return array("d", [a / keep if u() < keep else 0.0 for a in v])


if __name__ == "__main__":
    serve(
        "inverted dropout in pure Python (random.Random)",
        "inverted",
        forward=lambda x, rate, training, seed: apply(x, rate, training, seed),
        vjp=lambda x, rate, training, seed, dy: apply(dy, rate, training, seed),
    )
