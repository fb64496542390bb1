"""The model's consistency checks (sim/checks.py), as the tests call them every month."""

from sim.checks import check_month

__all__ = ["check_month"]
