"""The mutation catalogue (``tests/mutation/mutants.py``) still fits the code: each mutant's ``before`` text occurs
exactly once in its file, its tests exist, and the mutated file still parses. ``make mutate`` refuses to run a
catalogue that does not fit, but it runs rarely (half an hour); this runs in ``make test``, so a commit that moves
or rewrites the code under a mutant shows it at once. Reads files only: no server, no subprocess."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.mutation.mutants import MUTANTS, Mutant, misfits

ROOT = Path(__file__).resolve().parents[1]


def test_every_mutant_fits_the_code() -> None:
    assert misfits(MUTANTS, ROOT) == []


@pytest.mark.parametrize("problem", ["before", "test"])
def test_a_mutant_that_no_longer_fits_is_reported(problem: str) -> None:
    """The check can fail: a mutant whose code moved away, and one whose test file is gone."""
    mutant = MUTANTS[0]
    stale = Mutant(mutant.id, mutant.area, mutant.path,
                   mutant.before + "  # no longer in the code" if problem == "before" else mutant.before,
                   mutant.after, mutant.what,
                   mutant.tests + ("tests/test_no_such_file.py",) if problem == "test" else mutant.tests)
    assert len(misfits([stale], ROOT)) == 1


def test_every_mutant_still_parses() -> None:
    """A mutant that is not valid Python would fail its tests at import: counted as an error, never a real kill."""
    broken = []
    for mutant in MUTANTS:
        source = (ROOT / mutant.path).read_text()
        try:
            ast.parse(source.replace(mutant.before, mutant.after, 1), mutant.path)
        except SyntaxError as err:
            broken.append(f"{mutant.id}: {err}")
    assert broken == []
