"""Recorded histories of every path must replay: a non-deterministic change to the workflow fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from core.worker import PASSTHROUGH_MODULES
from workflows.order_approval import OrderApprovalWorkflow

ROOT = Path(__file__).parent / "histories"
# The histories of today's workflow, and those recorded before each patch (``before-<patch>/``): orders started
# then may still be running when a worker is upgraded. A pending order that continued as a new run has a history
# per run (``<path>.run1``, then ``<path>``).
HISTORIES = sorted(ROOT.rglob("*.json"))
PATHS = {"approved", "rejected", "cancelled_pending", "cancelled_validating", "invalid_order",
         "transient_failure_then_approved", "signal_approved", "reminded_then_approved", "expired"}
CONTINUED = {"continued_then_approved.run1", "continued_then_approved"}


def test_every_path_has_a_recorded_history() -> None:
    folders = {ROOT, *(path for path in ROOT.iterdir() if path.is_dir())}
    assert {folder.name for folder in folders} == {
        "histories", "before-ledger-in-activities", "before-bounded-history", "before-team-decisions"}
    for folder in folders:
        assert {path.stem for path in folder.glob("*.json")} >= PATHS, folder
    for folder in (ROOT, ROOT / "before-team-decisions"):
        assert {path.stem for path in folder.glob("*.json")} >= CONTINUED, folder
    assert "team_signals_refused" in {path.stem for path in ROOT.glob("*.json")}


@pytest.mark.parametrize("path", HISTORIES, ids=[str(p.relative_to(ROOT).with_suffix("")) for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

    replayer = Replayer(
        workflows=[OrderApprovalWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)),
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
