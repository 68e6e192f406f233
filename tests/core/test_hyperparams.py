"""The hyperparameter parsers and the Hyperparameters dataclass accept what their docstrings allow
and refuse the rest with a HyperparameterError (a ValueError) that names the field."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linreg_tui.core import hyperparams as hp
from linreg_tui.core.errors import HyperparameterError
from linreg_tui.core.hyperparams import (
    MAX_EPOCHS,
    Hyperparameters,
    parse_epochs,
    parse_lr,
    parse_number,
)


def refused(field: str, parse, *args) -> str:
    with pytest.raises(HyperparameterError) as info:
        parse(*args)
    message = str(info.value)
    assert message.startswith(f"{field}:"), message
    assert "\n" not in message
    return message


def test_hyperparameter_error_is_a_value_error():
    assert issubclass(HyperparameterError, ValueError)


def test_max_epochs_is_a_hundred_million():
    assert MAX_EPOCHS == 100_000_000


# -- lr: a finite number > 0 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.01", 0.01), (" 1e-3 ", 0.001), ("5", 5.0), ("1e300", 1e300), ("5e-324", 5e-324)],
)
def test_lr_accepts_finite_positive_numbers(text, value):
    assert hp.parse_lr(text) == value


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("0", "> 0"),
        ("-0", "> 0"),
        ("-1", "> 0"),
        ("-1e-9", "> 0"),
        ("nan", "finite"),
        ("inf", "finite"),
        ("-inf", "finite"),
        ("1e999", "finite"),
        ("abc", "'abc'"),
        ("0.1.2", "'0.1.2'"),
        ("", "nothing"),
        ("   ", "nothing"),
    ],
)
def test_lr_refuses(text, detail):
    assert detail in refused("lr", hp.parse_lr, text)


# -- epochs: a whole number from 0 to MAX_EPOCHS --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("1000", 1000),
        (" 7 ", 7),
        ("1e6", 1_000_000),
        ("1E6", 1_000_000),
        ("1_000_000", 1_000_000),
        ("2.0", 2),
        ("1e8", 100_000_000),
        ("100000000", 100_000_000),
    ],
)
def test_epochs_accepts_whole_numbers_up_to_the_maximum(text, value):
    parsed = hp.parse_epochs(text)
    assert parsed == value
    assert type(parsed) is int


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("1.5", "got '1.5'"),
        ("1e-3", "got '1e-3'"),
        ("-1", "got -1"),
        ("-1e3", "got -1000"),
        ("100000001", "got 100000001"),
        ("1.00000001e8", "got 100000001"),
        ("1e9", "got 1000000000"),
        ("1e300", "from 0 to 100,000,000"),
        ("nan", "finite"),
        ("inf", "finite"),
        ("ten", "'ten'"),
        ("", "nothing"),
    ],
)
def test_epochs_refuses(text, detail):
    assert detail in refused("epochs", hp.parse_epochs, text)


# -- tol: a finite number >= 0 --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("0", 0.0), ("1e-12", 1e-12), ("3", 3.0)])
def test_tol_accepts_finite_non_negative_numbers(text, value):
    assert hp.parse_tol(text) == value


@pytest.mark.parametrize(
    ("text", "detail"),
    [("-1", "≥ 0"), ("-1e-300", "≥ 0"), ("nan", "finite"), ("inf", "finite"), ("x", "'x'")],
)
def test_tol_refuses(text, detail):
    assert detail in refused("tol", hp.parse_tol, text)


# -- degree: a whole number >= 1 ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("2", 2), (" 10 ", 10)])
def test_degree_accepts_whole_numbers_from_one(text, value):
    assert hp.parse_degree(text) == value


@pytest.mark.parametrize(
    ("text", "detail"),
    [("0", "got 0"), ("-2", "got -2"), ("1.5", "'1.5'"), ("two", "'two'"), ("", "whole")],
)
def test_degree_refuses(text, detail):
    message = refused("degree", hp.parse_degree, text)
    assert "≥ 1" in message
    assert detail in message


# -- single numbers (b0) and number lists (m0, predict) -------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("0", 0.0), ("-2.5", -2.5), (" 1e3 ", 1000.0)])
def test_a_single_number_is_any_finite_number(text, value):
    assert hp.parse_number("b0", text) == value


@pytest.mark.parametrize(
    ("text", "detail"), [("nan", "finite"), ("-inf", "finite"), ("", "nothing")]
)
def test_a_single_number_refuses_non_finite_and_missing(text, detail):
    assert detail in refused("b0", hp.parse_number, "b0", text)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("6", (6.0,)),
        ("1,2", (1.0, 2.0)),
        (" -1 , 2.5 ,3e2", (-1.0, 2.5, 300.0)),
        ("0,0,0,0", (0.0, 0.0, 0.0, 0.0)),
    ],
)
@pytest.mark.parametrize("field", ["m0", "predict"])
def test_number_lists_are_comma_separated(field, text, values):
    parsed = hp.parse_numbers(field, text)
    assert parsed == values
    assert type(parsed) is tuple


@pytest.mark.parametrize(
    ("text", "where", "detail"),
    [
        ("abc", "", "'abc'"),
        ("", "", "nothing"),
        ("nan", "", "finite"),
        ("1,abc", " item 2", "'abc'"),
        ("1,,2", " item 2", "nothing"),
        ("1,2,", " item 3", "nothing"),
        ("inf,1", " item 1", "finite"),
        ("1;2", "", "'1;2'"),
    ],
)
@pytest.mark.parametrize("field", ["m0", "predict"])
def test_number_lists_name_the_field_and_the_item(field, text, where, detail):
    message = refused(f"{field}{where}", hp.parse_numbers, field, text)
    assert detail in message


# -- the dataclass checks itself ------------------------------------------------------------------


def test_defaults_are_the_seed_script_settings():
    h = Hyperparameters()
    assert (h.lr, h.epochs, h.tol, h.m0, h.b0, h.predict_x) == (
        0.01,
        1000,
        0.0,
        (0.0,),
        0.0,
        (6.0,),
    )
    assert (h.standardize, h.fit_intercept) == (False, True)


def test_hyperparameters_are_frozen():
    h = Hyperparameters()
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.lr = 0.5  # type: ignore[misc]


def test_valid_settings_are_kept_as_given():
    h = Hyperparameters(
        lr=0.5,
        epochs=MAX_EPOCHS,
        tol=1e-9,
        m0=(1.0, -2.0),
        b0=0.0,
        predict_x=(3.0, 4.0),
        standardize=True,
        fit_intercept=False,
    )
    assert (h.lr, h.epochs, h.tol, h.m0, h.predict_x) == (
        0.5,
        MAX_EPOCHS,
        1e-9,
        (1.0, -2.0),
        (3.0, 4.0),
    )
    assert Hyperparameters(epochs=0).epochs == 0


@pytest.mark.parametrize(
    ("field", "changes", "detail"),
    [
        ("lr", {"lr": 0.0}, "> 0"),
        ("lr", {"lr": -1.0}, "> 0"),
        ("lr", {"lr": math.nan}, "nan"),
        ("lr", {"lr": math.inf}, "inf"),
        ("epochs", {"epochs": -1}, "-1"),
        ("epochs", {"epochs": MAX_EPOCHS + 1}, "100,000,000"),
        ("epochs", {"epochs": 1.5}, "1.5"),
        ("epochs", {"epochs": 10.0}, "10.0"),
        ("epochs", {"epochs": True}, "True"),
        ("tol", {"tol": -1.0}, "≥ 0"),
        ("tol", {"tol": math.nan}, "nan"),
        ("tol", {"tol": math.inf}, "inf"),
        ("m0", {"m0": ()}, "at least one"),
        ("m0", {"m0": (1.0, math.nan)}, "nan"),
        ("m0", {"m0": (math.inf,)}, "inf"),
        ("predict", {"predict_x": ()}, "at least one"),
        ("predict", {"predict_x": (-math.inf,)}, "inf"),
        ("b0", {"b0": math.nan}, "nan"),
        ("b0", {"b0": math.inf}, "inf"),
        ("b0", {"b0": 1.0, "fit_intercept": False}, "no intercept"),
    ],
)
def test_hyperparameters_refuse_bad_values_directly(field, changes, detail):
    message = refused(field, lambda: Hyperparameters(**changes))
    assert detail in message


def test_replace_is_checked_too():
    with pytest.raises(HyperparameterError, match=r"^lr:"):
        dataclasses.replace(Hyperparameters(), lr=-0.1)


@given(st.text(st.characters(whitelist_categories=("Nd",)), min_size=1, max_size=4))
def test_digits_of_other_scripts_are_not_numbers_here_as_in_the_data(digits):
    """float('١') is 1.0 in Python; a data cell refuses it, and so do the settings."""
    from hypothesis import assume

    assume(not digits.isascii())
    for parse in (parse_lr, parse_epochs, lambda t: parse_number("b0", t)):
        with pytest.raises(HyperparameterError, match="is not a number"):
            parse(digits)


@given(st.integers(1, 9), st.integers(325, 10_000))
def test_a_number_below_float64_is_refused_quoting_what_was_typed(digit, exponent):
    text = f"{digit}e-{exponent}"
    with pytest.raises(HyperparameterError, match=re.escape(f"{text!r} is too small for float64")):
        parse_lr(text)
    assert parse_number("b0", f"0e-{exponent}") == 0.0  # a typed zero is a zero
