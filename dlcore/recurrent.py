"""Recurrent layers: SimpleRNN, LSTM, GRU and the Bidirectional wrapper.

All layers take batch-first input ``x: (N, T, D)`` (N sequences of T steps with D features)
and return every hidden state ``(N, T, H)`` when ``return_sequences=True``, else only the
last one ``(N, H)``.

How the work is split, for speed:
- The input part of every gate at every step does not depend on the recurrence, so it is
  one matrix product for the whole sequence: ``(T*N, D) @ W -> (T*N, G*H)`` where G is the
  number of gates. The gates' weights sit side by side in ``W: (D, G*H)`` and ``U: (H, G*H)``.
- Only ``h_{t-1} @ U`` (one product for all gates) has to run step by step.
- Backpropagation through time walks the steps backwards and records the gradient of every
  gate's pre-activation ``dZ: (T, N, G*H)``; afterwards dW, dU, db and dx are again one matrix
  product each for the whole sequence.
Internally arrays are time-major ``(T, N, ...)`` so that ``a[t]`` is one contiguous block.

Initial states ``h0`` (and ``c0`` for the LSTM) default to zeros; pass them to ``forward``.
After ``backward`` the gradients of the loss with respect to them are in ``layer.dh0``
(and ``layer.dc0``). After ``forward`` the final states are in ``layer.h_n`` (and ``layer.c_n``),
e.g. to start another layer from them; gradients do not flow back through that route.

Weights start uniform in [-1/sqrt(H), 1/sqrt(H)] (PyTorch's choice); the LSTM's forget-gate
bias starts at 1 so that early in training the cell remembers by default.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from dlcore.config import get_rng, resolve_dtype
from dlcore.module import Module, Parameter, Workspace, check_input

LSTM_FORGET_BIAS = 1.0


def _sigmoid_(z: np.ndarray) -> np.ndarray:
    """In place: z <- sigma(z), written as 0.5 * tanh(z / 2) + 0.5 (same function, never overflows)."""
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


class _Recurrent(Module):
    """What SimpleRNN, LSTM and GRU share: fused weights, shape checks, time-major bookkeeping.

    W: (D, G*H) input weights, U: (H, G*H) recurrent weights, b: (G*H,) bias, for G gates.
    """

    num_gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        return_sequences: bool = False,
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        super().__init__()
        if input_size < 1 or hidden_size < 1:
            raise ValueError(
                f"{type(self).__name__}: input_size and hidden_size must be >= 1, got {input_size}, {hidden_size}"
            )
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.return_sequences = return_sequences
        G, D, H = self.num_gates, input_size, hidden_size
        dtype = resolve_dtype(dtype)
        self.W = Parameter(np.zeros((D, G * H), dtype), "W")
        self.U = Parameter(np.zeros((H, G * H), dtype), "U")
        self.b = Parameter(np.zeros(G * H, dtype), "b")
        self._workspace = Workspace()
        self.reset_parameters(rng)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw new weights in place: uniform in [-1/sqrt(H), 1/sqrt(H)]."""
        rng = get_rng(rng)
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            p.value[...] = rng.uniform(-bound, bound, p.shape)

    # --- helpers shared by the three cells --------------------------------------------
    def _expected(self) -> str:
        return f"(N, T, {self.input_size})"

    def _time_major(self, x: np.ndarray) -> np.ndarray:
        """Check x: (N, T, D) and return it as a contiguous (T, N, D) array."""
        check_input(self, x, ndim=3, size={2: self.input_size}, expected=self._expected())
        if x.shape[1] < 1:
            raise ValueError(f"{self!r}: expected at least one time step, got input of shape {x.shape}")
        # (N, T, D) -> (T, N, D), in the weights' dtype (a float64 batch into a float32 layer runs in float32)
        return np.ascontiguousarray(x.transpose(1, 0, 2), dtype=self.W.value.dtype)

    def _input_part(self, xs: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """x_t @ W + b for every step at once. xs: (T, N, D) -> (T, N, G*H), into ``out`` if given."""
        T, N, D = xs.shape
        if out is not None:
            out = out.reshape(T * N, -1)
        a = np.matmul(xs.reshape(T * N, D), self.W.value, out=out)
        a += self.b.value  # in place: one (T*N, G*H) array, not two
        return a.reshape(T, N, -1)

    def _state(self, s: np.ndarray | None, name: str, N: int, dtype: np.dtype) -> np.ndarray:
        """An initial state (N, H): zeros when None, else checked."""
        H = self.hidden_size
        if s is None:
            return np.zeros((N, H), dtype)
        check_input(f"{self!r} {name}", s, ndim=2, size={0: N, 1: H}, expected=f"({N}, {H})")
        return s.astype(dtype, copy=False)

    def _output(self, hs: np.ndarray) -> np.ndarray:
        """hs: (T, N, H) time-major -> (N, T, H) if return_sequences else the last step (N, H)."""
        return hs.transpose(1, 0, 2) if self.return_sequences else hs[-1]

    def _grad_time_major(self, grad_out: np.ndarray, T: int, N: int) -> np.ndarray:
        """dL/dh_t coming from above for every step, as (T, N, H)."""
        H = self.hidden_size
        if self.return_sequences:
            if grad_out.shape != (N, T, H):
                raise ValueError(f"{self!r}.backward: expected grad_out of shape {(N, T, H)}, got {grad_out.shape}")
            return grad_out.transpose(1, 0, 2)  # (N, T, H) -> (T, N, H)
        if grad_out.shape != (N, H):
            raise ValueError(f"{self!r}.backward: expected grad_out of shape {(N, H)}, got {grad_out.shape}")
        dH = np.zeros((T, N, H), grad_out.dtype)
        dH[-1] = grad_out  # only the last state was used
        return dH

    def _accumulate(self, xs: np.ndarray, h_prev: np.ndarray, dA: np.ndarray, dHU: np.ndarray) -> np.ndarray:
        """Parameter gradients and dx from per-step gate gradients, one matmul each.

        xs: (T, N, D) inputs; h_prev: (T, N, H) the states the steps started from;
        dA: (T, N, G*H) dL/d(x_t W + b); dHU: (T, N, G*H) dL/d(h_{t-1} U). Returns dx: (N, T, D).
        """
        T, N, D = xs.shape
        dA2 = dA.reshape(T * N, -1)
        self.b.grad += dA2.sum(axis=0)
        if dHU is dA:  # x_t and h_{t-1} feed the same pre-activations: one product [x, h]^T dA gives dW and dU
            xh = np.concatenate([xs, h_prev], axis=2).reshape(T * N, -1)  # (T*N, D + H)
            dWU = xh.T @ dA2  # (D + H, G*H)
            self.W.grad += dWU[:D]
            self.U.grad += dWU[D:]
        else:
            self.W.grad += xs.reshape(T * N, D).T @ dA2
            self.U.grad += h_prev.reshape(T * N, -1).T @ dHU.reshape(T * N, -1)
        dx = (dA2 @ self.W.value.T).reshape(T, N, D)
        return dx.transpose(1, 0, 2)  # (T, N, D) -> (N, T, D)

    def __repr__(self) -> str:
        seq = ", return_sequences=True" if self.return_sequences else ""
        return f"{type(self).__name__}({self.input_size} -> {self.hidden_size}{seq})"


class SimpleRNN(_Recurrent):
    """Elman recurrent layer.

        h_t = tanh(x_t W + h_{t-1} U + b)

    x: (N, T, D), h0: (N, H) or None -> (N, T, H) if return_sequences else (N, H).
    W: (D, H), U: (H, H), b: (H,).
    """

    num_gates = 1

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        xs = self._time_major(x)  # (T, N, D)
        T, N, _ = xs.shape
        a = self._input_part(xs)  # x_t W + b: (T, N, H)
        hs = np.empty((T + 1, N, self.hidden_size), a.dtype)  # hs[t + 1] = h_t, hs[0] = h0
        hs[0] = self._state(h0, "h0", N, a.dtype)
        U = self.U.value
        for t in range(T):
            z = np.matmul(hs[t], U, out=hs[t + 1])
            z += a[t]
            np.tanh(z, out=z)
        self.cache = xs, hs
        self.h_n = hs[-1]
        return self._output(hs[1:])

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: dL/d(output) -> dx: (N, T, D); sets self.dh0: (N, H)."""
        xs, hs = self.cache
        T, N, _ = xs.shape
        dH = self._grad_time_major(grad_out, T, N)
        dZ = np.empty_like(hs[1:])  # dL/dz_t, z_t = x_t W + h_{t-1} U + b: (T, N, H)
        dh_next = np.zeros_like(hs[0])  # dL/dh_t through step t + 1
        U_T = self.U.value.T
        for t in reversed(range(T)):
            dh = dH[t] + dh_next  # from above, and from step t + 1
            dZ[t] = dh * (1.0 - hs[t + 1] ** 2)  # tanh'(z_t) = 1 - h_t^2
            dh_next = dZ[t] @ U_T
        self.dh0 = dh_next
        return self._accumulate(xs, hs[:-1], dZ, dZ)


class LSTM(_Recurrent):
    """Long short-term memory layer (Hochreiter & Schmidhuber), without peepholes.

        i_t = sigma(x_t W_i + h_{t-1} U_i + b_i)       input gate
        f_t = sigma(x_t W_f + h_{t-1} U_f + b_f)       forget gate
        g_t = tanh(x_t W_g + h_{t-1} U_g + b_g)        candidate cell
        o_t = sigma(x_t W_o + h_{t-1} U_o + b_o)       output gate
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * tanh(c_t)

    x: (N, T, D), h0, c0: (N, H) or None -> (N, T, H) if return_sequences else (N, H).
    W: (D, 4H), U: (H, 4H), b: (4H,), gates side by side in the order i, f, g, o (as in PyTorch).
    """

    num_gates = 4

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        super().reset_parameters(rng)
        H = self.hidden_size
        self.b.value[H : 2 * H] += LSTM_FORGET_BIAS

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> np.ndarray:
        xs = self._time_major(x)  # (T, N, D)
        T, N, _ = xs.shape
        H = self.hidden_size
        # sigma(z) = 0.5 * tanh(0.5 * z) + 0.5, so one tanh over the whole row (N, 4H) serves all four
        # gates: scale is 0.5 on the sigmoid gates and 1 on g, shift is 0.5 on the sigmoid gates and 0 on g.
        # The inner scaling is folded into the weights once: (x W + b) * scale and U * scale.
        scale, shift = self._gate_scale_shift()
        ws = self._workspace  # arrays only forward and backward see, reused from call to call
        # x_t W + b: (T, N, 4H); becomes the gate values in place
        gates = self._input_part(xs, out=ws.get("gates", (T, N, 4 * H), xs.dtype))
        gates *= scale
        U_scaled = self.U.value * scale
        hs = np.empty((T + 1, N, H), gates.dtype)  # hs[t + 1] = h_t; new every call, the output is a view of it
        cs = ws.get("cs", (T + 1, N, H), gates.dtype)  # cs[t + 1] = c_t
        tanh_c = ws.get("tanh_c", (T, N, H), gates.dtype)
        hs[0] = self._state(h0, "h0", N, gates.dtype)
        cs[0] = self._state(c0, "c0", N, gates.dtype)
        hu = ws.get("hu", (N, 4 * H), gates.dtype)  # scratch for h_{t-1} U, reused every step
        ig = ws.get("ig", (N, H), gates.dtype)
        for t in range(T):
            z = gates[t]
            z += np.matmul(hs[t], U_scaled, out=hu)  # scaled pre-activations of all four gates: (N, 4H)
            np.tanh(z, out=z)
            z *= scale
            z += shift  # i, f, o = sigma(.), g = tanh(.)
            i, f, g, o = z[:, :H], z[:, H : 2 * H], z[:, 2 * H : 3 * H], z[:, 3 * H :]
            np.multiply(f, cs[t], out=cs[t + 1])
            cs[t + 1] += np.multiply(i, g, out=ig)
            np.tanh(cs[t + 1], out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=hs[t + 1])
        self.cache = xs, hs, cs, tanh_c, gates
        self.h_n, self.c_n = hs[-1], cs[-1].copy()  # c_n outlives the workspace
        return self._output(hs[1:])

    def _gate_scale_shift(self) -> tuple[np.ndarray, np.ndarray]:
        """(scale, shift), each (4H,): 0.5 and 0.5 on the sigmoid gates i, f, o; 1 and 0 on g."""
        H, dtype = self.hidden_size, self.W.value.dtype
        scale = np.full(4 * H, 0.5, dtype)
        scale[2 * H : 3 * H] = 1.0
        shift = np.full(4 * H, 0.5, dtype)
        shift[2 * H : 3 * H] = 0.0
        return scale, shift

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: dL/d(output) -> dx: (N, T, D); sets self.dh0, self.dc0: (N, H)."""
        xs, hs, cs, tanh_c, gates = self.cache
        T, N, _ = xs.shape
        H = self.hidden_size
        dH = np.ascontiguousarray(self._grad_time_major(grad_out, T, N))
        i, f, g, o = (gates[..., k * H : (k + 1) * H] for k in range(4))  # each (T, N, H)
        # Each gate's pre-activation gradient is a local derivative (known after forward) times
        # dc_t (gates i, f, g) or dh_t (gate o). The local parts are computed for all steps at
        # once into dZ; the loop over time then only multiplies them by dc_t or dh_t.
        ws = self._workspace
        dZ = ws.get("dZ", gates.shape, gates.dtype)  # dL/d(pre-activations): (T, N, 4H)
        # (written in place, gate by gate: no temporary arrays)
        for k, (gate, times) in enumerate(((i, g), (f, cs[:-1]), (None, i), (o, tanh_c))):
            d = dZ[..., k * H : (k + 1) * H]
            if gate is None:  # candidate: c_t has i * g, tanh' = 1 - g^2
                np.multiply(g, g, out=d)
                np.subtract(1.0, d, out=d)
            else:  # sigma' = s (1 - s); input gate: c_t has i * g; forget: f * c_{t-1}; output: o * tanh(c_t)
                np.subtract(1.0, gate, out=d)
                d *= gate
            d *= times
        dc_dh = np.multiply(tanh_c, tanh_c, out=ws.get("dc_dh", tanh_c.shape, tanh_c.dtype))
        np.subtract(1.0, dc_dh, out=dc_dh)
        dc_dh *= o  # dc_t / dh_t through h_t = o * tanh(c_t): o (1 - tanh^2 c_t)
        dZ4 = dZ.reshape(T, N, 4, H)  # a view: gate k of step t is dZ4[t, :, k]
        dh, dc = np.empty((N, H), dZ.dtype), np.empty((N, H), dZ.dtype)
        dh_next = np.zeros_like(hs[0])  # dL/dh_t through step t + 1
        dc_next = np.zeros_like(cs[0])  # dL/dc_t through step t + 1
        U_T = self.U.value.T
        for t in reversed(range(T)):
            np.add(dH[t], dh_next, out=dh)
            np.multiply(dh, dc_dh[t], out=dc)
            dc += dc_next  # through h_t = o * tanh(c_t), and from c_{t+1}
            dZ4[t, :, :3] *= dc[:, None, :]  # gates i, f, g act through c_t
            dZ4[t, :, 3] *= dh  # gate o acts through h_t
            np.multiply(dc, f[t], out=dc_next)
            np.matmul(dZ[t], U_T, out=dh_next)
        self.dh0, self.dc0 = dh_next, dc_next
        return self._accumulate(xs, hs[:-1], dZ, dZ)


class GRU(_Recurrent):
    """Gated recurrent unit (Cho et al.), in the form PyTorch and Keras (reset_after=True) use.

        r_t = sigma(x_t W_r + h_{t-1} U_r + b_r)                     reset gate
        z_t = sigma(x_t W_z + h_{t-1} U_z + b_z)                     update gate
        n_t = tanh(x_t W_n + b_n + r_t * (h_{t-1} U_n + b_hn))       candidate state
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}

    Conventions differ between texts in two ways:
    - which way z points: here z_t = 1 keeps the old state (as in Cho et al., PyTorch, Keras);
      other texts write h_t = (1 - z_t) * h_{t-1} + z_t * n_t, the same model with z -> 1 - z.
    - where the reset gate acts: here after the product, r_t * (h_{t-1} U_n); the original
      paper resets before it, (r_t * h_{t-1}) U_n. Resetting after lets one matmul
      h_{t-1} @ U serve all three gates, which is why fast implementations use it.

    x: (N, T, D), h0: (N, H) or None -> (N, T, H) if return_sequences else (N, H).
    W: (D, 3H), U: (H, 3H), b: (3H,), gates in the order r, z, n; b_hn: (H,).
    """

    num_gates = 3

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        return_sequences: bool = False,
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        self.b_hn = Parameter(np.zeros(hidden_size, resolve_dtype(dtype)), "b_hn")
        super().__init__(input_size, hidden_size, return_sequences, rng=rng, dtype=dtype)

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        xs = self._time_major(x)  # (T, N, D)
        T, N, _ = xs.shape
        H = self.hidden_size
        a = self._input_part(xs)  # x_t W + b: (T, N, 3H)
        gates = np.empty_like(a)  # r, z, n for every step
        hn = np.empty((T, N, H), a.dtype)  # h_{t-1} U_n + b_hn, needed again by backward
        hs = np.empty((T + 1, N, H), a.dtype)
        hs[0] = self._state(h0, "h0", N, a.dtype)
        U, b_hn = self.U.value, self.b_hn.value
        for t in range(T):
            hu = hs[t] @ U  # (N, 3H)
            rz = np.add(a[t, :, : 2 * H], hu[:, : 2 * H], out=gates[t, :, : 2 * H])
            _sigmoid_(rz)
            r, z = rz[:, :H], rz[:, H:]
            np.add(hu[:, 2 * H :], b_hn, out=hn[t])
            n = np.multiply(r, hn[t], out=gates[t, :, 2 * H :])
            n += a[t, :, 2 * H :]
            np.tanh(n, out=n)
            # h_t = (1 - z) * n + z * h_{t-1} = n + z * (h_{t-1} - n)
            np.subtract(hs[t], n, out=hs[t + 1])
            hs[t + 1] *= z
            hs[t + 1] += n
        self.cache = xs, hs, gates, hn
        self.h_n = hs[-1]
        return self._output(hs[1:])

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: dL/d(output) -> dx: (N, T, D); sets self.dh0: (N, H)."""
        xs, hs, gates, hn = self.cache
        T, N, _ = xs.shape
        H = self.hidden_size
        dH = self._grad_time_major(grad_out, T, N)
        dHU = np.empty_like(gates)  # dL/d(h_{t-1} U + [0, 0, b_hn]): (T, N, 3H)
        dAn = np.empty_like(hn)  # dL/d(x_t W_n + b_n), the candidate's input part
        dh_next = np.zeros_like(hs[0])  # dL/dh_t through step t + 1
        U_T = self.U.value.T
        for t in reversed(range(T)):
            r, z, n = (gates[t, :, k * H : (k + 1) * H] for k in range(3))  # each (N, H)
            dh = dH[t] + dh_next
            dAn[t] = dh * (1.0 - z) * (1.0 - n**2)  # h_t has (1 - z) * n, tanh' = 1 - n^2
            dHU[t, :, :H] = dAn[t] * hn[t] * r * (1.0 - r)  # reset gate: n has r * (h U_n + b_hn)
            dHU[t, :, H : 2 * H] = dh * (hs[t] - n) * z * (1.0 - z)  # update gate: h_t = n + z * (h_{t-1} - n)
            dHU[t, :, 2 * H :] = dAn[t] * r  # h_{t-1} U_n + b_hn, scaled by r
            dh_next = dh * z + dHU[t] @ U_T  # directly through z * h_{t-1}, and through every gate
        self.dh0 = dh_next
        self.b_hn.grad += dHU[..., 2 * H :].sum(axis=(0, 1))
        dA = dHU.copy()  # r and z see x W and h U the same way; n does not
        dA[..., 2 * H :] = dAn
        return self._accumulate(xs, hs[:-1], dA, dHU)


class Bidirectional(Module):
    """Run a recurrent layer forwards and a copy of it backwards in time; concatenate the results.

    x: (N, T, D) -> (N, T, 2H) if the layer returns sequences (step t holds the forward state
    after reading x_0..x_t and the backward state after reading x_{T-1}..x_t), else (N, 2H)
    (the forward layer's last state and the backward layer's last state, which has read the
    sequence from the end back to x_0). The backward copy gets its own freshly drawn weights.
    Initial states are zeros (this wrapper does not take h0).
    """

    def __init__(self, layer: _Recurrent, rng: np.random.Generator | int | None = None):
        super().__init__()
        if not isinstance(layer, _Recurrent):
            raise TypeError(f"Bidirectional: expected a SimpleRNN, LSTM or GRU, got {type(layer).__name__}")
        self.forward_layer = layer
        self.backward_layer = copy.deepcopy(layer)
        self.backward_layer.reset_parameters(rng)
        self.backward_layer.zero_grad()

    def forward(self, x: np.ndarray) -> np.ndarray:
        y_fwd = self.forward_layer(x)
        y_bwd = self.backward_layer(x[:, ::-1])  # read the sequence from its end
        if self.forward_layer.return_sequences:
            y_bwd = y_bwd[:, ::-1]  # put step t of both directions side by side
        return np.concatenate([y_fwd, y_bwd], axis=-1)  # (..., H) x 2 -> (..., 2H)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        H = self.forward_layer.hidden_size
        g_fwd, g_bwd = grad_out[..., :H], grad_out[..., H:]
        if self.forward_layer.return_sequences:
            g_bwd = g_bwd[:, ::-1]
        dx_fwd = self.forward_layer.backward(g_fwd)
        dx_bwd = self.backward_layer.backward(g_bwd)
        return dx_fwd + dx_bwd[:, ::-1]

    def __repr__(self) -> str:
        return f"Bidirectional({self.forward_layer!r})"
