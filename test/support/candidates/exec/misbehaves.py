# Not a candidate: a program that breaks the --exec protocol in the way its first argument names, so
# that each way the audit reads a program's output is seen to fail with a message that says why.
#   hello LINE      declares LINE as its first line, then answers calls with x unchanged
#   long-first-line 70,000 bytes with no newline
#   bad-header      a header of status 7 as its first answer
#   extra-answer    two answers to its first call, in one write
#   stderr-flood    70,000 bytes and four lines on stderr at its first call (the last ones in pieces
#                   written apart, so they arrive in separate chunks), then exits with status 5
#   split-hello     its first line in two pieces written apart, then answers calls with x unchanged
#   signal          ends itself with SIGTERM at its first call
#   slow-start      waits 1.5 s before its first line (every start), and its vjp never answers
#   exits-unread    declares, then exits with status 3 after 2 s without reading a call
#   hangs-then-fails-to-start MARKER
#                   the first start (no file MARKER yet) creates MARKER and never answers its first
#                   call; a later start exits with status 4 before declaring
# A last argument the mode does not read tags the process, so a test can look for it.
import os
import signal
import struct
import sys
import time

CALL = struct.Struct("<IIIId")
ANSWER = struct.Struct("<IIII")
HELLO = b'{"dropcheck": 1, "name": "misbehaving", "convention": "inverted", "vjp": true}\n'
mode = sys.argv[1]
out, src = sys.stdout.buffer, sys.stdin.buffer


def say(b):
    out.write(b)
    out.flush()


def read(n):
    b = b""
    while len(b) < n:
        more = src.read(n - len(b))
        if not more:
            sys.exit(0)
        b += more
    return b


if mode == "long-first-line":
    say(b"x" * 70_000)
    src.read()
    sys.exit(0)
if mode == "slow-start":
    time.sleep(1.5)
if mode == "hangs-then-fails-to-start":
    if os.path.exists(sys.argv[2]):
        sys.exit(4)
    open(sys.argv[2], "w").close()
if mode == "split-hello":
    say(HELLO[:10])
    time.sleep(0.2)
say((sys.argv[2] + "\n").encode() if mode == "hello" else HELLO[10:] if mode == "split-hello" else HELLO)
if mode == "exits-unread":
    time.sleep(2)
    sys.exit(3)
while True:
    op, training, seed, n, rate = CALL.unpack(read(CALL.size))
    x = read(8 * n)
    if op == 2:
        read(8 * n)
    answer = ANSWER.pack(0, 8, n, 0) + x
    if mode == "bad-header":
        say(ANSWER.pack(7, 8, n, 0) + x)
    elif mode == "extra-answer":
        say(answer + answer)
    elif mode == "stderr-flood":
        for piece in ["a" * 70_000 + "\nfir", "st\nsecond\nthi", "rd\nfou", "rth\n"]:
            sys.stderr.write(piece)
            sys.stderr.flush()
            time.sleep(0.1)
        sys.exit(5)
    elif mode == "signal":
        os.kill(os.getpid(), signal.SIGTERM)
    elif (mode == "slow-start" and op == 2) or mode == "hangs-then-fails-to-start":
        while True:
            pass
    else:
        say(answer)
