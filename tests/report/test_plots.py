"""Margin plots: valid, deterministic PNGs from samples and margin events, even empty ones."""

from __future__ import annotations

import math

import pytest
from matplotlib.image import imread

from sim.report.plots import write_margin_plots

DAY = 86_400
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAMES = ["collateral_by_method.png", "equity_vs_requirement.png", "margin_timeline.png"]
ACCOUNTS = ["alice", "bob"]


def rows(days=40, accounts=ACCOUNTS, stale=()):
    out = []
    for d in range(days):
        row = {
            "t": d * DAY,
            "collateral_required_siloed": 1_000_000 + 300_000 * (d >= 20),
            "collateral_required_cross": 600_000 + 5_000 * math.sin(d),
        }
        for i, a in enumerate(accounts):
            row[f"equity:{a}"] = None if d in stale else 100_000 * (1 + 0.2 * math.sin(d / (3 + i)))
            row[f"requirement:{a}"] = None if d in stale else 80_000.0
        out.append(row)
    return out


EVENTS = [
    {"t": 20 * DAY, "act": "shock", "asset": "IDX", "move_pct": -20},
    {"t": 21 * DAY, "act": "margin_call", "account": "alice"},
    {"t": 22 * DAY, "act": "call_met", "account": "alice"},
    {"t": 21 * DAY, "act": "margin_call", "account": "bob"},
    {"t": 24 * DAY, "act": "liquidation", "account": "bob"},
    {"t": 25 * DAY, "act": "close_out", "account": "bob"},
]


def assert_valid_png(path):
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = imread(path)
    assert image.ndim == 3 and image.shape[0] > 0 and image.shape[1] > 0


def test_the_paths_are_returned_in_the_documented_order(tmp_path):
    paths = write_margin_plots(tmp_path, rows(), EVENTS, ACCOUNTS)
    assert paths == [tmp_path / name for name in NAMES]


def test_the_files_written_are_valid_pngs(tmp_path):
    for path in write_margin_plots(tmp_path, rows(), EVENTS, ACCOUNTS):
        assert_valid_png(path)


def test_the_same_input_writes_byte_identical_files(tmp_path):
    first = write_margin_plots(tmp_path / "one", rows(), EVENTS, ACCOUNTS)
    second = write_margin_plots(tmp_path / "two", rows(), EVENTS, ACCOUNTS)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_the_png_metadata_does_not_name_the_software(tmp_path):
    for path in write_margin_plots(tmp_path, rows(), EVENTS, ACCOUNTS):
        assert b"Software" not in path.read_bytes()


def test_none_values_from_stale_prices_are_accepted(tmp_path):
    samples = rows(stale=range(10, 15))
    samples[3]["collateral_required_cross"] = None
    for path in write_margin_plots(tmp_path, samples, EVENTS, ACCOUNTS):
        assert_valid_png(path)


def test_empty_input_still_writes_valid_pngs(tmp_path):
    paths = write_margin_plots(tmp_path, [], [], [])
    assert [p.name for p in paths] == NAMES
    for path in paths:
        assert_valid_png(path)


def test_samples_without_events_or_events_without_samples_are_accepted(tmp_path):
    for path in write_margin_plots(tmp_path / "rows", rows(), [], ACCOUNTS):
        assert_valid_png(path)
    for path in write_margin_plots(tmp_path / "events", [], EVENTS, ACCOUNTS):
        assert_valid_png(path)


def test_more_than_twelve_accounts_are_accepted(tmp_path):
    many = [f"acct{i}" for i in range(15)]
    for path in write_margin_plots(tmp_path, rows(days=5, accounts=many), EVENTS, many):
        assert_valid_png(path)


def test_the_output_directory_is_created(tmp_path):
    out = tmp_path / "a" / "b"
    paths = write_margin_plots(out, rows(), EVENTS, ACCOUNTS)
    assert all(p.parent == out and p.is_file() for p in paths)


def test_an_unknown_event_act_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'deposit'"):
        write_margin_plots(tmp_path, rows(), [{"t": 0, "act": "deposit", "account": "alice"}], ACCOUNTS)
