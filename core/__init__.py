"""The numpy core of linreg-tui: data, model, trainer, reference answer and analysis."""
