"""dlcore.gemm.matmul_add: out += a @ b in place, for every memory order and dtype, and its fallbacks."""

import numpy as np
import pytest

from dlcore.gemm import matmul_add


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("a_order", ["C", "F"])
@pytest.mark.parametrize("b_order", ["C", "F"])
def test_adds_the_product_in_place(dtype, a_order, b_order):
    rng = np.random.default_rng(0)
    a = np.asarray(rng.standard_normal((7, 5)), dtype, order=a_order)
    b = np.asarray(rng.standard_normal((5, 3)), dtype, order=b_order)
    out = rng.standard_normal((7, 3)).astype(dtype)
    expected = out.astype(np.float64) + a.astype(np.float64) @ b.astype(np.float64)
    result = matmul_add(a, b, out=out)
    assert result is out and out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_transposed_views_are_used_without_copying_the_inputs():
    rng = np.random.default_rng(1)
    h, dz = rng.standard_normal((4, 6)), rng.standard_normal((8, 6))
    out = np.zeros((4, 8))
    matmul_add(h, dz.T, out=out)  # dz.T is an F-ordered view
    matmul_add(h, dz.T, out=out)
    np.testing.assert_allclose(out, 2 * h @ dz.T)


@pytest.mark.parametrize(
    "case",
    ["strided operand", "strided out", "mixed dtypes", "integers", "empty inner dimension"],
)
def test_falls_back_to_numpy_where_blas_does_not_apply(case):
    rng = np.random.default_rng(2)
    a, b, out = rng.standard_normal((6, 4)), rng.standard_normal((4, 5)), rng.standard_normal((6, 5))
    if case == "strided operand":
        a = rng.standard_normal((6, 8))[:, ::2]
    elif case == "strided out":
        out = rng.standard_normal((6, 10))[:, ::2]
    elif case == "mixed dtypes":
        a = a.astype(np.float32)
    elif case == "integers":
        a, b, out = np.arange(24).reshape(6, 4), np.ones((4, 5), int), np.ones((6, 5), int)
    else:
        a, b = np.zeros((6, 0)), np.zeros((0, 5))
    expected = out + a @ b
    matmul_add(a, b, out=out)
    np.testing.assert_allclose(out, expected)


def test_scipys_own_blas_runs_on_one_thread_once_used():
    import os

    import scipy
    from threadpoolctl import threadpool_info

    matmul_add(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32), out=np.zeros((2, 2), np.float32))
    scipy_dir = os.path.dirname(os.path.realpath(scipy.__file__))
    own = [
        i
        for i in threadpool_info()
        if i["user_api"] == "blas" and os.path.realpath(i["filepath"]).startswith(scipy_dir)
    ]
    if not own:
        pytest.skip("SciPy uses the same BLAS library as NumPy here")
    assert all(i["num_threads"] == 1 for i in own)
