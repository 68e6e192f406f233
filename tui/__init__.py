"""The Textual app of linreg-tui."""
