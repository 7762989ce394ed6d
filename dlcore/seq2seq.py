"""A GRU encoder-decoder (sequence-to-sequence) model, with or without additive attention.

    encoder:  e = GRU(Embed(x))                      x: (N, S) tokens -> e: (N, S, H)
    decoder:  d = GRU(Embed(y_in), h0 = e[:, -1])    y_in: (N, T) -> d: (N, T, H)
    without attention: logits = Dense(d)                          (N, T, V_out)
    with attention:    c = AdditiveAttention(d, e)   (N, T, H) a weighted average of e
                       logits = Dense([d, c])

Without attention the decoder sees the source only through e[:, -1], one vector of H numbers
however long the source is: the bottleneck. With attention every decoder step reads all of e.
(The attention is applied to the decoder's output, Luong et al.'s placement, with Bahdanau's
additive score; Bahdanau et al. feed the context into the recurrent step instead.)

Training uses teacher forcing: y_in is the target shifted right by one, behind a start token
(``teacher_forcing_inputs``). ``generate`` decodes greedily, feeding back its own predictions.
"""

from __future__ import annotations

import numpy as np

from dlcore.additive_attention import AdditiveAttention
from dlcore.config import get_rng
from dlcore.embedding import Embedding
from dlcore.layers import Dense
from dlcore.losses import CategoricalCrossEntropy
from dlcore.module import Module
from dlcore.optim import Adam
from dlcore.recurrent import GRU


def teacher_forcing_inputs(y: np.ndarray, start: int) -> np.ndarray:
    """Decoder inputs for targets y: (N, T) -> [start, y_0, ..., y_{T-2}]: (N, T)."""
    y = np.asarray(y)
    return np.concatenate([np.full((len(y), 1), start, dtype=y.dtype), y[:, :-1]], axis=1)


class Seq2Seq(Module):
    """forward(src, y_in) -> logits (N, T, vocab_out); backward(dlogits) fills the gradients.

    src: (N, S) ints in 0..vocab_in-1; y_in: (N, T) ints in 0..vocab_out (vocab_out is the
    start token). hidden: H, the width of both GRUs; embed: token vector width.
    """

    def __init__(
        self,
        vocab_in: int,
        vocab_out: int,
        hidden: int = 32,
        embed: int = 16,
        attention: bool = True,
        rng: np.random.Generator | int | None = None,
    ):
        super().__init__()
        rng = get_rng(rng)
        self.vocab_out, self.hidden, self.start = vocab_out, hidden, vocab_out
        self.src_embed = Embedding(vocab_in, embed, init_std=0.5, rng=rng)
        self.encoder = GRU(embed, hidden, return_sequences=True, rng=rng)
        self.tgt_embed = Embedding(vocab_out + 1, embed, init_std=0.5, rng=rng)
        self.decoder = GRU(embed, hidden, return_sequences=True, rng=rng)
        self.attention = AdditiveAttention(hidden, hidden, attn_dim=hidden, rng=rng) if attention else None
        self.head = Dense(2 * hidden if attention else hidden, vocab_out, init="xavier", rng=rng)

    def _decode(self, y_in: np.ndarray, e: np.ndarray, h0: np.ndarray) -> np.ndarray:
        d = self.decoder(self.tgt_embed(y_in), h0=h0)  # (N, T, H)
        if self.attention is None:
            return self.head(d)
        c = self.attention(d, e)  # (N, T, H)
        return self.head(np.concatenate([d, c], axis=-1))

    def forward(self, src: np.ndarray, y_in: np.ndarray) -> np.ndarray:
        e = self.encoder(self.src_embed(src))  # (N, S, H)
        self._enc_shape = e.shape
        return self._decode(y_in, e, e[:, -1])

    def backward(self, grad_out: np.ndarray) -> None:
        H = self.hidden
        dfeat = self.head.backward(grad_out)
        if self.attention is None:
            dd, de = dfeat, None
        else:
            dq, de = self.attention.backward(dfeat[..., H:])
            dd = dfeat[..., :H] + dq
        self.tgt_embed.backward(self.decoder.backward(dd))
        de = np.zeros(self._enc_shape, dd.dtype) if de is None else de.copy()
        de[:, -1] += self.decoder.dh0  # the decoder started from the encoder's last state
        self.src_embed.backward(self.encoder.backward(de))

    def generate(self, src: np.ndarray, length: int) -> np.ndarray:
        """Greedy decoding: (N, S) -> (N, length) tokens, each step fed the previous prediction."""
        e = self.encoder(self.src_embed(src))
        h = e[:, -1]
        prev = np.full((len(src), 1), self.start, dtype=np.int64)
        out = np.empty((len(src), length), dtype=np.int64)
        for t in range(length):
            logits = self._decode(prev, e, h)  # one step: (N, 1, V)
            h = self.decoder.h_n
            out[:, t] = prev[:, 0] = logits[:, 0].argmax(axis=-1)
        return out


def train_seq2seq(
    model: Seq2Seq,
    make_batch,
    steps: int,
    lr: float = 1e-2,
    rng: np.random.Generator | int | None = None,
    verbose: int = 1,
) -> list[float]:
    """Adam on fresh batches: make_batch(rng) -> (src, y). Returns the loss of every step."""
    rng = get_rng(rng)
    loss, opt = CategoricalCrossEntropy(), Adam(model.parameters(), lr=lr, clip_norm=5.0)
    losses = []
    from tqdm.auto import tqdm  # here, not at the top: importing dlcore stays quick

    for _ in tqdm(range(steps), disable=not verbose, desc="seq2seq", unit="step"):
        src, y = make_batch(rng)
        model.zero_grad()
        losses.append(loss(model(src, teacher_forcing_inputs(y, model.start)), y))
        model.backward(loss.backward())
        opt.step()
    return losses


class TransformerSeq2Seq(Module):
    """A transformer encoder-decoder. forward(src, y_in) -> logits (N, T, vocab_out).

        encoder:  e = LN(enc_L(... enc_1(Embed(src) + P[:S])))    unmasked self-attention
        decoder:  x = Embed(y_in) + P[:T]
                  x = dec_l(x, e) for each block: causal self-attention over the target so far,
                      cross-attention (queries from x, keys and values from e), MLP
                  logits = LN(x) W + b

    src: (N, S <= max_len) ints in 0..vocab_in-1; y_in: (N, T <= max_len) ints in
    0..vocab_out (vocab_out is the start token; ``teacher_forcing_inputs`` builds y_in).
    positions: "learned" or "sinusoidal", for both sequences. ``generate`` decodes greedily.
    After a forward pass each decoder block's cross-attention weights, (N, h, T, S), are in
    ``model.decoder[l].cross_attn.attention_weights``.
    """

    def __init__(
        self,
        vocab_in: int,
        vocab_out: int,
        max_len: int,
        d_model: int = 32,
        num_heads: int = 4,
        encoder_layers: int = 1,
        decoder_layers: int = 1,
        positions: str = "learned",
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        super().__init__()
        from dlcore.attention import PositionalEmbedding, SinusoidalPositionalEncoding
        from dlcore.layers import LayerNorm
        from dlcore.transformer import TransformerConfig, TransformerDecoderBlock, TransformerEncoderBlock

        if positions not in ("learned", "sinusoidal"):
            raise ValueError(f"TransformerSeq2Seq: positions must be 'learned' or 'sinusoidal', got {positions!r}")
        if min(vocab_in, vocab_out) < 2 or max_len < 1 or min(encoder_layers, decoder_layers) < 1:
            raise ValueError(
                "TransformerSeq2Seq: need vocab sizes >= 2, max_len >= 1 and at least one block on each side, "
                f"got vocab_in={vocab_in}, vocab_out={vocab_out}, max_len={max_len}, "
                f"layers={encoder_layers}, {decoder_layers}"
            )
        rng = get_rng(rng)
        self.vocab_in, self.vocab_out, self.start, self.max_len = vocab_in, vocab_out, vocab_out, max_len
        cfg = TransformerConfig(d_model=d_model, num_heads=num_heads)

        def pos():
            if positions == "learned":
                return PositionalEmbedding(max_len, d_model, init_std=0.5, rng=rng, dtype=dtype)
            return SinusoidalPositionalEncoding(max_len, d_model, dtype=self.src_embed.W.value.dtype)

        self.src_embed = Embedding(vocab_in, d_model, init_std=0.5, rng=rng, dtype=dtype)
        self.src_pos = pos()
        self.encoder = [TransformerEncoderBlock(cfg, rng=rng, dtype=dtype) for _ in range(encoder_layers)]
        self.enc_norm = LayerNorm(d_model, dtype=dtype)
        self.tgt_embed = Embedding(vocab_out + 1, d_model, init_std=0.5, rng=rng, dtype=dtype)
        self.tgt_pos = pos()
        self.decoder = [TransformerDecoderBlock(cfg, rng=rng, dtype=dtype) for _ in range(decoder_layers)]
        self.dec_norm = LayerNorm(d_model, dtype=dtype)
        self.head = Dense(d_model, vocab_out, init="xavier", rng=rng, dtype=dtype)

    def _check(self, name: str, ids: np.ndarray, high: int, n: int | None = None) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"TransformerSeq2Seq: expected {name} as integer ids (N, T), got {ids.dtype} {ids.shape}")
        if ids.shape[1] > self.max_len or ids.shape[1] == 0:
            raise ValueError(
                f"TransformerSeq2Seq: {name} has length {ids.shape[1]}, expected 1..{self.max_len} (max_len)"
            )
        if n is not None and len(ids) != n:
            raise ValueError(f"TransformerSeq2Seq: src has {n} sequences but {name} has {len(ids)}")
        if ids.size and (ids.min() < 0 or ids.max() > high):
            raise ValueError(f"TransformerSeq2Seq: {name} ids must be in 0..{high}, got {ids.min()}..{ids.max()}")
        return ids

    def encode(self, src: np.ndarray) -> np.ndarray:
        """src (N, S) -> encoder output e (N, S, d_model)."""
        x = self.src_pos(self.src_embed(self._check("src", src, self.vocab_in - 1)))
        for block in self.encoder:
            x = block(x)
        return self.enc_norm(x)

    def decode(self, y_in: np.ndarray, e: np.ndarray) -> np.ndarray:
        """y_in (N, T), e (N, S, d_model) -> logits (N, T, vocab_out)."""
        x = self.tgt_pos(self.tgt_embed(self._check("y_in", y_in, self.vocab_out, len(e))))
        for block in self.decoder:
            x = block(x, e)
        return self.head(self.dec_norm(x))

    def forward(self, src: np.ndarray, y_in: np.ndarray) -> np.ndarray:
        return self.decode(y_in, self.encode(src))

    def backward(self, grad_out: np.ndarray) -> None:
        g = self.dec_norm.backward(self.head.backward(grad_out))
        de = 0.0
        for block in reversed(self.decoder):
            g, dcontext = block.backward(g)
            de = de + dcontext  # every decoder block read the same encoder output
        self.tgt_embed.backward(self.tgt_pos.backward(g))
        de = self.enc_norm.backward(de)
        for block in reversed(self.encoder):
            de = block.backward(de)
        self.src_embed.backward(self.src_pos.backward(de))

    def generate(self, src: np.ndarray, length: int) -> np.ndarray:
        """Greedy decoding: (N, S) -> (N, length); each step reruns the decoder on the tokens so far."""
        if not 1 <= length <= self.max_len:
            raise ValueError(f"TransformerSeq2Seq.generate: length must be in 1..{self.max_len}, got {length}")
        was_training = self.training
        self.eval()
        try:
            e = self.encode(src)
            tokens = np.full((len(e), 1), self.start, dtype=np.int64)
            for _ in range(length):
                nxt = self.decode(tokens, e)[:, -1].argmax(axis=-1)
                tokens = np.concatenate([tokens, nxt[:, None]], axis=1)
            return tokens[:, 1:]
        finally:
            self.train(was_training)

    def __repr__(self) -> str:
        d = self.head.in_features
        return (
            f"TransformerSeq2Seq(vocab {self.vocab_in} -> {self.vocab_out}, d_model={d}, "
            f"{len(self.encoder)} encoder + {len(self.decoder)} decoder blocks)"
        )
