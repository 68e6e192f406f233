"""What a run exports, as text: the loss history and the current fit, in CSV and JSON.

Numbers are written with ``repr`` (shortest round-tripping form), so reading a file back gives
the very floats the core holds.
"""

from __future__ import annotations

import csv
import io
import json

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
    """The current parameters beside least squares', with what they were fitted to."""
    rec = session.record()
    ref = session.reference
    hp = session.hp
    return {
        "epoch": session.trainer.epoch,
        "feature_names": list(session.dataset.feature_names),
        "y_name": session.dataset.y_name,
        "weights": rec.weights.tolist(),
        "intercept": float(rec.intercept) if hp.fit_intercept else None,
        "mse": rec.mse,
        "r2": session.r2_at(rec.mse),
        "predict_x": list(hp.predict_x),
        "prediction": session.prediction(rec),
        "least_squares": {
            "weights": ref.weights.tolist(),
            "intercept": ref.intercept if hp.fit_intercept else None,
            "mse": ref.mse,
            "r2": ref.r2,
            "prediction": session.reference_prediction(),
            "method": ref.method,
        },
        "data": session.dataset.source,
        "rows": session.n_rows,
        "lr": hp.lr,
        "standardize": hp.standardize,
    }


def fit_json(session: Session) -> str:
    return json.dumps(fit(session), indent=2) + "\n"


def fit_csv(session: Session) -> str:
    """``parameter,now,least_squares``: one row per weight, the intercept, then mse and r2."""
    f = fit(session)
    ls = f["least_squares"]
    rows = [["parameter", "now", "least_squares"]]
    rows += [[n, w, lw] for n, w, lw in zip(_parameter_names(session), f["weights"], ls["weights"])]
    if f["intercept"] is not None:
        rows.append(["b", f["intercept"], ls["intercept"]])
    rows.append(["mse", f["mse"], ls["mse"]])
    rows.append(["r2", f["r2"], ls["r2"]])
    rows.append(["prediction", f["prediction"], ls["prediction"]])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [[c if isinstance(c, str) else ("" if c is None else repr(c)) for c in r] for r in rows]
    )
    return out.getvalue()
