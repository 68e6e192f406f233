"""The landscape pane's keys: the bindings and the app's one-line actions that delegate to it."""

from __future__ import annotations

from textual.binding import Binding

from .landscape_view import ZOOM_STEP, LandscapeView

LANDSCAPE_BINDINGS = [
    Binding(
        "x",
        "landscape('next_pair')",
        "Landscape axes",
        tooltip="landscape: the next pair of parameters on its axes",
        show=False,
        id="landscape-axes",
    ),
    Binding(
        "h",
        "landscape('toggle_axes')",
        "Hessian axes",
        tooltip="landscape: show / hide the "
        "eigen-directions of the Hessian (the ellipses' long and short axes)",
        show=False,
        id="landscape-eigen",
    ),
    Binding(
        "z",
        "landscape_zoom(2)",
        "Zoom in",
        tooltip="landscape: zoom in (×2)",
        show=False,
        id="landscape-zoom-in",
    ),
    Binding(
        "Z",
        "landscape_zoom(0.5)",
        "Zoom out",
        tooltip="landscape: zoom out (×½)",
        show=False,
        id="landscape-zoom-out",
    ),
    Binding(
        "c",
        "landscape('centre_on_current')",
        "Centre on now",
        tooltip="landscape: centre on the current point",
        show=False,
        id="landscape-centre",
    ),
    Binding(
        "o",
        "landscape('centre_on_optimum')",
        "Centre on optimum",
        tooltip="landscape: centre on the least-squares optimum",
        show=False,
        id="landscape-optimum",
    ),
    Binding(
        "v",
        "landscape('reset_view')",
        "Fit the view",
        tooltip="landscape: back to the view that shows the whole path (zoom 1)",
        show=False,
        id="landscape-fit",
    ),
]


class LandscapeKeys:
    """Mixed into the app: each action tells the landscape view, then redraws."""

    def action_landscape(self, method: str) -> None:
        getattr(self.query_one(LandscapeView), method)()
        self.refresh_views()

    def action_landscape_zoom(self, factor: float) -> None:
        self.query_one(LandscapeView).zoom_by(float(factor) if factor != 2 else ZOOM_STEP)
        self.refresh_views()
