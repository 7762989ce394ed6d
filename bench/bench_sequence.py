"""Time dlcore's sequence layers against PyTorch on the CPU, side by side (see harness.py).

The workloads, float32, forward + backward (the gradients of the input and of every
parameter for a fixed random output gradient):
- LSTM: input 32, hidden 128, 50 steps, batch 64, all hidden states returned;
- GRU: the same sizes;
- transformer block: pre-norm encoder block, d_model 64, 4 heads, MLP 64 -> 256 -> 64 with
  GELU (tanh form), 64 tokens, batch 32 (attention, two layer norms, MLP, residuals).
PyTorch runs in a separate process named by TORCH_PYTHON (see torch_runner.py) with its
default CPU kernels (oneDNN where it has them); the two take turns round by round.

    python bench/bench_sequence.py [--rounds 30] [--threads 1]
"""

from __future__ import annotations

import numpy as np
from harness import Workload, run_main  # bench/harness.py

RNN = {"batch": 64, "steps": 50, "input": 32, "hidden": 128}
BLOCK = {"batch": 32, "tokens": 64, "d_model": 64, "heads": 4, "d_ff": 256}
GOALS = {"LSTM": 1.5, "GRU": 1.0, "transformer block": 1.2}

TORCH_SETUP = """
import torch
import torch.nn.functional as F

def rnn_step(cls, rnn):
    layer = cls(rnn["input"], rnn["hidden"], batch_first=True)
    x = torch.randn(rnn["batch"], rnn["steps"], rnn["input"], requires_grad=True)
    g = torch.randn(rnn["batch"], rnn["steps"], rnn["hidden"])
    def step():
        layer.zero_grad(); x.grad = None
        out, _ = layer(x)
        out.backward(g)
    return step

def block_step(block):
    layer = torch.nn.TransformerEncoderLayer(
        block["d_model"], block["heads"], block["d_ff"], dropout=0.0,
        activation=lambda z: F.gelu(z, approximate="tanh"), batch_first=True, norm_first=True)
    x = torch.randn(block["batch"], block["tokens"], block["d_model"], requires_grad=True)
    g = torch.randn(block["batch"], block["tokens"], block["d_model"])
    def step():
        layer.zero_grad(); x.grad = None
        layer(x).backward(g)
    return step

def setup(p):
    return {"LSTM": rnn_step(torch.nn.LSTM, p["rnn"]), "GRU": rnn_step(torch.nn.GRU, p["rnn"]),
            "transformer block": block_step(p["block"])}
"""


def _step(layer, x: np.ndarray, grad_out: np.ndarray):
    def step():
        layer.zero_grad()
        layer(x)
        layer.backward(grad_out)

    return step


def rnn_flops(gates: int) -> float:
    """Forward: x W and h U for every step; backward: twice that (weights and inputs)."""
    N, T, D, H = RNN["batch"], RNN["steps"], RNN["input"], RNN["hidden"]
    return 3 * 2.0 * T * N * (D + H) * gates * H


def block_flops() -> float:
    """Forward: q, k, v and output projections, the MLP, scores and weighted sums; backward twice that."""
    N, T, d, f = BLOCK["batch"], BLOCK["tokens"], BLOCK["d_model"], BLOCK["d_ff"]
    return 3 * 2.0 * N * T * (4 * d * d + 2 * d * f + 2 * T * d)


def workloads() -> list[Workload]:
    from dlcore.recurrent import GRU, LSTM
    from dlcore.transformer import TransformerConfig, TransformerEncoderBlock

    rng = np.random.default_rng(0)
    x = rng.standard_normal((RNN["batch"], RNN["steps"], RNN["input"]), dtype=np.float32)
    g = rng.standard_normal((RNN["batch"], RNN["steps"], RNN["hidden"]), dtype=np.float32)
    work = []
    for name, cls, gates in (("LSTM", LSTM, 4), ("GRU", GRU, 3)):
        layer = cls(RNN["input"], RNN["hidden"], return_sequences=True, rng=0)
        step_matmul = (RNN["batch"], RNN["hidden"], gates * RNN["hidden"])  # h_{t-1} @ U, the sequential product
        work.append(Workload(name, _step(layer, x, g), rnn_flops(gates), step_matmul))

    config = TransformerConfig(d_model=BLOCK["d_model"], num_heads=BLOCK["heads"], d_ff=BLOCK["d_ff"])
    block = TransformerEncoderBlock(config, rng=0)
    xb = rng.standard_normal((BLOCK["batch"], BLOCK["tokens"], BLOCK["d_model"]), dtype=np.float32)
    gb = rng.standard_normal(xb.shape, dtype=np.float32)
    main = (BLOCK["batch"] * BLOCK["tokens"], BLOCK["d_model"], BLOCK["d_ff"])  # the MLP's first product
    work.append(Workload("transformer block", _step(block, xb, gb), block_flops(), main))
    return work


def main() -> None:
    header = (
        f"LSTM / GRU: input {RNN['input']}, hidden {RNN['hidden']}, {RNN['steps']} steps, batch {RNN['batch']}\n"
        f"transformer block: d_model {BLOCK['d_model']}, {BLOCK['heads']} heads, MLP {BLOCK['d_ff']}, "
        f"{BLOCK['tokens']} tokens, batch {BLOCK['batch']}, pre-norm; float32, forward + backward"
    )
    run_main(__doc__, __file__, workloads, TORCH_SETUP, {"rnn": RNN, "block": BLOCK}, GOALS, header)


if __name__ == "__main__":
    main()
