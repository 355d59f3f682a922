"""The candidate side of `dropcheck audit --exec '<command>'`, in Python's standard library.

A program calls serve() with its dropout; serve() declares the candidate on stdout's first line, then
answers the audit's calls, framed as docs/audit.md ("Candidates in other languages") describes:

  call:   u32 op (1 forward, 2 vjp), u32 training, u32 seed, u32 n, f64 rate, n float64 x[, n float64 dy]
  answer: u32 status (0), u32 width (4 or 8), u32 n, u32 0, n floats      (little-endian throughout)
  refusal: u32 status (1), u32 0, u32 bytes, u32 0, UTF-8 text            (an exception in the candidate)

forward(x, rate, training, seed) and vjp(x, rate, training, seed, dy) receive array('d') values and
return any buffer of float64 or float32 values (array('d'), array('f'), a NumPy array, ...).
Raising refuses the call: the audit sees "<ExceptionType>: <message>" as the candidate's error.
"""
import json
import struct
import sys
from array import array

PROTOCOL = 1
_CALL = struct.Struct("<IIIId")
_ANSWER = struct.Struct("<IIII")
_LITTLE = sys.byteorder == "little"


def _read(stream, n):
    """Exactly n bytes, or None at the end of input."""
    chunks, got = [], 0
    while got < n:
        b = stream.read(n - got)
        if not b:
            return None
        chunks.append(b)
        got += len(b)
    return b"".join(chunks)


def _floats(raw):
    a = array("d")
    a.frombytes(raw)
    if not _LITTLE:
        a.byteswap()
    return a


def _encode(y):
    view = memoryview(y).cast("B") if not isinstance(y, (bytes, bytearray)) else None
    itemsize = getattr(y, "itemsize", None) or memoryview(y).itemsize
    if itemsize not in (4, 8):
        raise TypeError(f"an answer of {itemsize}-byte items; expected float32 (4) or float64 (8)")
    if not _LITTLE:
        y = array("d" if itemsize == 8 else "f", y)
        y.byteswap()
        view = memoryview(y).cast("B")
    return itemsize, len(view) // itemsize, view


def serve(name, convention, forward, vjp=None, precision=None, stdin=None, stdout=None):
    """Declares the candidate, then answers calls until the audit closes stdin."""
    src = stdin or sys.stdin.buffer
    out = stdout or sys.stdout.buffer
    hello = {"dropcheck": PROTOCOL, "name": name, "convention": convention, "vjp": vjp is not None}
    if precision is not None:
        hello["precision"] = precision
    out.write((json.dumps(hello) + "\n").encode())
    out.flush()
    while True:
        head = _read(src, _CALL.size)
        if head is None:
            return
        op, training, seed, n, rate = _CALL.unpack(head)
        x = _floats(_read(src, 8 * n))
        dy = _floats(_read(src, 8 * n)) if op == 2 else None
        try:
            if op == 1:
                y = forward(x, rate, bool(training), seed)
            elif op == 2 and vjp is not None:
                y = vjp(x, rate, bool(training), seed, dy)
            else:
                raise ValueError(f"no such call: op {op}")
            width, count, view = _encode(y)
        except Exception as e:  # the candidate's refusal, passed on as its message
            text = f"{type(e).__name__}: {e}".encode()
            out.write(_ANSWER.pack(1, 0, len(text), 0) + text)
        else:
            out.write(_ANSWER.pack(0, width, count, 0))
            out.write(view)
        out.flush()
