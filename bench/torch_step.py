#!/usr/bin/env python3
"""The bench's MLP step in PyTorch, for `npm run bench` (bench/torch.ts runs this; standard library + torch).

One SGD step of the dropout MLP 784-1024-1024-10 (ReLU; torch.nn.functional.dropout in training
mode, rate 0.2 on the inputs and 0.5 on both hidden layers; batch 100; cross-entropy;
torch.optim.SGD(lr=0.01, momentum=0.9); zero_grad, forward, backward, step; loss.item() read back
each step), and a 1024x1024 matmul, at float32 and float64 on 1 and 2 threads. The configurations
are timed round-robin (one repetition of each in turn), so load coming and going on the machine
hits each alike. Prints one JSON object on stdout. Seeded; no network.

torch.set_num_threads(n) sets ATen's (OpenMP) threads but not OpenBLAS's own pthread pool, which
a Debian torch calls for every product: left alone, a "1 thread" run still multiplies on every core.
So the loaded OpenBLAS (found in /proc/self/maps) is set to the same count through its C API, and
both counts as observed are reported with each configuration.
"""
import argparse
import ctypes
import json
import os
import platform
import re
import sys
import time

import torch
import torch.nn.functional as F

SIZES = [784, 1024, 1024, 10]
BATCH = 100
INPUT_RATE = 0.2
HIDDEN_RATE = 0.5
LR = 0.01
MOMENTUM = 0.9
MM_N = 1024
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--warmup", type=int, default=3, help="untimed steps per configuration")
    p.add_argument("--reps", type=int, default=15, help="timed steps per configuration")
    p.add_argument("--mm-warmup", type=int, default=2, help="untimed matmuls per configuration")
    p.add_argument("--mm-reps", type=int, default=7, help="timed matmuls per configuration")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--dtypes", default="float32,float64", help="comma-separated dtypes")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    a.threads = [int(t) for t in a.threads.split(",") if t]
    a.dtypes = [d for d in a.dtypes.split(",") if d]
    for d in a.dtypes:
        if d not in DTYPES:
            p.error(f"unknown dtype {d!r} (float32 or float64)")
    if a.reps < 1 or a.mm_reps < 1 or a.warmup < 0 or a.mm_warmup < 0 or not a.threads or min(a.threads) < 1:
        p.error("reps must be >= 1, warm-ups >= 0, thread counts >= 1")
    return a


# --- what BLAS torch was built with, and what is actually loaded ------------------------------------


def build_config():
    show = torch.__config__.show()
    settings = {}
    m = re.search(r"Build settings:\s*(.*)", show)
    if m:
        for item in m.group(1).split(", "):
            if "=" in item:
                k, v = item.split("=", 1)
                settings[k.strip()] = v.strip()
    lines = [ln.strip(" -\t") for ln in show.splitlines()]
    return {
        "blas_info": settings.get("BLAS_INFO"),
        "lapack_info": settings.get("LAPACK_INFO"),
        "use_mkldnn": settings.get("USE_MKLDNN"),
        "use_openmp": settings.get("USE_OPENMP"),
        "mkl": next((ln for ln in lines if "Math Kernel Library" in ln or ln.startswith("MKL")), None),
        "openblas": next((ln for ln in lines if "openblas" in ln.lower()), None),
        "mkldnn": next((ln for ln in lines if "MKL-DNN" in ln or "oneDNN" in ln), None),
        "cpu_capability": next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("CPU capability usage")), None),
    }


def parallel_info():
    raw = torch.__config__.parallel_info()
    out = {"raw": raw}
    for ln in raw.splitlines():
        s = ln.strip()
        if " : " in s:
            k, v = s.split(" : ", 1)
            out[k.strip()] = v.strip()
        elif s.startswith("ATen parallel backend:"):
            out["backend"] = s.split(":", 1)[1].strip()
        elif s.startswith("MKL not found") or s.startswith("MKL"):
            out["mkl"] = s
    return out


BLAS_PATTERN = re.compile(r"^(libopenblas|libblas|liblapack|libmkl|libblis|libatlas|libcblas|libflexiblas)", re.I)
OPENMP_PATTERN = re.compile(r"^(libgomp|libiomp|libomp)", re.I)


def mapped(pattern):
    """Shared objects mapped into this process whose file name matches (as mapped, and resolved)."""
    paths = []
    try:
        with open("/proc/self/maps") as f:
            for ln in f:
                parts = ln.split()
                if len(parts) >= 6 and pattern.search(os.path.basename(parts[5])) and parts[5] not in paths:
                    paths.append(parts[5])
    except OSError:
        pass
    return paths, sorted({os.path.realpath(p) for p in paths})


def loaded_blas():
    paths, real = mapped(BLAS_PATTERN)
    names = " ".join(os.path.basename(p) for p in real).lower()
    library = ("OpenBLAS" if "openblas" in names else "MKL" if "mkl" in names else "BLIS" if "blis" in names
               else "ATLAS" if "atlas" in names else "FlexiBLAS" if "flexiblas" in names
               else "reference BLAS (netlib)" if "libblas" in names else "none found")
    return paths, real, library


def openblas_handle(paths):
    """ctypes handle on the loaded OpenBLAS (it exports openblas_set_num_threads), or None."""
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_set_num_threads  # noqa: B018 (raises AttributeError when absent)
        except (OSError, AttributeError):
            continue
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib, p
    return None, None


def cpu_info():
    model, flags = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                k, _, v = ln.partition(":")
                if k.strip() == "model name" and model is None:
                    model = v.strip()
                elif k.strip() == "flags" and not flags:
                    flags = set(v.split())
    except OSError:
        pass
    return {"model": model or platform.processor() or None, "simd": [f for f in ("avx2", "fma", "avx512f") if f in flags]}


# --- the workloads ------------------------------------------------------------------------------------


class Net(torch.nn.Module):
    def __init__(self, dtype):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(i, o, dtype=dtype) for i, o in zip(SIZES[:-1], SIZES[1:]))
        for layer in self.layers:  # He-normal weights and zero biases, as the engine's mlp
            torch.nn.init.normal_(layer.weight, 0.0, (2.0 / layer.in_features) ** 0.5)
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        h = F.dropout(x, INPUT_RATE, training=True)
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i < len(self.layers) - 1:
                h = F.dropout(F.relu(h), HIDDEN_RATE, training=True)
        return h


class Config:
    def __init__(self, dtype_name, threads, seed):
        self.dtype_name, self.threads = dtype_name, threads
        dtype = DTYPES[dtype_name]
        g = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        self.net = Net(dtype)
        self.opt = torch.optim.SGD(self.net.parameters(), lr=LR, momentum=MOMENTUM)
        self.x = torch.rand(BATCH, SIZES[0], dtype=dtype, generator=g)
        self.y = torch.arange(BATCH) % SIZES[-1]
        self.a = torch.rand(MM_N, MM_N, dtype=dtype, generator=g) * 2 - 1
        self.b = torch.rand(MM_N, MM_N, dtype=dtype, generator=g) * 2 - 1
        self.step_ms, self.mm_ms, self.losses = [], [], []
        self.observed = set()

    def step(self):
        self.opt.zero_grad()
        loss = F.cross_entropy(self.net(self.x), self.y)
        loss.backward()
        self.opt.step()
        return loss.item()  # the loss read back each step

    def matmul(self):
        return torch.mm(self.a, self.b)


def set_threads(n, ob):
    torch.set_num_threads(n)
    if ob is not None:
        ob.openblas_set_num_threads(n)
    return (torch.get_num_threads(), ob.openblas_get_num_threads() if ob is not None else None)


def main(argv):
    args = parse_args(argv)
    torch.set_num_interop_threads(1)  # once, before any parallel work
    torch.manual_seed(args.seed)
    t_start = time.perf_counter()
    paths, real, library = loaded_blas()
    ob, ob_path = openblas_handle(real)

    configs = [Config(d, t, args.seed) for d in args.dtypes for t in args.threads]

    def timed(fn, c):
        c.observed.add(set_threads(c.threads, ob))
        t = time.perf_counter()
        v = fn()
        return (time.perf_counter() - t) * 1e3, v

    # the step: warm-up per configuration, then repetitions round-robin
    for c in configs:
        for _ in range(args.warmup):
            timed(c.step, c)
    for _ in range(args.reps):
        for c in configs:
            ms, loss = timed(c.step, c)
            c.step_ms.append(ms)
            c.losses.append(loss)
    # the matmul, likewise
    for c in configs:
        for _ in range(args.mm_warmup):
            timed(c.matmul, c)
    for _ in range(args.mm_reps):
        for c in configs:
            c.mm_ms.append(timed(c.matmul, c)[0])

    out = {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "config": build_config(),
        "parallel": parallel_info(),
        "blas_loaded": {
            "library": library,
            "paths": paths,
            "resolved": real,
            "openblas_config": ob.openblas_get_config().decode() if ob is not None else None,
            "openblas_core": ob.openblas_get_corename().decode() if ob is not None else None,
            "openblas_threads_controlled": ob is not None,
            "openmp_runtime": mapped(OPENMP_PATTERN)[1],
        },
        "cpu_count": os.cpu_count(),
        "cpu": cpu_info(),
        # settings that change what the BLAS and OpenMP do, as this process saw them
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith(("OPENBLAS_", "OMP_", "GOMP_", "MKL_", "KMP_"))},
        "settings": {
            "sizes": SIZES, "batch": BATCH, "input_rate": INPUT_RATE, "hidden_rate": HIDDEN_RATE, "lr": LR, "momentum": MOMENTUM,
            "matmul_n": MM_N, "warmup": args.warmup, "reps": args.reps, "mm_warmup": args.mm_warmup, "mm_reps": args.mm_reps,
            "interop_threads": torch.get_num_interop_threads(), "seed": args.seed,
        },
        "runs": [
            {
                "dtype": c.dtype_name,
                "threads": c.threads,
                # (torch.get_num_threads(), openblas_get_num_threads()) as seen while timing
                "observed_threads": sorted([list(o) for o in c.observed], key=str),
                "step_ms": c.step_ms,
                "matmul_ms": c.mm_ms,
                "loss_first": c.losses[0],
                "loss_last": c.losses[-1],
            }
            for c in configs
        ],
        "seconds": time.perf_counter() - t_start,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
