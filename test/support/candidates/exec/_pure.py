# Imports adapters/python for the broken Python candidates beside it (each changes one thing).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../adapters/python"))
from dropcheck_exec import serve  # noqa: E402,F401
from pure_dropout import apply, check_rate  # noqa: E402,F401
