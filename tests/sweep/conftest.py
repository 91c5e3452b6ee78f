"""Fixtures of the sweep tests (helpers in ``sweep_helpers``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sweep_helpers import GRID, SEEDS, SMALL, running_dask_cluster


@dataclass
class Reference:
    """The small sweep, run uninterrupted on a local cluster."""

    table: object
    out: Path


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> Reference:
    from sim.sweep import sweep

    out = tmp_path_factory.mktemp("reference") / "sweep"
    return Reference(sweep(SMALL, seeds=SEEDS, grid=GRID, workers=2, out_dir=out), out)


@pytest.fixture
def dask_cluster(tmp_path):
    """A real Dask cluster on 127.0.0.1: a ``dask scheduler`` on a free port and two
    ``dask worker`` processes (one thread each, no nanny), started within bounded timeouts
    and torn down after the test whatever happens (``sweep_helpers.running_dask_cluster``)."""
    with running_dask_cluster(tmp_path / "cluster") as cluster:
        yield cluster
