"""PyTorch's own dropout, torch.nn.functional.dropout, as a dropcheck candidate:

    dropcheck audit --exec 'python3 adapters/python/torch_dropout.py --dtype float32'

Each call seeds PyTorch's global generator with torch.manual_seed(seed) (torch 1.13 has no generator
argument), computes F.dropout(x, p=rate, training=training) in the chosen dtype on the CPU, and the
vjp through autograd: x.requires_grad_(), then y.backward(dy). F.dropout's own rate check (p in
[0, 1]) is the one judged; its ValueError reaches the audit as the call's error.
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dropcheck_exec import serve  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    args = parser.parse_args()
    dtype = getattr(torch, args.dtype)
    torch.set_num_threads(args.threads)

    def tensor(values):
        # the audit's float64 values, rounded once to the candidate's dtype as PyTorch users would
        return torch.frombuffer(bytearray(values), dtype=torch.float64).to(dtype)

    def answer(t):
        return t.detach().contiguous().numpy()

    def forward(x, rate, training, seed):
        torch.manual_seed(seed)
        return answer(F.dropout(tensor(x), p=rate, training=training))

    def vjp(x, rate, training, seed, dy):
        torch.manual_seed(seed)
        t = tensor(x).requires_grad_()
        F.dropout(t, p=rate, training=training).backward(tensor(dy))
        return answer(t.grad)

    serve(
        f"torch.nn.functional.dropout (PyTorch {torch.__version__}, {args.dtype}, CPU)",
        "inverted",
        forward,
        vjp,
        precision=args.dtype,
    )


if __name__ == "__main__":
    main()
