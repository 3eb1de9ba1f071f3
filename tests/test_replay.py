"""Recorded histories of every path must replay: a non-deterministic change to the workflow fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from core.worker import PASSTHROUGH_MODULES
from workflows.order_approval import OrderApprovalWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_every_path_has_a_recorded_history() -> None:
    names = {path.stem for path in HISTORIES}
    assert {"approved", "rejected", "cancelled_pending", "cancelled_validating", "invalid_order",
            "transient_failure_then_approved", "signal_approved", "reminded_then_approved", "expired"} <= names


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
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
