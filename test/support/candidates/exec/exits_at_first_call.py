# Broken: declares itself, then exits with an error at its first call.
import sys

from _pure import serve


def forward(x, rate, training, seed):
    sys.stderr.write("segmentation fault (simulated)\n")
    sys.stderr.flush()
    sys.exit(3)


serve("Python dropout that crashes", "inverted", forward)
