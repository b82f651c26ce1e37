"""A learner's own data, read from CSV or JSON or refused with the line and the fault."""

import json

import numpy as np
import pytest

from app.jobs.owndata import OwnDataError, read_csv, read_json

LIMITS = {"max_rows": 50, "max_bytes": 2_000}
GOOD = b"x1,x2,label\n0.5,1.0,0\n-1,2,1\n\n3,-0.25,1\n"


def csv_of(text: str, regression: bool = False):
    return read_csv(text.encode(), regression, **LIMITS)


def test_a_good_csv_gives_the_points_and_their_classes():
    data = read_csv(GOOD, False, **LIMITS)
    np.testing.assert_array_equal(data.X, [[0.5, -1, 3], [1.0, 2, -0.25]])
    np.testing.assert_array_equal(data.Y, [[0, 1, 1]])
    assert (data.problem, data.n_classes) == ("binary", 2)
    assert data.rows() == [[0.5, 1.0, 0.0], [-1.0, 2.0, 1.0], [3.0, -0.25, 1.0]]


def test_the_header_is_optional_and_more_classes_are_a_multiclass_set():
    data = csv_of("0,0,0\n1,1,2\n2,2,1\n")
    assert (data.problem, data.n_classes) == ("multiclass", 3)


def test_real_labels_are_a_regression():
    data = csv_of("x1,x2,label\n0,0,0.25\n1,1,-3.5\n", regression=True)
    assert data.problem == "regression" and data.Y.tolist() == [[0.25, -3.5]]


def test_json_gives_the_same_points_as_csv():
    body = json.dumps({"points": [[0.5, 1.0, 0], [-1, 2, 1], [3, -0.25, 1]]}).encode()
    data = read_json(body, False, **LIMITS)
    assert data.rows() == read_csv(GOOD, False, **LIMITS).rows()
    regression = json.dumps({"points": [[0, 0, 0.5], [1, 1, 0.7]], "problem": "regression"})
    assert read_json(regression.encode(), False, **LIMITS).problem == "regression"


@pytest.mark.parametrize(
    "text, words",
    [
        ("x1,x2,label\n0,0,0\n1,abc,1\n", "line 3: x2 is not a number: 'abc'"),
        ("0,0,0\n1,1\n", "line 2: label missing"),
        ("0,0,0\n1\n", "line 2: x2, label missing"),
        ("0,0,0\n1,1,1,1\n", "line 2: 4 values"),
        ("", "empty"),
        ("  \n\n", "empty"),
        ("x1,x2,label\n", "no points"),
        ("0,0,0\n1,1,0\n", "every point has label 0"),
        ("0,0,0\n1,1,7\n", "line 2: label must be a class from 0 to 5, got 7"),
        ("0,0,0\n1,1,-1\n", "line 2: label must be a class"),
        ("0,0,0\n1,1,0.5\n", "line 2: label must be a class from 0 to 5, got 0.5"),
        ("0,0,0\n1,1,2\n", "no point has label 1"),
        ("0,0,0\n1,nan,1\n", "line 2: x2 must be a finite number"),
        ("0,0,0\n1e9,1,1\n", "line 2: x1 must be within"),
        ("0,0,0\n" * 51, "51 points: at most 50"),
        ("0,0,0\n" + "1,1,1\n" * 400, "larger than 2000 bytes"),
    ],
)
def test_each_fault_is_named_with_its_line(text, words):
    with pytest.raises(OwnDataError, match=words.replace("(", r"\(")):
        csv_of(text)


def test_a_binary_file_is_refused_as_such():
    with pytest.raises(OwnDataError, match="binary file"):
        read_csv(b"\x89PNG\r\n\x1a\n\x00\x00", False, **LIMITS)
    with pytest.raises(OwnDataError, match="not UTF-8"):
        read_csv(b"0,0,0\n1,1,\xff\n", False, **LIMITS)


@pytest.mark.parametrize(
    "body, words",
    [
        (b"[1, 2]", "send"),
        (b"{points: 1}", "not JSON"),
        (b'{"points": [[0, 0, 0], 5]}', "point 1: a point is a list"),
        (b'{"points": [[0, 0, 0], [1, true, 1]]}', "point 1: x2 is not a number"),
        (b'{"points": [[0, 0, 0], [1, 1]]}', "point 1: label missing"),
        (b'{"points": [[0, 0, 1]], "problem": "ranking"}', "problem must be regression"),
    ],
)
def test_json_faults_name_the_point(body, words):
    with pytest.raises(OwnDataError, match=words):
        read_json(body, False, **LIMITS)
