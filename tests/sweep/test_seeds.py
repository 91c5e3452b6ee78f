"""Each run's seed: derived from the scenario's seed by SeedSequence.spawn, or as given."""

from __future__ import annotations

import numpy as np
import pytest
from sweep_helpers import SMALL

from sim.scenario import load
from sim.sweep import SweepError, child_seeds, define


def test_run_j_of_n_seeds_gets_the_documented_child_of_the_scenarios_seed():
    root = load(SMALL).seed
    expected = [int(np.random.SeedSequence(root).spawn(5)[j].generate_state(1, dtype=np.uint64)[0]) >> 1
                for j in range(5)]
    assert define(SMALL, seeds=5).seeds == child_seeds(root, 5) == expected
    assert all(0 <= seed < 2**63 for seed in expected)


def test_asking_for_more_seeds_keeps_the_first_ones():
    assert child_seeds(11, 8)[:3] == child_seeds(11, 3)


def test_a_seed_list_is_used_as_given_and_every_grid_point_runs_the_same_seeds():
    sweep = define(SMALL, seeds=[5, 1, 9], grid={"margin.shocks.0.move_pct": [-10, -40]})
    assert [(run.id, run.seed) for run in sweep.runs] == [
        ("g0-s0", 5), ("g0-s1", 1), ("g0-s2", 9), ("g1-s0", 5), ("g1-s1", 1), ("g1-s2", 9)]


def test_without_seeds_a_sweep_runs_the_scenarios_own_seed():
    assert define(SMALL).seeds == [load(SMALL).seed]


@pytest.mark.parametrize(("seeds", "message"), [
    ([3, 3], "--seed-list: the seed 3 is given twice (it would run the same runs twice)"),
    ([-1], "--seed-list: bad seed -1: expected an integer, 0 <= seed < 2**63"),
    (0, "--seeds 0: expected 1 to 100,000 seeds"),
])
def test_bad_seeds_are_refused(seeds, message):
    with pytest.raises(SweepError) as refused:
        define(SMALL, seeds=seeds)
    assert str(refused.value) == message
