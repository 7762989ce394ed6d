"""``out += a @ b`` as one BLAS call, without the temporary ``a @ b``.

NumPy's ``out += a @ b`` first writes the product into a new array and then adds it: two
passes over ``out``'s memory and one allocation. BLAS's general matrix product (gemm)
computes ``C <- alpha * A @ B + beta * C`` directly, so with beta = 1 it adds the product
into C in place. The recurrent layers use this at every time step, where the arrays are
small and the saved pass is a noticeable part of the step's time.

BLAS works on column-major (Fortran-order) matrices. A C-order array is the column-major
storage of its transpose, so ``out += a @ b`` is computed as ``out.T += b.T @ a.T`` on the
column-major views ``out.T``, ``b.T``, ``a.T`` (no copies; a transposed operand is passed
with BLAS's "transpose" flag instead).
"""

from __future__ import annotations

from functools import cache

import numpy as np


@cache
def _gemm(dtype: np.dtype):
    """SciPy's BLAS gemm for float32 (sgemm) or float64 (dgemm); imported on first use."""
    from scipy.linalg.blas import get_blas_funcs

    _one_thread_for_scipy_blas()
    return get_blas_funcs("gemm", dtype=dtype)


def _one_thread_for_scipy_blas() -> None:
    """Run the BLAS library SciPy ships (when it is not NumPy's) on one thread.

    Wheels of NumPy and SciPy each bring their own copy of OpenBLAS, with separate thread
    pools. The products here are one time step each (tens of microseconds), where a second
    thread gains little, while idle BLAS threads keep spinning for a while after each call
    and compete with the other library's threads for the cores. NumPy's BLAS keeps its
    setting (``threadpoolctl.threadpool_limits`` still sets both inside a ``with`` block).
    """
    import os

    import scipy
    from threadpoolctl import ThreadpoolController

    scipy_dir = os.path.dirname(os.path.realpath(scipy.__file__))  # .../site-packages/scipy
    for lib in ThreadpoolController().select(user_api="blas").lib_controllers:
        path = os.path.realpath(lib.filepath)
        if path.startswith(scipy_dir + os.sep) or path.startswith(scipy_dir + ".libs" + os.sep):
            lib.set_num_threads(1)


def _column_major(m: np.ndarray) -> tuple[np.ndarray, bool] | None:
    """m.T as a column-major BLAS operand: (array, transpose flag), or None if m is strided."""
    if m.flags.c_contiguous:
        return m.T, False  # m.T is already column-major
    if m.flags.f_contiguous:
        return m, True  # m is column-major; BLAS transposes it
    return None


def matmul_add(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out += a @ b in place. a: (m, k), b: (k, n), out: (m, n); returns out.

    One BLAS call when out is C-contiguous, a and b are C- or F-contiguous and all three
    share out's dtype (float32 or float64); otherwise NumPy's ``out += a @ b``.
    """
    fast = out.dtype in (np.float32, np.float64) and out.flags.c_contiguous and a.dtype == b.dtype == out.dtype
    a_op, b_op = (_column_major(a), _column_major(b)) if fast else (None, None)
    if a_op is None or b_op is None or out.size == 0 or a.shape[1] == 0:
        out += a @ b
        return out
    (bt, trans_b), (at, trans_a) = b_op, a_op
    result = _gemm(out.dtype)(1.0, bt, at, beta=1.0, c=out.T, trans_a=trans_b, trans_b=trans_a, overwrite_c=True)
    if not np.may_share_memory(result, out):  # BLAS was handed a copy: put the result in place
        out[...] = result.T
    return out
