"""A corpus of malformed scenarios: each must be refused with the message it names.

Each file in ``malformed/`` starts with ``# expect: [LINE: ]MESSAGE`` (the entry that is a
directory holds the header in its ``EXPECT`` file; the file that is not UTF-8 has an ASCII
header). Loading it must raise ``ScenarioError`` whose text names the file and contains the
message; with a line, that line too. ``tokensim validate`` must exit 2 on each, with the
message and no traceback.

The corpus is what a new user, or a hostile file, tries: wrong types everywhere, empty
sections, negative, huge, NaN and infinite numbers, prices in fractions of a cent, dates out
of the chain's range, faults after the end, amounts beyond ``uint256``, duplicate keys,
nesting too deep, alias bombs, unicode names, margin and taxonomy sections and files of the
earlier ``kind: margin``/``kind: taxonomy`` formats with mistakes, binary garbage, a file
that is not UTF-8, a directory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import ScenarioError, load

CORPUS = sorted((Path(__file__).parent / "malformed").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (?:(\d+): )?(.*)$")


def expectation(path: Path) -> tuple[int | None, str]:
    raw = (path / "EXPECT" if path.is_dir() else path).read_bytes()
    match = EXPECT.match(raw.decode("utf-8", errors="replace").split("\n")[0])
    assert match, f"{path.name} has no '# expect:' header"
    return (int(match.group(1)) if match.group(1) else None), match.group(2)


def test_the_corpus_has_at_least_sixty_files():
    assert len(CORPUS) >= 60


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_malformed_scenario_is_refused_with_its_message(path):
    line, message = expectation(path)
    with pytest.raises(ScenarioError) as info:
        load(path)
    text = str(info.value)
    assert str(path) in text
    assert message in text, text
    if line is not None:
        assert f"{path}:{line}: " in text, text


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_validate_exits_2_with_the_message_and_no_traceback(path):
    line, message = expectation(path)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert message in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_run_on_a_malformed_scenario_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(CORPUS[5]), "--out", str(out)])
    assert result.exit_code == 2
    assert "bad scenario" in result.output
    assert not out.exists()


def test_a_missing_file_is_bad_input(tmp_path):
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "file not found" in " ".join(result.output.split())
