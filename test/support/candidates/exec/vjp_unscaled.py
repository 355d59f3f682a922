# Broken: the vjp applies the forward call's mask to dy but forgets the 1/keep scale.
# Fails vjp-mask and vjp-finite-differences.
import random
from array import array

from _pure import apply, check_rate, serve


def vjp(x, rate, training, seed, dy):
    check_rate(rate)
    if not training or rate == 0:
        return array("d", dy)
    u = random.Random(seed).random
    return array("d", [d if u() < 1.0 - rate else 0.0 for d in dy])


serve("Python dropout, vjp without 1/keep", "inverted", lambda x, r, t, s: apply(x, r, t, s), vjp)
