"""What a run exports, as text: the loss history and the current fit, in CSV and JSON.

Numbers are written with ``repr`` (shortest round-tripping form), so reading a file back gives
the very floats the core holds.
"""

from __future__ import annotations

import csv
import io
import json

from .objective import REFERENCE_TITLE
from .session import Session


def loss_history_csv(session: Session) -> str:
    """``epoch,mse`` for epochs 0 … the current one."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", "mse"])
    writer.writerows(enumerate(session.trainer.loss_trace.tolist()))
    return out.getvalue()


def loss_history_json(session: Session) -> str:
    """``{"epochs": k, "mse": [...]}`` for epochs 0 … k."""
    trace = session.trainer.loss_trace.tolist()
    return json.dumps({"epochs": len(trace) - 1, "mse": trace}) + "\n"


def _parameter_names(session: Session) -> list[str]:
    names = session.dataset.feature_names
    weights = ["m"] if len(names) == 1 else [f"w_{n}" for n in names]
    return weights + (["b"] if session.hp.fit_intercept else [])


def fit(session: Session) -> dict:
    """The current parameters beside the reference answer's (least squares', or with a penalty
    the penalised answer's, under its own name), with what they were fitted to."""
    rec = session.record()
    ref = session.reference
    hp = session.hp
    answer = {
        "weights": ref.weights.tolist(),
        "intercept": ref.intercept if hp.fit_intercept else None,
        "mse": ref.mse,
        "r2": ref.r2,
        "prediction": session.reference_prediction(),
        "method": ref.method,
    }
    out = {
        "epoch": session.trainer.epoch,
        "feature_names": list(session.dataset.feature_names),
        "y_name": session.dataset.y_name,
        "weights": rec.weights.tolist(),
        "intercept": float(rec.intercept) if hp.fit_intercept else None,
        "mse": rec.mse,
        "r2": session.r2_at(rec.mse),
        "predict_x": list(hp.predict_x),
        "prediction": session.prediction(rec),
        "data": session.dataset.source,
        "rows": session.n_rows,
        "lr": hp.lr,
        "standardize": hp.standardize,
    }
    if ref.objective is not None:  # the penalised answer, named for what it solved, and J
        out["penalty"] = session.problem.objective.penalty.terms(repr)
        out["objective"] = rec.objective
        answer["objective"] = ref.objective
    out[_answer_key(ref.penalty)] = answer
    return out


def _answer_key(penalty: str) -> str:
    """The reference answer's key: ``least_squares``, ``ridge``, ``lasso`` or ``elastic_net``."""
    return REFERENCE_TITLE[penalty].replace(" ", "_")


def fit_json(session: Session) -> str:
    return json.dumps(fit(session), indent=2) + "\n"


def fit_csv(session: Session) -> str:
    """``parameter,now,least_squares`` (``ridge``, ``lasso``, ``elastic_net`` with a penalty):
    one row per weight, the intercept, then mse, r2 (and J with a penalty)."""
    f = fit(session)
    key = _answer_key(session.reference.penalty)
    ls = f[key]
    rows = [["parameter", "now", key]]
    rows += [[n, w, lw] for n, w, lw in zip(_parameter_names(session), f["weights"], ls["weights"])]
    if f["intercept"] is not None:
        rows.append(["b", f["intercept"], ls["intercept"]])
    rows.append(["mse", f["mse"], ls["mse"]])
    rows.append(["r2", f["r2"], ls["r2"]])
    if "objective" in ls:
        rows.append(["J", f["objective"], ls["objective"]])
    rows.append(["prediction", f["prediction"], ls["prediction"]])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [[c if isinstance(c, str) else ("" if c is None else repr(c)) for c in r] for r in rows]
    )
    return out.getvalue()
