# Not a candidate: it speaks the protocol but declares a convention the audit does not know.
import json
import sys

sys.stdout.write(json.dumps({"dropcheck": 1, "name": "Python dropout", "convention": "rescale-later"}) + "\n")
sys.stdout.flush()
sys.stdin.read()
