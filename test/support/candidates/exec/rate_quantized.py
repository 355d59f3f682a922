# Broken: the drop threshold is the rate rounded to 1/16 (as a low-precision threshold would be), while
# kept values are still divided by the true keep. At rate 0.3 it drops with probability 0.3125.
# Fails drop-frequency and expectation; every value it outputs is 0 or x/keep, so training-values holds.
import math
import random
from array import array

from _pure import check_rate, serve


def apply(v, rate, training, seed):
    check_rate(rate)
    if not training or rate == 0:
        return array("d", v)
    keep, threshold = 1.0 - rate, 1.0 - math.floor(rate * 16 + 0.5) / 16
    u = random.Random(seed).random
    return array("d", [a / keep if u() < threshold else 0.0 for a in v])


serve(
    "Python dropout with its threshold rounded to 1/16",
    "inverted",
    lambda x, r, t, s: apply(x, r, t, s),
    lambda x, r, t, s, dy: apply(dy, r, t, s),
)
