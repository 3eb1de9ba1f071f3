"""Every refusal the workflow names by code reads as its own sentence in the desk, never as "did not answer"."""

from __future__ import annotations

import pytest

from core.errors import FORBIDDEN_CODES, ErrorCode
from core.models import Action, OrderStatus
from desktop.refusals import UNAVAILABLE, refusal_text

NAMED = sorted({*FORBIDDEN_CODES, ErrorCode.INVALID_TRANSITION, ErrorCode.ORDER_NOT_FOUND, ErrorCode.NO_WORKER})


@pytest.mark.parametrize("code", NAMED)
@pytest.mark.parametrize("action", list(Action))
def test_every_refusal_code_has_words_of_its_own(action: Action, code: ErrorCode) -> None:
    text = refusal_text(action, code, OrderStatus.PENDING_APPROVAL, "the server's English words")
    assert "English" not in text and not text.startswith(UNAVAILABLE.split("{")[0])


def test_a_step_for_a_higher_role_says_so() -> None:
    assert refusal_text(Action.APPROVE, ErrorCode.WRONG_STEP_ROLE, OrderStatus.PENDING_APPROVAL) == (
        "this step awaits the signature of a higher role than yours")
    assert refusal_text(Action.APPROVE, ErrorCode.ALREADY_SIGNED, OrderStatus.PENDING_APPROVAL).startswith(
        "the four-eyes rule: you signed a step of this order already")
