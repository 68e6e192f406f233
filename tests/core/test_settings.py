"""The one declaration per setting: specs, the command line and the records' settings."""

from __future__ import annotations

import argparse
import dataclasses

import pytest
from seed_script import SEED_X, SEED_Y, seed_loop

from linreg_tui.core import settings
from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.errors import HyperparameterError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session


def test_every_hyperparameter_field_is_declared_once():
    names = [s.name for s in settings.SETTINGS]
    assert len(names) == len(set(names))
    assert set(names) == {f.name for f in dataclasses.fields(Hyperparameters)}
    flags = [s.flag for s in settings.SETTINGS]
    assert len(flags) == len(set(flags))


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_each_default_shows_as_text_that_parses_back_to_it(setting):
    text = setting.show(setting.default)
    if setting.switch:
        assert setting.parse(text) == setting.default
    else:
        assert setting.parse(text) == setting.default


def test_parse_spec():
    hp = settings.parse_spec("optimizer=adam,lr=0.1")
    assert (hp.optimizer, hp.lr) == ("adam", 0.1)
    assert hp.epochs == Hyperparameters().epochs
    hp2 = settings.parse_spec("m0=1,2,beta1=0.5,standardize", base=hp)
    assert hp2.m0 == (1.0, 2.0) and hp2.beta1 == 0.5 and hp2.standardize
    assert hp2.optimizer == "adam"
    assert not settings.parse_spec("no-intercept").fit_intercept
    assert settings.parse_spec("--batch-size=4".replace("batch-size", "epochs")).epochs == 4


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("foo=1", "'foo' is not a setting"),
        ("optimizer=sgd", "optimizer: must be one of gd, momentum"),
        ("momentum=1", "momentum: must be a number from 0 to below 1"),
        ("eps=0", "eps: must be a finite number > 0"),
        ("lr", "lr: needs a value"),
        ("lr=abc", "lr: 'abc' is not a number"),
    ],
)
def test_parse_spec_refuses_with_the_settings_own_message(spec, message):
    with pytest.raises(HyperparameterError, match=message):
        settings.parse_spec(spec)


def test_argparse_options_come_from_the_declarations():
    parser = argparse.ArgumentParser()
    settings.add_arguments(parser)
    ns = parser.parse_args(["--optimizer", "nesterov", "--momentum", "0.5", "--standardize"])
    hp = settings.from_arguments(ns, Hyperparameters())
    assert (hp.optimizer, hp.momentum, hp.standardize, hp.lr) == ("nesterov", 0.5, True, 0.01)
    text = parser.format_help()
    for s in settings.SETTINGS:
        assert s.flag in text


def test_restarts_is_declared_per_setting():
    assert settings.restarts({"m0"}) and settings.restarts({"optimizer"})
    assert not settings.restarts({"lr", "tol", "epochs", "momentum"})


def test_records_carry_the_settings_that_produced_them():
    """10 epochs at 0.01, lr 0.05, 10 more, back 15, forward 1: the step from 5 to 6 used 0.01."""
    session = Session(seed_dataset(), Hyperparameters())
    session.trainer.advance(10, records=False)
    session.apply(dataclasses.replace(session.hp, lr=0.05))
    session.trainer.advance(10, records=False)
    session.trainer.back(15)
    recs = session.trainer.advance(1)
    assert recs[0].epoch == 6 and recs[0].settings.lr == 0.01
    step = session.step(6)
    assert step.lr == 0.01 and step.settings.lr == 0.01
    _, _, history = seed_loop(SEED_X, SEED_Y, 0.01, 6)
    (name, (term,)) = step.terms[0]
    assert name == "m"
    m5, lr, g5 = term.values
    assert lr == 0.01
    assert m5 == pytest.approx(history[5].m, rel=1e-13)
    assert g5 == pytest.approx(history[5].dm, rel=1e-13)
    assert term.result == m5 - 0.01 * g5 == float(step.after.weights[0])
    assert term.result == pytest.approx(history[6].m, rel=1e-13)
    assert session.step(11).lr == 0.05
    block = session.trainer.advance(14)  # 6 → 20 across the change
    assert [block[i].settings.lr for i in (0, 3, 4, 13)] == [0.01, 0.01, 0.05, 0.05]
    assert block[3].epoch == 10 and block[4].epoch == 11
