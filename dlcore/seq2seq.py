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
