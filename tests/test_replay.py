"""Recorded histories of every path must replay: a non-deterministic change to the workflow fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
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


def read(path: Path) -> WorkflowHistory:
    """A recorded history, named by its file's stem."""
    return WorkflowHistory.from_json(path.stem, path.read_text())

PATHS = {"approved", "rejected", "cancelled_pending", "cancelled_validating", "invalid_order",
         "transient_failure_then_approved", "signal_approved", "reminded_then_approved", "expired"}
CONTINUED = {"continued_then_approved.run1", "continued_then_approved"}
# The paths of approval steps (a policy file in force), recorded since the approval-steps patch.
# A signature given while a notice was still being sent (patch signature-during-notice): during the last reminder of
# a run, which then continued as new before the patch.
RACES_BEFORE = {"signed_during_last_reminder.run1", "signed_during_last_reminder"}
STEPS = {"auto_approved", "two_steps_approved", "rejected_at_step_two", "director_signs_a_manager_step",
         "two_steps_reminded", "signals_sign_two_steps"}


def test_every_path_has_a_recorded_history() -> None:
    folders = {ROOT, *(path for path in ROOT.iterdir() if path.is_dir())}
    assert {folder.name for folder in folders} == {
        "histories", "before-ledger-in-activities", "before-bounded-history", "before-team-decisions",
        "before-approval-steps", "before-lean-orders", "before-signature-during-notice"}
    race = ROOT / "before-signature-during-notice"  # the one path that patch changes, and only when it happens
    assert {path.stem for path in race.glob("*.json")} == {"signed_during_notice", *RACES_BEFORE}
    assert {"signed_during_notice", "signed_during_last_reminder"} <= {path.stem for path in ROOT.glob("*.json")}
    for folder in folders - {race}:
        assert {path.stem for path in folder.glob("*.json")} >= PATHS, folder
    for folder in (ROOT, ROOT / "before-team-decisions", ROOT / "before-approval-steps",
                   ROOT / "before-lean-orders"):
        assert {path.stem for path in folder.glob("*.json")} >= CONTINUED, folder
    for folder in (ROOT, ROOT / "before-approval-steps", ROOT / "before-lean-orders"):
        assert "team_signals_refused" in {path.stem for path in folder.glob("*.json")}, folder
    for folder in (ROOT, ROOT / "before-lean-orders"):
        assert {path.stem for path in folder.glob("*.json")} >= STEPS, folder


@pytest.mark.parametrize("path", HISTORIES, ids=[str(p.relative_to(ROOT).with_suffix("")) for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

    replayer = Replayer(
        workflows=[OrderApprovalWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)),
    )
    result = await replayer.replay_workflow(read(path), raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure


# Where the approval-steps path issues other commands than the one-decision path did: approved at once, or a
# signature that leaves a step open (the next role is notified). Their histories must not replay without the patch.
DIVERGING = ["auto_approved", "two_steps_approved", "rejected_at_step_two", "two_steps_reminded"]


async def replay_failure_without(patch_id: str, name: str, monkeypatch: pytest.MonkeyPatch) -> object:
    """Replay the recorded history ``name`` with ``patched(patch_id)`` answering False (the code before the patch,
    unsandboxed so the monkeypatch reaches it): what replay reports, None when it replayed."""
    from temporalio import workflow
    from temporalio.worker import UnsandboxedWorkflowRunner

    patched = workflow.patched
    monkeypatch.setattr(workflow, "patched", lambda asked: patched(asked) and asked != patch_id)
    replayer = Replayer(workflows=[OrderApprovalWorkflow], data_converter=pydantic_data_converter,
                        workflow_runner=UnsandboxedWorkflowRunner())
    return (await replayer.replay_workflow(read(ROOT / f"{name}.json"), raise_on_replay_failure=False)).replay_failure


@pytest.mark.parametrize("name", DIVERGING)
async def test_a_history_of_approval_steps_fails_to_replay_without_the_patch(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard is what keeps both kinds of order apart: with ``patched(APPROVAL_STEPS)`` answering False, an order
    recorded on the new path is replayed on the old one, and replay reports the non-determinism."""
    from workflows.order_approval import APPROVAL_STEPS

    assert await replay_failure_without(APPROVAL_STEPS, name, monkeypatch) is not None


# A signature that leaves a step open moves no status, so since the lean-orders patch it upserts nothing; and a final
# state's fulfilment is a local activity: these histories issue other commands than the code without the patch would.
LEAN = ["approved", "rejected", "expired", "auto_approved", "two_steps_approved", "rejected_at_step_two",
        "two_steps_reminded"]


@pytest.mark.parametrize("name", LEAN)
async def test_a_history_of_lean_orders_fails_to_replay_without_the_patch(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from workflows.order_approval import LEAN_ORDERS

    assert await replay_failure_without(LEAN_ORDERS, name, monkeypatch) is not None


def test_a_final_state_is_fulfilled_by_a_local_activity_in_the_task_that_reached_it() -> None:
    """Since lean-orders no order schedules a (regular) activity after its final transition, and it completes in the
    workflow task of its fulfilment's marker."""
    for name in ("approved", "rejected", "expired", "auto_approved", "invalid_order"):
        events = read(ROOT / f"{name}.json").events
        kinds = [EventType.Name(e.event_type).removeprefix("EVENT_TYPE_") for e in events]
        assert kinds[-1] == "WORKFLOW_EXECUTION_COMPLETED", name
        tail = kinds[len(kinds) - 1 - kinds[::-1].index("WORKFLOW_TASK_COMPLETED"):]
        assert "MARKER_RECORDED" in tail and "ACTIVITY_TASK_SCHEDULED" not in tail, (name, tail)
        last_activity = max((i for i, kind in enumerate(kinds) if kind == "ACTIVITY_TASK_SCHEDULED"), default=-1)
        assert events[last_activity].activity_task_scheduled_event_attributes.activity_type.name not in (
            "process_approved_order", "process_rejected_order", "process_expired_order"), name


def test_new_orders_upsert_only_their_status() -> None:
    """Every search attribute a recorded order of today's workflow carries or upserts is its status (or the
    patches' own ``TemporalChangeVersion``), and each status upsert moves the status."""
    for path in sorted(ROOT.glob("*.json")):
        events = read(path).events
        started = events[0].workflow_execution_started_event_attributes.search_attributes.indexed_fields
        if not path.stem.startswith("continued_then_approved"):  # the run continued as new starts from the workflow
            assert set(started) == {"OrderStatus"}, path.stem
        upserted = [set(e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
                    for e in events if e.HasField("upsert_workflow_search_attributes_event_attributes")]
        assert all(names in ({"OrderStatus"}, {"TemporalChangeVersion"}) for names in upserted), path.stem
        statuses = [e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields[
            "OrderStatus"].data for e in events if e.HasField("upsert_workflow_search_attributes_event_attributes")
            and "OrderStatus" in e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields]
        assert all(a != b for a, b in zip(statuses, statuses[1:], strict=False)), path.stem


def patches(history: WorkflowHistory) -> set[str]:
    """The patches a history records (the ids of its patch markers)."""
    return {json.loads(e.marker_recorded_event_attributes.details["patch-data"].payloads[0].data)["id"]
            for e in history.events if e.marker_recorded_event_attributes.marker_name == "core_patch"}


def notices(history: WorkflowHistory) -> list[dict]:
    """The inputs of the notices (``notify_manager``) the order scheduled, in order."""
    return [json.loads(e.activity_task_scheduled_event_attributes.input.payloads[0].data) for e in history.events
            if e.activity_task_scheduled_event_attributes.activity_type.name == "notify_manager"]


def test_a_signature_given_during_a_notice_notifies_the_next_role_only_since_its_patch() -> None:
    """The manager signed while a notice was being sent: the step's first notice, or the last reminder of a run.
    Before the signature-during-notice patch the director got no notice of their own (one notify_manager after the
    first notice; a run continued as new after the reminder); since it they do. Other histories never ask the patch."""
    from workflows.order_approval import SIGNATURE_DURING_NOTICE

    def director_notices(history: WorkflowHistory) -> int:
        """The director's notices of their step (not reminders)."""
        return sum(notice["role"] == "director" and not notice["reminder"] for notice in notices(history))

    before = ROOT / "before-signature-during-notice"
    first, first_since = read(before / "signed_during_notice.json"), read(ROOT / "signed_during_notice.json")
    assert len(notices(first)) == 1 and SIGNATURE_DURING_NOTICE not in patches(first)
    assert len(notices(first_since)) == 2 and SIGNATURE_DURING_NOTICE in patches(first_since)
    assert director_notices(first_since) == 1

    reminded = read(before / "signed_during_last_reminder.run1.json")
    assert reminded.events[-1].HasField("workflow_execution_continued_as_new_event_attributes")
    assert director_notices(reminded) == 0 and director_notices(read(before / "signed_during_last_reminder.json")) == 0
    reminded_since = read(ROOT / "signed_during_last_reminder.json")
    assert SIGNATURE_DURING_NOTICE in patches(reminded_since) and director_notices(reminded_since) == 1
    for path in sorted(ROOT.glob("*.json")):
        if not path.stem.startswith("signed_during_"):
            assert SIGNATURE_DURING_NOTICE not in patches(read(path)), path.stem


@pytest.mark.parametrize("name", ["signed_during_notice", "signed_during_last_reminder"])
async def test_a_signature_during_a_notice_fails_to_replay_without_its_patch(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from workflows.order_approval import SIGNATURE_DURING_NOTICE

    assert await replay_failure_without(SIGNATURE_DURING_NOTICE, name, monkeypatch) is not None
