"""Evaluations of the caption ranking: forward simulation on the demo truth and offline replay."""
