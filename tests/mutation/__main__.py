"""Run the mutants of ``tests.mutation.mutants`` and print each as killed or survived.

    python -m tests.mutation                 # every mutant
    python -m tests.mutation loop- ledger-   # the mutants whose id starts with any of these

The tracked files of the working tree (uncommitted changes included) are copied to a temporary directory; each
mutant is applied there, alone, and its tests run with that copy first on PYTHONPATH (``-x``: the first failure
kills it). Each run starts its own Temporal dev server, as ``make test`` does: tests that create orders with a
fixed idempotency key would find a previous run's orders on a shared one. The unmutated tree runs the same tests
first: a red baseline stops the run, since nothing could be learnt from it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.mutation.mutants import MUTANTS, Mutant, misfits

ROOT = Path(__file__).resolve().parents[2]
PER_MUTANT_TIMEOUT = 600.0


@dataclass
class Outcome:
    mutant: Mutant
    verdict: str  # killed, survived, timeout (counts as killed), error
    seconds: float
    detail: str = ""


def copy_tree(target: Path) -> None:
    """The tracked and untracked-but-not-ignored files, as they are in the working tree."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def check_catalogue(mutants: list[Mutant]) -> None:
    found = misfits(mutants, ROOT)
    if found:
        raise SystemExit("\n".join(found))


def pytest_run(tree: Path, tests: tuple[str, ...], ledgers: str, env: dict[str, str]) -> tuple[int, str, float]:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", *tests]
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=tree, env={**env, "ORDER_DESK_TEST_LEDGERS": ledgers},
                                capture_output=True, text=True, timeout=PER_MUTANT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return -1, "", time.monotonic() - started
    lines = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:]
    return result.returncode, (lines[0] if lines else last), time.monotonic() - started


def apply(tree: Path, mutant: Mutant, generation: int) -> str:
    """Write the mutant; return the original text. The file's mtime moves on every write, so no stale .pyc of
    a previous mutant (or of the original) is ever imported."""
    path = tree / mutant.path
    original = path.read_text()
    path.write_text(original.replace(mutant.before, mutant.after, 1))
    stamp = time.time() + generation
    os.utime(path, (stamp, stamp))
    return original


def restore(tree: Path, mutant: Mutant, original: str, generation: int) -> None:
    path = tree / mutant.path
    path.write_text(original)
    stamp = time.time() + generation + 0.5
    os.utime(path, (stamp, stamp))


def run(mutants: list[Mutant], tree: Path, env: dict[str, str]) -> list[Outcome]:
    outcomes = []
    baseline_tests = tuple(dict.fromkeys(test for mutant in mutants for test in mutant.tests))
    code, detail, seconds = pytest_run(tree, baseline_tests, "sqlite,postgresql", env)
    print(f"baseline (unmutated): {'green' if code == 0 else 'RED'} in {seconds:.0f} s", flush=True)
    if code != 0:
        raise SystemExit(f"the unmutated tree fails its tests, nothing to learn: {detail}")
    for generation, mutant in enumerate(mutants, start=1):
        original = apply(tree, mutant, 2 * generation)
        try:
            code, detail, seconds = pytest_run(tree, mutant.tests, mutant.ledgers, env)
        finally:
            restore(tree, mutant, original, 2 * generation + 1)
        verdict = {0: "survived", 1: "killed", -1: "timeout"}.get(code, "error")
        outcomes.append(Outcome(mutant, verdict, seconds, "" if verdict == "survived" else detail))
        print(f"{verdict.upper():9} {mutant.id:40} {seconds:5.0f} s  {mutant.what}"
              + (f"\n          {detail}" if verdict in ("killed", "error") and detail else ""), flush=True)
    return outcomes


def report(outcomes: list[Outcome]) -> int:
    killed = [o for o in outcomes if o.verdict in ("killed", "timeout")]
    survived = [o for o in outcomes if o.verdict == "survived"]
    errors = [o for o in outcomes if o.verdict == "error"]
    print(f"\nmutation score: {len(killed)}/{len(outcomes)} killed, {len(survived)} survived, {len(errors)} errors")
    by_area: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_area.setdefault(outcome.mutant.area, []).append(outcome)
    for area, items in by_area.items():
        dead = sum(o.verdict in ("killed", "timeout") for o in items)
        print(f"  {area:10} {dead}/{len(items)} killed")
    for outcome in survived:
        print(f"SURVIVED  {outcome.mutant.id} ({outcome.mutant.path}): {outcome.mutant.what}")
    for outcome in errors:
        print(f"ERROR     {outcome.mutant.id}: {outcome.detail}")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only the mutants whose id starts with one of these")
    args = parser.parse_args()
    mutants = [m for m in MUTANTS if not args.only or m.id.startswith(tuple(args.only))]
    check_catalogue(mutants)

    with tempfile.TemporaryDirectory(prefix="order-desk-mutate-") as scratch:
        tree = Path(scratch) / "tree"
        copy_tree(tree)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("ORDER_DESK_")},
               "PYTHONPATH": str(tree), "ORDER_DESK_SKIP_BUNDLE": "1"}
        print(f"{len(mutants)} mutants, tree copied to {tree}", flush=True)
        return report(run(mutants, tree, env))

if __name__ == "__main__":
    sys.exit(main())
