# Broken: the vjp never answers (an endless loop in the call). The audit must stop it at its timeout.
from _pure import apply, serve


def vjp(x, rate, training, seed, dy):
    while True:
        pass


serve("Python dropout whose vjp loops forever", "inverted", lambda x, r, t, s: apply(x, r, t, s), vjp)
