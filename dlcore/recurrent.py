"""Recurrent layers: SimpleRNN, LSTM, GRU and the Bidirectional wrapper.

All layers take batch-first input ``x: (N, T, D)`` (N sequences of T steps with D features)
and return every hidden state ``(N, T, H)`` when ``return_sequences=True``, else only the
last one ``(N, H)``.

How the work is split, for speed:
- The gates' weights sit side by side in ``W: (D, G*H)`` and ``U: (H, G*H)``, where G is the
  number of gates, so one product serves all gates.
- The input part of every gate at every step does not depend on the recurrence, so SimpleRNN
  and GRU compute it for the whole sequence before the loop over time, and only
  ``h_{t-1} @ U`` runs step by step. The LSTM instead multiplies the stacked weights
  ``[W; b; U]`` with ``[x_t, 1, h_{t-1}]`` at each step: one product per step, no separate pass.
- Backpropagation through time walks the steps backwards and records the gradient of every
  gate's pre-activation ``dZ``; each step adds its share of dW, dU and db while its arrays
  are still in the cache, and dx is one batched product at the end.

Internal layout. Inside forward and backward, every step's arrays are stored transposed,
one row per feature and one column per sequence of the batch: x_t as (D, N), h_t as (H, N),
the gates as (G*H, N), and a whole sequence as (T, H, N). The products become transposed
too, ``(h_{t-1} U)^T = U^T h_{t-1}^T``: the same numbers, but each gate's block of rows is
one contiguous piece of memory, so the many small elementwise steps per time step run on
contiguous arrays (several times faster at these sizes than on column slices). The inputs
also get a constant row of ones, so ``x_t W + b`` is a single product of
``[W; b]: (D + 1, G*H)`` with ``[x_t, 1]`` (the bias is the weight of an input that is
always 1). What the layers return keeps the batch-first shapes above.

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


class _Recurrent(Module):
    """What SimpleRNN, LSTM and GRU share: fused weights, shape checks, the transposed layout.

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

    def _inputs(self, x: np.ndarray, state_rows: int = 0) -> np.ndarray:
        """Check x: (N, T, D) and return [x_t, 1] for every step, transposed: (T, D + 1, N).

        A copy (never a view of x), in the weights' dtype (a float64 batch into a float32
        layer runs in float32); row D is all ones, the input the bias multiplies. It lives in
        the layer's workspace (valid until the next forward).
        With ``state_rows=H`` it is a new array (T + 1, D + 1 + H, N) instead: rows D + 1
        onwards are left for the caller to fill with h_{t-1}, and step T (only there to hold
        h_T) has zeros in the x rows.
        """
        check_input(self, x, ndim=3, size={2: self.input_size}, expected=self._expected())
        if x.shape[1] < 1:
            raise ValueError(f"{self!r}: expected at least one time step, got input of shape {x.shape}")
        N, T, D = x.shape
        dtype = self.W.value.dtype
        if state_rows:
            xs = np.empty((T + 1, D + 1 + state_rows, N), dtype)
        else:
            xs = self._workspace.get("xs", (T, D + 1, N), dtype)
        xs[:T, :D] = x.transpose(1, 2, 0)  # (N, T, D) -> (T, D, N)
        xs[:T, D] = 1.0
        xs[T:, : D + 1] = 0.0
        return xs

    def _input_part(self, xs: np.ndarray, out: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
        """x_t W + b for every step at once, transposed: xs (T, D + 1, N) -> out (T, G*H, N).

        With ``scale: (G*H,)`` each gate's column of W and b is multiplied by it first.
        """
        Wb = np.concatenate([self.W.value, self.b.value[None]])  # [W; b]: (D + 1, G*H)
        if scale is not None:
            Wb *= scale
        return np.matmul(np.ascontiguousarray(Wb.T), xs, out=out)  # (G*H, D + 1) @ (D + 1, N), every step

    def _state(self, s: np.ndarray | None, name: str, N: int, dtype: np.dtype) -> np.ndarray:
        """An initial state (N, H), transposed to (H, N): zeros when None, else checked."""
        H = self.hidden_size
        if s is None:
            return np.zeros((H, N), dtype)
        check_input(f"{self!r} {name}", s, ndim=2, size={0: N, 1: H}, expected=f"({N}, {H})")
        return s.T.astype(dtype, copy=False)

    def _output(self, hs: np.ndarray) -> np.ndarray:
        """hs: (T, H, N) -> (N, T, H) if return_sequences else the last step (N, H); views."""
        return hs.transpose(2, 0, 1) if self.return_sequences else hs[-1].T

    def _grad_steps(self, grad_out: np.ndarray, T: int, N: int) -> np.ndarray:
        """dL/dh_t coming from above for every step, transposed: (T, H, N), in the workspace.

        Backward adds the gradient arriving through later steps into it, step by step.
        """
        H = self.hidden_size
        dH = self._workspace.get("dH", (T, H, N), self.W.value.dtype)
        if self.return_sequences:
            if grad_out.shape != (N, T, H):
                raise ValueError(f"{self!r}.backward: expected grad_out of shape {(N, T, H)}, got {grad_out.shape}")
            np.copyto(dH, grad_out.transpose(1, 2, 0))  # (N, T, H) -> (T, H, N)
            return dH
        if grad_out.shape != (N, H):
            raise ValueError(f"{self!r}.backward: expected grad_out of shape {(N, H)}, got {grad_out.shape}")
        dH.fill(0)
        dH[-1] = grad_out.T  # only the last state was used
        return dH

    def _add_step_gradients(self, x_t: np.ndarray, h_prev: np.ndarray, dA_t: np.ndarray, dHU_t, dWb) -> None:
        """One step's share of the weight gradients, added in place.

        x_t: (D + 1, N) the step's [x_t, 1]; h_prev: (H, N) the state it started from;
        dA_t: (G*H, N) dL/d(x_t W + b); dHU_t: (G*H, N) dL/d(h_{t-1} U).
        [dW; db] += [x_t, 1]^T dA_t into dWb: (D + 1, G*H); dU += h_{t-1}^T dHU_t.
        """
        dWb += x_t @ dA_t.T
        self.U.grad += h_prev @ dHU_t.T

    def _finish_backward(self, dWb: np.ndarray, dA: np.ndarray) -> np.ndarray:
        """Add [dW; db] to the gradients and return dx: (N, T, D) from dA: (T, G*H, N)."""
        D = self.input_size
        self.W.grad += dWb[:D]
        self.b.grad += dWb[D]
        dx = np.matmul(self.W.value, dA)  # dx_t^T = W dA_t^T, every step: (T, D, N)
        return dx.transpose(2, 0, 1)  # (T, D, N) -> (N, T, D)

    def _new_dWb(self, dtype, state_rows: int = 0) -> np.ndarray:
        """Zeroed space for [dW; db]: (D + 1, G*H), or [dW; db; dU]: (D + 1 + H, G*H) with state_rows=H."""
        rows = self.input_size + 1 + state_rows
        dWb = self._workspace.get("dWb", (rows, self.num_gates * self.hidden_size), dtype)
        dWb.fill(0)
        return dWb

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
        xs = self._inputs(x)  # [x_t, 1]: (T, D + 1, N)
        T, _, N = xs.shape
        hs = np.empty((T + 1, self.hidden_size, N), xs.dtype)  # hs[t + 1] = h_t (transposed), hs[0] = h0
        self._input_part(xs, out=hs[1:])  # x_t W + b, then h_{t-1} U is added step by step
        hs[0] = self._state(h0, "h0", N, xs.dtype)
        U_T = np.ascontiguousarray(self.U.value.T)
        for t in range(T):
            z = hs[t + 1]  # holds x_t W + b (transposed); add h_{t-1} U
            z += U_T @ hs[t]
            np.tanh(z, out=z)
        self.cache = xs, hs
        self.h_n = hs[-1].T
        return self._output(hs[1:])

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: dL/d(output) -> dx: (N, T, D); sets self.dh0: (N, H)."""
        xs, hs = self.cache
        T, _, N = xs.shape
        dH = self._grad_steps(grad_out, T, N)  # (T, H, N)
        dZ = np.multiply(hs[1:], hs[1:])  # dL/dz_t, z_t = x_t W + h_{t-1} U + b: (T, H, N)
        np.subtract(1.0, dZ, out=dZ)  # tanh'(z_t) = 1 - h_t^2; times dL/dh_t in the loop
        dWb, U = self._new_dWb(dZ.dtype), self.U.value
        for t in reversed(range(T)):
            dZ[t] *= dH[t]  # dH[t]: from above, and from step t + 1
            self._add_step_gradients(xs[t], hs[t], dZ[t], dZ[t], dWb)
            if t > 0:
                dH[t - 1] += U @ dZ[t]  # dL/dh_{t-1} through z_t
        self.dh0 = np.ascontiguousarray((U @ dZ[0]).T)
        return self._finish_backward(dWb, dZ)


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
        H, D = self.hidden_size, self.input_size
        # One product per step gives x_t W + b + h_{t-1} U for all four gates: the stacked
        # weights [W; b; U] against the stacked column block xh[t] = [x_t; 1; h_{t-1}].
        # Step t writes h_t straight into the h rows of xh[t + 1].
        xh = self._inputs(x, state_rows=H)  # (T + 1, D + 1 + H, N); new every call, the output is a view of it
        T, N = xh.shape[0] - 1, xh.shape[2]
        hs = xh[:, D + 1 :]  # hs[t + 1] = h_t: (T + 1, H, N)
        # sigma(z) = 0.5 * tanh(0.5 * z) + 0.5, so one tanh over all four gates' rows (4H, N) serves
        # them all: scale is 0.5 on the sigmoid gates and 1 on g, shift is 0.5 on the sigmoid gates and 0 on g.
        # The inner scaling is folded into the weights once: [W; b; U] * scale.
        scale, shift = self._gate_scale_shift()
        weights = np.concatenate([self.W.value, self.b.value[None], self.U.value]) * scale
        weights_T = np.ascontiguousarray(weights.T)  # (4H, D + 1 + H)
        scale, shift = (np.repeat(s[:, None], N, axis=1) for s in (scale, shift))  # (4H, N), one per gate row
        ws = self._workspace  # arrays only forward and backward see, reused from call to call
        gates = ws.get("gates", (T, 4 * H, N), xh.dtype)  # the gate values, transposed
        cs = ws.get("cs", (T + 1, H, N), xh.dtype)  # cs[t + 1] = c_t
        tanh_c = ws.get("tanh_c", (T, H, N), xh.dtype)
        hs[0] = self._state(h0, "h0", N, xh.dtype)
        cs[0] = self._state(c0, "c0", N, xh.dtype)
        ig = ws.get("ig", (H, N), xh.dtype)
        dZ = ws.get("dZ", (T, 4 * H, N), xh.dtype)  # local derivatives for backward, see _local_derivatives
        dc_dh = ws.get("dc_dh", (T, H, N), xh.dtype)
        for t in range(T):
            z = np.matmul(weights_T, xh[t], out=gates[t])  # scaled pre-activations of all four gates: (4H, N)
            np.tanh(z, out=z)
            z *= scale
            z += shift  # i, f, o = sigma(.), g = tanh(.)
            i, f, g, o = z[:H], z[H : 2 * H], z[2 * H : 3 * H], z[3 * H :]
            np.multiply(f, cs[t], out=cs[t + 1])
            cs[t + 1] += np.multiply(i, g, out=ig)
            np.tanh(cs[t + 1], out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=hs[t + 1])
            self._local_derivatives(z, cs[t], tanh_c[t], out=dZ[t], dc_dh=dc_dh[t])
        self.cache = xh, gates, dZ, dc_dh
        self.h_n, self.c_n = hs[-1].T, cs[-1].T.copy()  # c_n outlives the workspace
        return self._output(hs[1:])

    def _gate_scale_shift(self) -> tuple[np.ndarray, np.ndarray]:
        """(scale, shift), each (4H,): 0.5 and 0.5 on the sigmoid gates i, f, o; 1 and 0 on g."""
        H, dtype = self.hidden_size, self.W.value.dtype
        scale = np.full(4 * H, 0.5, dtype)
        scale[2 * H : 3 * H] = 1.0
        shift = np.full(4 * H, 0.5, dtype)
        shift[2 * H : 3 * H] = 0.0
        return scale, shift

    def _local_derivatives(
        self, gates: np.ndarray, c_prev: np.ndarray, tanh_c: np.ndarray, out: np.ndarray, dc_dh: np.ndarray
    ) -> None:
        """What backward needs from one step, computed in forward while the step is in the cache.

        gates: (4H, N) the values i, f, g, o; c_prev: (H, N) c_{t-1}; tanh_c: (H, N) tanh(c_t).
        Each gate's pre-activation gradient is a local derivative times dL/dc_t (gates i, f, g)
        or dL/dh_t (gate o); ``out: (4H, N)`` receives the local parts, ``dc_dh: (H, N)`` the
        factor dc_t/dh_t. Backward multiplies them by the gradients once it knows those.
        """
        H = self.hidden_size
        i, g, o = gates[:H], gates[2 * H : 3 * H], gates[3 * H :]
        np.subtract(1.0, gates, out=out)
        out *= gates  # sigma' = s (1 - s) for i, f, o (the g rows are overwritten next)
        d_g = out[2 * H : 3 * H]
        np.multiply(g, g, out=d_g)
        np.subtract(1.0, d_g, out=d_g)  # tanh' = 1 - g^2
        out[:H] *= g  # input gate: c_t has i * g
        out[H : 2 * H] *= c_prev  # forget gate: c_t has f * c_{t-1}
        out[2 * H : 3 * H] *= i  # candidate: c_t has i * g
        out[3 * H :] *= tanh_c  # output gate: h_t = o * tanh(c_t)
        np.multiply(tanh_c, tanh_c, out=dc_dh)
        np.subtract(1.0, dc_dh, out=dc_dh)
        dc_dh *= o  # through h_t = o * tanh(c_t): dc_t / dh_t = o (1 - tanh^2 c_t)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: dL/d(output) -> dx: (N, T, D); sets self.dh0, self.dc0: (N, H)."""
        # dZ: (T, 4H, N) becomes dL/d(pre-activations) in place; it holds the local derivatives
        # forward stored (see _local_derivatives), dc_dh: (T, H, N) the factors dc_t / dh_t.
        xh, gates, dZ, dc_dh = self.cache
        T, _, N = gates.shape
        H, D = self.hidden_size, self.input_size
        dH = self._grad_steps(grad_out, T, N)  # (T, H, N)
        f = gates[:, H : 2 * H]  # forget gate values: (T, H, N)
        ws = self._workspace
        dc = ws.get("dc", (H, N), dZ.dtype)
        dc_next = np.zeros((H, N), dZ.dtype)  # dL/dc_t through step t + 1
        dWbU, U = self._new_dWb(dZ.dtype, state_rows=H), self.U.value  # [dW; db; dU]: (D + 1 + H, 4H)
        for t in reversed(range(T)):
            dh = dH[t]  # from above, and (added at step t + 1) through the gates of step t + 1
            np.multiply(dh, dc_dh[t], out=dc)
            dc += dc_next  # through h_t = o * tanh(c_t), and from c_{t+1}
            dZ[t, : 3 * H].reshape(3, H, N)[...] *= dc  # gates i, f, g act through c_t
            dZ[t, 3 * H :] *= dh  # gate o acts through h_t
            np.multiply(dc, f[t], out=dc_next)
            dWbU += xh[t] @ dZ[t].T  # [dW; db; dU] += [x_t; 1; h_{t-1}]^T dZ_t
            if t > 0:
                dH[t - 1] += U @ dZ[t]  # dL/dh_{t-1} through the four gates of step t
        self.dh0, self.dc0 = np.ascontiguousarray((U @ dZ[0]).T), np.ascontiguousarray(dc_next.T)
        self.U.grad += dWbU[D + 1 :]
        return self._finish_backward(dWbU[: D + 1], dZ)


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
        xs = self._inputs(x)  # [x_t, 1]: (T, D + 1, N)
        T, _, N = xs.shape
        H = self.hidden_size
        # sigma(a) = 0.5 * tanh(0.5 * a) + 0.5: the inner 0.5 is folded into the r and z columns
        # of W, b and U once; the candidate's columns keep scale 1.
        scale = np.ones(3 * H, xs.dtype)
        scale[: 2 * H] = 0.5
        ws = self._workspace  # arrays only forward and backward see, reused from call to call
        # x_t W + b (r and z scaled), transposed: (T, 3H, N); becomes r, z, n in place
        gates = self._input_part(xs, out=ws.get("gates", (T, 3 * H, N), xs.dtype), scale=scale)
        U_scaled_T = np.ascontiguousarray((self.U.value * scale).T)  # (3H, H)
        b_hn = np.repeat(self.b_hn.value[:, None], N, axis=1)  # (H, N)
        hn = ws.get("hn", (T, H, N), xs.dtype)  # h_{t-1} U_n + b_hn, needed again by backward
        hs = np.empty((T + 1, H, N), xs.dtype)  # hs[t + 1] = h_t; new every call, the output is a view of it
        hs[0] = self._state(h0, "h0", N, xs.dtype)
        hu = ws.get("hu", (3 * H, N), xs.dtype)  # scratch for h_{t-1} U, reused every step
        r_hn = ws.get("r_hn", (H, N), xs.dtype)
        for t in range(T):
            np.matmul(U_scaled_T, hs[t], out=hu)  # (3H, N); r and z rows scaled by 0.5
            rz = gates[t, : 2 * H]
            rz += hu[: 2 * H]
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5  # r, z = sigma(.)
            r, z = rz[:H], rz[H:]
            np.add(hu[2 * H :], b_hn, out=hn[t])
            n = gates[t, 2 * H :]  # x_t W_n + b_n so far
            n += np.multiply(r, hn[t], out=r_hn)
            np.tanh(n, out=n)
            # h_t = (1 - z) * n + z * h_{t-1} = n + z * (h_{t-1} - n)
            np.subtract(hs[t], n, out=hs[t + 1])
            hs[t + 1] *= z
            hs[t + 1] += n
        self.cache = xs, hs, gates, hn
        self.h_n = hs[-1].T
        return self._output(hs[1:])

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: dL/d(output) -> dx: (N, T, D); sets self.dh0: (N, H)."""
        xs, hs, gates, hn = self.cache
        T, _, N = xs.shape
        H = self.hidden_size
        dH = self._grad_steps(grad_out, T, N)  # (T, H, N)
        r, z, n = (gates[:, k * H : (k + 1) * H] for k in range(3))  # each (T, H, N)
        ws = self._workspace
        # dA = dL/d(x_t W + b): (T, 3H, N). As for the LSTM, the local derivatives are computed
        # for all steps at once; the loop multiplies them by dL/dh_t (or dL/d(candidate)).
        dA = ws.get("dA", gates.shape, gates.dtype)
        dA_r, dA_z, dA_n = (dA[:, k * H : (k + 1) * H] for k in range(3))
        one_minus_z = np.subtract(1.0, z, out=ws.get("one_minus_z", z.shape, z.dtype))
        np.multiply(n, n, out=dA_n)
        np.subtract(1.0, dA_n, out=dA_n)
        dA_n *= one_minus_z  # h_t has (1 - z) * n, tanh' = 1 - n^2: times dL/dh_t
        np.subtract(1.0, r, out=dA_r)
        dA_r *= r
        dA_r *= hn  # n has r * (h U_n + b_hn), sigma' = r (1 - r): times dL/d(candidate)
        np.subtract(hs[:-1], n, out=dA_z)
        dA_z *= z
        dA_z *= one_minus_z  # h_t = n + z * (h_{t-1} - n), sigma' = z (1 - z): times dL/dh_t
        # dHU = dL/d(h_{t-1} U + [0, 0, b_hn]): r and z see x W and h U the same way; the
        # candidate sees h_{t-1} U_n + b_hn scaled by r.
        dHU = ws.get("dHU", gates.shape, gates.dtype)
        dh_z = ws.get("dh_z", (H, N), dA.dtype)
        dWb, U = self._new_dWb(dA.dtype), self.U.value
        for t in reversed(range(T)):
            dh = dH[t]  # from above, and (added at step t + 1) through step t + 1
            dA[t, 2 * H :] *= dh  # dL/d(candidate pre-activation)
            dA[t, :H] *= dA[t, 2 * H :]  # reset gate acts through the candidate
            dA[t, H : 2 * H] *= dh  # update gate
            dHU[t, : 2 * H] = dA[t, : 2 * H]
            np.multiply(dA[t, 2 * H :], r[t], out=dHU[t, 2 * H :])
            self._add_step_gradients(xs[t], hs[t], dA[t], dHU[t], dWb)
            if t > 0:  # dL/dh_{t-1}: directly through z * h_{t-1}, and through every gate
                dH[t - 1] += np.multiply(dh, z[t], out=dh_z)
                dH[t - 1] += U @ dHU[t]
        self.dh0 = np.ascontiguousarray((dH[0] * z[0] + U @ dHU[0]).T)
        self.b_hn.grad += dHU[:, 2 * H :].sum(axis=(0, 2))
        return self._finish_backward(dWb, dA)


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
