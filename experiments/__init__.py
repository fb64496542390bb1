"""Experiments on the model: scenarios, single runs, sweeps and the command line.

``from experiments import run`` gives :func:`experiments.runner.run`,
``run(params, months=72, seed=None, scenario=None) -> dict`` of plain outcomes. It is
imported lazily, so ``computebubble params`` and scenario loading do not pay for the
model's imports.
"""

from __future__ import annotations

__all__ = ["run", "run_model"]


def __getattr__(name: str):
    if name in __all__:
        from experiments import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
