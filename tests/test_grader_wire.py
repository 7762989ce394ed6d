"""The grader's data boundary: only plain numbers and numeric arrays cross it, and comparisons are strict."""

import math

import numpy as np
import pytest

from dlgrade import wire
from dlgrade.spec import Case, compare, judge


def roundtrip(message: dict, functions: bool = False) -> dict:
    reader = wire.FrameReader(functions=functions)
    (out,) = reader.feed(wire.pack(message))
    assert reader.error is None
    return out


# --- plain data only ------------------------------------------------------------------------------
def test_plain_turns_numpy_scalars_into_0d_arrays_that_keep_their_dtype():
    value = wire.plain(np.float32(1.5))
    assert isinstance(value, np.ndarray) and value.shape == () and value.dtype == np.float32


def test_plain_strips_array_subclasses_and_their_behaviour():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    liar = np.zeros(3).view(Liar)
    value = wire.plain(liar)
    assert type(value) is np.ndarray
    assert not np.array_equal(value, np.ones(3))


@pytest.mark.parametrize(
    "bad",
    [object(), np.array([object()]), {1: np.zeros(2)}, lambda x: x, np.array(["a", "b"])],
    ids=["object", "object array", "int keys", "function", "string array"],
)
def test_plain_refuses_anything_that_is_not_numbers_or_arrays(bad):
    with pytest.raises(TypeError):
        wire.plain(bad)


def test_plain_reduces_number_subclasses_to_their_value():
    class AlwaysEqual(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    value = wire.plain(AlwaysEqual(-1.0))
    assert type(value) is float and value == -1.0 and value != 2.0


def test_messages_roundtrip_with_arrays_dicts_lists_and_special_floats():
    message = {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "nested": [1, 2.5, None, True, "text", {"m": np.zeros((0, 4)), "t": 3}],
        "special": [math.inf, -math.inf],
        "nan": math.nan,
        "mask": np.array([[True, False]]),
    }
    out = roundtrip(message)
    assert out["a"].dtype == np.float32 and np.array_equal(out["a"], message["a"])
    assert out["nested"][:5] == [1, 2.5, None, True, "text"]
    assert out["nested"][5]["m"].shape == (0, 4) and out["nested"][5]["t"] == 3
    assert out["special"] == [math.inf, -math.inf] and math.isnan(out["nan"])
    assert out["mask"].dtype == bool


def test_numpy_scalars_sent_by_the_grader_arrive_as_python_numbers():
    out = roundtrip({"lr": np.float64(0.1), "n": np.int64(3)})
    assert type(out["lr"]) is float and type(out["n"]) is int


def test_test_functions_are_rebuilt_only_where_asked():
    from dlgrade.spec import Fn

    message = {"f": Fn("quadratic", {"A": 2 * np.eye(2), "b": np.zeros(2)})}
    f = roundtrip(message, functions=True)["f"]
    assert f(np.array([1.0, 2.0])) == pytest.approx(5.0)
    reader = wire.FrameReader(functions=False)
    assert reader.feed(wire.pack(message)) == [] and reader.error


# --- hostile bytes --------------------------------------------------------------------------------
def forged_frame(header: bytes, data: bytes = b"") -> bytes:
    return wire._PREFIX.pack(wire.MAGIC, len(header), len(data)) + header + data


@pytest.mark.parametrize(
    "header, data",
    [
        (b'{"body": {"__nd__": 0}, "arrays": [{"dtype": "|O", "shape": [1], "nbytes": 8}]}', b"\0" * 8),
        (b'{"body": {"__nd__": 0}, "arrays": [{"dtype": "<f8", "shape": [2], "nbytes": 8}]}', b"\0" * 8),
        (b'{"body": {"__nd__": 0}, "arrays": [{"dtype": "<f8", "shape": [-1], "nbytes": 8}]}', b"\0" * 8),
        (b'{"body": {"__nd__": 3}, "arrays": []}', b""),
        (b'{"body": {"__map__": {}}, "arrays": []}', b"extra"),
        (b'{"body": {"x": 1, "y": 2}, "arrays": []}', b""),
        (b"not json", b""),
        (b'{"body": {"__map__": {}}, "arrays": [{"dtype": "V8", "shape": [1], "nbytes": 8}]}', b"\0" * 8),
    ],
    ids=[
        "object dtype",
        "short data",
        "negative shape",
        "missing array",
        "extra bytes",
        "untagged dict",
        "not json",
        "void dtype",
    ],
)
def test_malformed_frames_are_refused(header, data):
    reader = wire.FrameReader()
    assert reader.feed(forged_frame(header, data)) == []
    assert reader.error


def test_the_reader_keeps_messages_before_garbage_and_ignores_everything_after():
    reader = wire.FrameReader()
    good = wire.pack({"type": "cell_start", "index": 4})
    messages = reader.feed(good + b"garbage garbage garbage" + good)
    assert messages == [{"type": "cell_start", "index": 4}]
    assert reader.error and reader.feed(good) == []


def test_the_reader_reassembles_frames_split_across_reads():
    frame = wire.pack({"x": np.arange(100.0)})
    reader = wire.FrameReader()
    assert reader.feed(frame[:7]) == [] and reader.feed(frame[7:50]) == []
    (out,) = reader.feed(frame[50:])
    assert np.array_equal(out["x"], np.arange(100.0))


def test_oversized_frames_are_refused_before_they_are_buffered():
    reader = wire.FrameReader(max_data_bytes=1000)
    assert reader.feed(wire._PREFIX.pack(wire.MAGIC, 10, 10**9)) == []
    assert "too large" in reader.error


# --- comparing answers ----------------------------------------------------------------------------
def test_compare_demands_the_input_dtype_and_says_why():
    (message,) = compare(np.zeros(3), np.zeros(3, np.float32))
    assert "float64" in message and "float32" in message and "np.float64" in message


def test_compare_reports_shape_nan_and_the_worst_entry():
    assert "shape (3, 1), expected (3,)" in compare(np.zeros((3, 1)), np.zeros(3))[0]
    assert "NaN" in compare(np.array([np.nan, 1.0]), np.array([0.5, 1.0]))[0]
    assert "inf" in compare(np.array([np.inf]), np.array([1.0]))[0]
    (message,) = compare(np.array([[0.0, 1.0], [2.0, 3.5]]), np.array([[0.0, 1.0], [2.0, 3.0]]))
    assert "1 of 4" in message and "[1, 1]" in message and "3.5" in message


def test_compare_accepts_round_off_within_the_dtype_tolerance():
    expected = np.linspace(0, 1, 10)
    assert compare(expected + 1e-12, expected) == []
    assert compare((expected + 1e-6).astype(np.float32), expected.astype(np.float32)) == []
    assert compare(expected + 1e-4, expected) != []


def test_compare_walks_tuples_and_dicts_with_names():
    expected = (np.zeros(2), {"v": np.ones(2), "t": 3})
    assert compare([np.zeros(2), {"v": np.ones(2), "t": 3}], expected) == []
    messages = compare([np.zeros(2), {"v": np.zeros(2), "t": 4}], expected, names=("new w", "new state"))
    assert any("new state['v']" in m for m in messages) and any("4, expected 3" in m for m in messages)
    assert "returned 1 values, expected 2" in compare([np.zeros(2)], expected)[0]
    assert "keys" in compare([np.zeros(2), {"v": np.ones(2)}], expected)[0]


def test_compare_numbers_accepts_floats_and_0d_arrays_but_not_vectors():
    assert compare(2.0, 2.0) == [] and compare(np.array(2.0), 2.0) == []
    assert compare(np.array([2.0]), 2.0) != []
    assert compare(None, 2.0) != []
    assert compare(1000.0, 1000.0) == [] and compare(999.0, 1000.0) != []


def test_compare_bool_arrays_must_be_bool():
    expected = np.array([True, False])
    assert compare(np.array([True, False]), expected) == []
    assert "bool" in compare(np.array([1, 0]), expected)[0]


def test_judge_runs_the_extra_check_after_the_comparison():
    case = Case("x", expected=np.zeros(2), check=lambda out: "negative!" if (out < 0).any() else None)
    assert judge(case, np.zeros(2)) == []
    assert judge(case, -np.ones(2)) != []
    only_check = Case("y", check=lambda out: None if out == 3 else "not three")
    assert judge(only_check, 3) == [] and judge(only_check, 4) == ["not three"]
