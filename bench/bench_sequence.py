"""Time dlcore's sequence layers against PyTorch on the CPU: forward + backward, float32.

The workloads:
- LSTM: input 32, hidden 128, 50 steps, batch 64, all hidden states returned;
- GRU: the same sizes;
- transformer block: pre-norm encoder block, d_model 64, 4 heads, MLP 64 -> 256 -> 64 with
  GELU (tanh form), 64 tokens, batch 32 (attention, two layer norms, MLP, residuals).
Each step computes the outputs, then the gradients of the input and of every parameter for a
fixed random output gradient. PyTorch is timed in a SEPARATE process (so its threads and
allocator do not disturb NumPy's), using the python named by the TORCH_PYTHON environment
variable (see torch_runner.py); without one only dlcore is timed.

    python bench/bench_sequence.py [--repeats 20] [--threads N]

--threads limits BLAS threads in both processes (default: each library's own default).
Timings are the best of ``repeats`` runs: on a shared machine other processes only add time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time

import numpy as np
from torch_runner import measure_torch  # bench/torch_runner.py

GOAL_RATIO = 1.5  # dlcore should be at most this many times slower than PyTorch
RNN = {"batch": 64, "steps": 50, "input": 32, "hidden": 128}
BLOCK = {"batch": 32, "tokens": 64, "d_model": 64, "heads": 4, "d_ff": 256}
WORKLOADS = ("LSTM", "GRU", "transformer block")

TORCH_SCRIPT = """
import json, sys, time, warnings
warnings.simplefilter("ignore")  # oneDNN's notice about TF32 on Intel GPUs
import torch
import torch.nn.functional as F
rnn, block, repeats, threads = json.loads(sys.argv[1])
if threads:
    torch.set_num_threads(threads)
torch.manual_seed(0)

def rnn_step(cls):
    layer = cls(rnn["input"], rnn["hidden"], batch_first=True)
    x = torch.randn(rnn["batch"], rnn["steps"], rnn["input"], requires_grad=True)
    g = torch.randn(rnn["batch"], rnn["steps"], rnn["hidden"])
    def step():
        layer.zero_grad(); x.grad = None
        out, _ = layer(x)
        out.backward(g)
    return step

def block_step():
    layer = torch.nn.TransformerEncoderLayer(
        block["d_model"], block["heads"], block["d_ff"], dropout=0.0,
        activation=lambda z: F.gelu(z, approximate="tanh"), batch_first=True, norm_first=True)
    x = torch.randn(block["batch"], block["tokens"], block["d_model"], requires_grad=True)
    g = torch.randn(block["batch"], block["tokens"], block["d_model"])
    def step():
        layer.zero_grad(); x.grad = None
        layer(x).backward(g)
    return step

def best_ms(f):
    for _ in range(3):
        f()
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return 1000 * min(times)

def all_ms():
    return {"LSTM": best_ms(rnn_step(torch.nn.LSTM)), "GRU": best_ms(rnn_step(torch.nn.GRU)),
            "transformer block": best_ms(block_step())}

result = all_ms()
with torch.backends.mkldnn.flags(enabled=False):  # PyTorch's own kernels instead of oneDNN's fused RNN cells
    result["no oneDNN"] = all_ms()
result.update(threads=torch.get_num_threads(), version=torch.__version__)
print(json.dumps(result))
"""


def best_ms(f, repeats: int) -> float:
    """Best (minimum) wall time of f() in milliseconds, after three warm-up calls."""
    for _ in range(3):
        f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def _step(layer, x: np.ndarray, grad_out: np.ndarray):
    def step():
        layer.zero_grad()
        layer(x)
        layer.backward(grad_out)

    return step


def time_dlcore(repeats: int) -> dict[str, float]:
    from dlcore.recurrent import GRU, LSTM
    from dlcore.transformer import TransformerConfig, TransformerEncoderBlock

    rng = np.random.default_rng(0)
    x = rng.standard_normal((RNN["batch"], RNN["steps"], RNN["input"]), dtype=np.float32)
    g = rng.standard_normal((RNN["batch"], RNN["steps"], RNN["hidden"]), dtype=np.float32)
    results = {}
    for name, cls in (("LSTM", LSTM), ("GRU", GRU)):
        layer = cls(RNN["input"], RNN["hidden"], return_sequences=True, rng=0)
        results[name] = best_ms(_step(layer, x, g), repeats)

    config = TransformerConfig(d_model=BLOCK["d_model"], num_heads=BLOCK["heads"], d_ff=BLOCK["d_ff"])
    block = TransformerEncoderBlock(config, rng=0)
    x = rng.standard_normal((BLOCK["batch"], BLOCK["tokens"], BLOCK["d_model"]), dtype=np.float32)
    g = rng.standard_normal(x.shape, dtype=np.float32)
    results["transformer block"] = best_ms(_step(block, x, g), repeats)
    return results


def time_torch(repeats: int, threads: int | None) -> dict | None:
    args = json.dumps([RNN, BLOCK, repeats, threads or 0])
    result = measure_torch(TORCH_SCRIPT, args)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads for both libraries")
    args = parser.parse_args()

    print(f"LSTM / GRU: input {RNN['input']}, hidden {RNN['hidden']}, {RNN['steps']} steps, batch {RNN['batch']}")
    print(
        f"transformer block: d_model {BLOCK['d_model']}, {BLOCK['heads']} heads, MLP {BLOCK['d_ff']}, "
        f"{BLOCK['tokens']} tokens, batch {BLOCK['batch']}, pre-norm"
    )
    print(f"float32, forward + backward, numpy {np.__version__}, {os.cpu_count()} cpus, best of {args.repeats} runs\n")
    limit = contextlib.nullcontext()
    if args.threads:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(limits=args.threads, user_api="blas")
    with limit:
        ours = time_dlcore(args.repeats)
    torch = time_torch(args.repeats, args.threads)

    if torch is None:
        print(f"{'forward + backward':<22}{'dlcore ms':>10}")
        for name in WORKLOADS:
            print(f"{name:<22}{ours[name]:>10.2f}")
        print("\nPyTorch not found (set TORCH_PYTHON to a python with torch to compare).")
        return
    plain = torch["no oneDNN"]
    print(f"{'forward + backward':<22}{'dlcore ms':>10}{'torch ms':>10}{'ratio':>8}{'torch ms*':>11}{'ratio*':>8}")
    for name in WORKLOADS:
        print(
            f"{name:<22}{ours[name]:>10.2f}{torch[name]:>10.2f}{ours[name] / torch[name]:>8.2f}"
            f"{plain[name]:>11.2f}{ours[name] / plain[name]:>8.2f}"
        )
    print(f"\ntorch {torch['version']} with {torch['threads']} threads; * = with oneDNN switched off")
    print("(PyTorch's CPU LSTM and GRU then run its own kernels instead of oneDNN's fused RNN cells)")
    for name in WORKLOADS:
        ratio = ours[name] / torch[name]
        verdict = "meets" if ratio <= GOAL_RATIO else "misses"
        print(f"{name}: dlcore is {ratio:.2f}x PyTorch: {verdict} the goal of <= {GOAL_RATIO}x")


if __name__ == "__main__":
    main()
