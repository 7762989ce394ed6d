"""A tiny decoder-only (GPT-style) language model, a [CLS] pooling layer, and transformer arithmetic.

TinyGPT: tokens (N, T) -> logits (N, T, V), each position predicting the next token:

    x = Embed(tokens) + P[:T]                     learned (or fixed sinusoidal) positions, (N, T, d)
    x = block_L(... block_1(x))                   causal pre-norm transformer blocks
    logits = LN(x) W_out + b                      (N, T, V)

``generate`` samples a continuation (greedy, temperature, top-k via ``dlcore.sampling``), with
or without a key/value cache. Without a cache every new token reruns the model on the whole
window: O(T) positions per token. With the cache each block keeps the keys and values of the
positions already seen, and a new token computes only its own query, key and value and
attends over the cache: one position per token.

``TakeToken`` picks one position's vector (the [CLS] token of an encoder classifier).
``parameter_count`` and ``flops_per_token`` give the standard formulas.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from dlcore.attention import PositionalEmbedding, SinusoidalPositionalEncoding, masked_softmax
from dlcore.config import get_rng
from dlcore.embedding import Embedding
from dlcore.layers import Dense, LayerNorm
from dlcore.module import Module, check_input
from dlcore.sampling import sample
from dlcore.transformer import TransformerConfig, TransformerEncoderBlock


class TakeToken(Module):
    """x: (N, T, d) -> x[:, index]: (N, d); backward puts the gradient back at that position."""

    def __init__(self, index: int = 0):
        super().__init__()
        self.index = index

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, ndim=3, expected="(N, T, d)")
        self.shape = x.shape
        return x[:, self.index]

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad = np.zeros(self.shape, grad_out.dtype)
        grad[:, self.index] = grad_out
        return grad

    def __repr__(self) -> str:
        return f"TakeToken({self.index})"


class TinyGPT(Module):
    """Decoder-only transformer. forward(tokens (N, T <= context)) -> logits (N, T, vocab_size).

    positions: "learned" (a trained vector per position, GPT-2) or "sinusoidal" (the fixed
    encoding of Vaswani et al.; nothing to learn, which helps a model trained on little text).
    embed_std: standard deviation of the initial token embeddings.
    """

    def __init__(
        self,
        vocab_size: int,
        context: int,
        d_model: int = 64,
        num_heads: int = 4,
        num_layers: int = 2,
        norm_first: bool = True,
        positions: str = "learned",
        embed_std: float = 0.1,
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        super().__init__()
        if positions not in ("learned", "sinusoidal"):
            raise ValueError(f"TinyGPT: positions must be 'learned' or 'sinusoidal', got {positions!r}")
        rng = get_rng(rng)
        self.vocab_size, self.context, self.d_model = vocab_size, context, d_model
        self.positions = positions
        self.config = TransformerConfig(d_model=d_model, num_heads=num_heads, norm_first=norm_first)
        self.embed = Embedding(vocab_size, d_model, init_std=embed_std, rng=rng, dtype=dtype)
        if positions == "learned":
            self.pos = PositionalEmbedding(context, d_model, init_std=0.1, rng=rng, dtype=dtype)
        else:
            self.pos = SinusoidalPositionalEncoding(context, d_model, dtype=self.embed.W.value.dtype)
        self.blocks = [
            TransformerEncoderBlock(self.config, causal=True, rng=rng, dtype=dtype) for _ in range(num_layers)
        ]
        self.ln_f = LayerNorm(d_model, dtype=dtype)
        self.head = Dense(d_model, vocab_size, init="xavier", rng=rng, dtype=dtype)

    def forward(self, tokens: np.ndarray) -> np.ndarray:
        x = self.pos(self.embed(tokens))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))

    def backward(self, grad_out: np.ndarray) -> None:
        g = self.ln_f.backward(self.head.backward(grad_out))
        for block in reversed(self.blocks):
            g = block.backward(g)
        self.embed.backward(self.pos.backward(g))

    # --- generation ---------------------------------------------------------------------
    def _step_cached(self, token: np.ndarray, t: int, cache: list) -> np.ndarray:
        """One new token per sequence at position t, using and extending the K/V cache. (N,) -> (N, V)."""
        table = self.pos.P.value if self.positions == "learned" else self.pos.pe
        x = self.embed.W.value[token][:, None, :] + table[t]  # (N, 1, d)
        for block, (K, V) in zip(self.blocks, cache, strict=True):
            attn = block.attn
            N, h, dk, d = x.shape[0], attn.num_heads, attn.d_k, self.d_model
            a = block.ln_1(x)
            q = attn.q_proj(a).reshape(N, h, 1, dk)
            kv = attn.kv_proj(a)  # (N, 1, 2d)
            K[:, :, t] = kv[:, 0, :d].reshape(N, h, dk)
            V[:, :, t] = kv[:, 0, d:].reshape(N, h, dk)
            scores = q @ K[:, :, : t + 1].swapaxes(-1, -2) / math.sqrt(dk)  # (N, h, 1, t + 1)
            heads = masked_softmax(scores) @ V[:, :, : t + 1]  # (N, h, 1, dk)
            x = x + attn.out_proj(heads.reshape(N, 1, d))
            x = x + block.mlp(block.ln_2(x))
        return self.head(self.ln_f(x))[:, 0]

    def generate(
        self,
        prompt: np.ndarray,
        steps: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        rng: np.random.Generator | int | None = None,
        use_cache: bool = True,
    ) -> np.ndarray:
        """Continue prompt (N, P) int tokens by ``steps`` sampled tokens -> (N, P + steps).

        Windows longer than ``context`` keep the last ``context`` tokens (with the cache: the
        cache is rebuilt from the last context // 2 tokens when it fills up).
        """
        if not self.config.norm_first and use_cache:
            raise ValueError(f"{type(self).__name__}.generate: the cached path is written for pre-norm blocks")
        rng = get_rng(rng)
        was_training = self.training
        self.eval()
        tokens = np.array(prompt, dtype=np.int64, copy=True)
        N = len(tokens)
        try:
            if not use_cache:
                for _ in range(steps):
                    logits = self(tokens[:, -self.context :])[:, -1]
                    tokens = np.concatenate([tokens, sample(logits, temperature, top_k, rng)[:, None]], axis=1)
                return tokens
            cache, t, logits = None, 0, None
            for _ in range(steps):
                if cache is None or t == self.context:  # (re)fill the cache from the recent tokens
                    window = tokens[:, -(self.context // 2) :] if t else tokens[:, -self.context :]
                    cache = [self._empty_cache(N) for _ in self.blocks]
                    for t in range(window.shape[1]):
                        logits = self._step_cached(window[:, t], t, cache)
                    t = window.shape[1]
                nxt = sample(logits, temperature, top_k, rng)
                tokens = np.concatenate([tokens, nxt[:, None]], axis=1)
                if t < self.context:
                    logits = self._step_cached(nxt, t, cache)
                t += 1
            return tokens
        finally:
            self.train(was_training)

    def _empty_cache(self, N: int) -> tuple[np.ndarray, np.ndarray]:
        a = self.blocks[0].attn
        shape = (N, a.num_heads, self.context, a.d_k)
        dtype = self.head.W.value.dtype
        return np.zeros(shape, dtype), np.zeros(shape, dtype)

    def __repr__(self) -> str:
        c = self.config
        return (
            f"TinyGPT(vocab={self.vocab_size}, context={self.context}, d_model={c.d_model}, "
            f"heads={c.num_heads}, layers={len(self.blocks)}, {self.positions} positions)"
        )


def parameter_count(
    vocab_size: int, context: int, d_model: int, num_layers: int, learned_positions: bool = True
) -> dict[str, int]:
    """Parameters of TinyGPT (d_ff = 4 d), by part. Each block: 12 d^2 + 13 d.

    attention 4 d^2 + 4 d (W_q, W_k, W_v, W_o and biases), MLP 8 d^2 + 5 d, two layer norms 4 d.
    Fixed (sinusoidal) positions have no parameters: learned_positions=False counts 0 for them.
    """
    d = d_model
    return {
        "token embedding": vocab_size * d,
        "positions": context * d if learned_positions else 0,
        "blocks": num_layers * (12 * d * d + 13 * d),
        "final norm and head": 2 * d + d * vocab_size + vocab_size,
    }


def flops_per_token(non_embedding_params: int, num_layers: int, context: int, d_model: int) -> int:
    """Forward FLOPs per token, 2 N + 2 L T d (Kaplan et al. 2020): a multiply-add is 2 FLOPs."""
    return 2 * non_embedding_params + 2 * num_layers * context * d_model


def train_steps(
    model: Module,
    make_batch,
    steps: int,
    lr: float,
    rng: np.random.Generator | int | None = None,
    desc: str = "training",
    verbose: int = 1,
) -> tuple[list[float], float]:
    """Adam on fresh batches make_batch(rng) -> (x, y), cross-entropy on logits (N, T, V) or (N, C).

    Returns the loss of every step and the CPU seconds the training took (``time.process_time``,
    which other programs on a shared machine do not inflate the way they inflate wall time).
    """
    from tqdm.auto import tqdm

    from dlcore.losses import CategoricalCrossEntropy
    from dlcore.optim import Adam

    rng = get_rng(rng)
    loss, opt = CategoricalCrossEntropy(), Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    start = time.process_time()
    for _ in tqdm(range(steps), desc=desc, disable=not verbose, unit="step"):
        x, y = make_batch(rng)
        model.zero_grad()
        losses.append(loss(model(x), y))
        model.backward(loss.backward())
        opt.step()
    seconds = time.process_time() - start
    model.eval()
    return losses, seconds


@dataclass
class LMTrainingLog:
    """What ``train_language_model`` measured.

    losses: training loss of every step; cpu: CPU seconds after every step (training only);
    val_steps, val_cpu, val_loss: the validation loss at each check, with the step count and
    the training CPU seconds spent when it was taken.
    """

    losses: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    val_steps: list[int] = field(default_factory=list)
    val_cpu: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Total training CPU seconds."""
        return self.cpu[-1] if self.cpu else 0.0


def evaluate_loss(model: Module, x: np.ndarray, y: np.ndarray, batch_size: int = 256) -> float:
    """Mean cross-entropy per token of model(x) (N, T, V) against y (N, T), in eval mode, in batches."""
    from dlcore.losses import CategoricalCrossEntropy

    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"evaluate_loss: expected as many windows in x as in y (> 0), got {len(x)} and {len(y)}")
    ce, was_training, total = CategoricalCrossEntropy(), model.training, 0.0
    model.eval()
    try:
        for i in range(0, len(x), batch_size):
            total += ce(model(x[i : i + batch_size]), y[i : i + batch_size]) * len(x[i : i + batch_size])
    finally:
        model.train(was_training)
    return float(total / len(x))


def train_language_model(
    model: Module,
    train_ids: np.ndarray,
    steps: int,
    batch_size: int,
    seq_len: int,
    lr: float,
    warmup: int = 0,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    val_every: int = 20,
    rng: np.random.Generator | int | None = None,
    desc: str = "training",
    verbose: int = 1,
) -> LMTrainingLog:
    """Next-token training on random windows of ``train_ids`` (L,), with Adam and a schedule.

    Every step draws ``batch_size`` windows of ``seq_len`` tokens (``text.char_windows``),
    sets the rate from a linear warm-up over ``warmup`` steps followed by a cosine decay to 0
    at ``steps`` (``dlcore.schedules``), and takes one Adam step on the mean cross-entropy.
    ``validation`` = (x, y) windows is evaluated every ``val_every`` steps and after the last;
    that time is not counted in the CPU seconds (``time.process_time``).
    """
    from tqdm.auto import tqdm

    from dlcore.losses import CategoricalCrossEntropy
    from dlcore.optim import Adam
    from dlcore.schedules import Cosine, LinearWarmup
    from dlcore.text import char_windows

    if steps < 1 or batch_size < 1 or not 0 <= warmup < steps:
        raise ValueError(
            f"train_language_model: need steps >= 1, batch_size >= 1 and 0 <= warmup < steps, "
            f"got steps={steps}, batch_size={batch_size}, warmup={warmup}"
        )
    rng = get_rng(rng)
    schedule = LinearWarmup(Cosine(lr, steps - warmup), warmup)
    loss, opt = CategoricalCrossEntropy(), Adam(model.parameters(), lr=lr)
    log, cpu = LMTrainingLog(), 0.0
    model.train()
    for step in tqdm(range(steps), desc=desc, disable=not verbose, unit="step"):
        start = time.process_time()
        x, y = char_windows(train_ids, seq_len, batch_size, rng=rng)
        opt.lr = schedule(step)
        model.zero_grad()
        log.losses.append(loss(model(x), y))
        model.backward(loss.backward())
        opt.step()
        cpu += time.process_time() - start
        log.cpu.append(cpu)
        if validation is not None and ((step + 1) % val_every == 0 or step + 1 == steps):
            log.val_steps.append(step + 1)
            log.val_cpu.append(cpu)
            log.val_loss.append(evaluate_loss(model, *validation))
            model.train()
    model.eval()
    return log
