"""The app the snapshot tests photograph: the seed's five points with the seed's settings."""

from linreg_tui.tui.app import make_app

app = make_app()
