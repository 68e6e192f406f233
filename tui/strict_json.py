"""Strict JSON for every ``--json`` output: never NaN or Infinity (which JSON does not have and
strict parsers reject). A value beyond float64's range becomes ``null``, and why is said under
``"nulls"``, keyed by the value's path (``"reference.prediction"``, ``"runs[3].mse"``).
"""

from __future__ import annotations

import json
import math


def why_not_finite(value: float) -> str:
    """Words for an inf or NaN float."""
    if math.isnan(value):
        return "undefined (not a number)"
    return f"{'above' if value > 0 else 'below'} {'' if value > 0 else '-'}1.8e308, beyond float64"


def strict(value, nulls: dict[str, str], path: str = ""):
    """``value`` with every inf or NaN float replaced by None, the reason recorded in ``nulls``."""
    if isinstance(value, dict):
        return {k: strict(v, nulls, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v, nulls, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        nulls[path] = why_not_finite(value)
        return None
    return value


def dumps(out: dict) -> str:
    """``out`` as indented strict JSON, with a ``"nulls"`` entry when a value had to be null."""
    nulls: dict[str, str] = {}
    clean = strict(out, nulls)
    if nulls:
        clean["nulls"] = nulls
    return json.dumps(clean, indent=2, allow_nan=False)
