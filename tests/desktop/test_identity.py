"""Who sits at a desk on the embedded default, and how what people typed is shown: a name ``ORDER_DESK_ROLES``
does not list is a clerk once roles are configured (a QA pass signed a director's step as an unlisted
``ORDER_DESK_ACTOR``); with none, nobody is restricted. An item keeps its direction controls to itself."""

from __future__ import annotations

from datetime import UTC, datetime

from core.models import Action, OrderStatus, OrderSummary, Role
from core.settings import Settings
from desktop.identity import desk_actor
from desktop.session import local_session


def test_a_name_the_roles_do_not_list_is_a_clerk_and_may_not_approve() -> None:
    roles = {"hoa": Role.MANAGER}
    stranger = local_session(Settings(_env_file=None, actor="stranger", roles=roles))
    assert stranger.actor.role is Role.CLERK
    order = OrderSummary(order_id="order_0000000000aa", item="Xe tải", quantity=1, status=OrderStatus.PENDING_APPROVAL,
                         created_by="an", created_at=datetime.now(UTC), awaiting_role=Role.DIRECTOR)
    assert not stranger.allows(Action.APPROVE, order) and not stranger.allows(Action.REJECT, order)
    assert desk_actor(Settings(_env_file=None, actor="hoa", roles=roles)).role is Role.MANAGER
    assert desk_actor(Settings(_env_file=None, actor="stranger", roles={})).role is None  # the open demo


def test_an_item_listed_with_others_keeps_its_direction_controls_to_itself(qtbot) -> None:  # noqa: ANN001
    """An item stored with an RLO (before they were refused) reversed the rest of the confirmation's list."""
    from PySide6.QtWidgets import QLabel

    from desktop.decision_dialog import DecisionDialog

    def order(order_id: str, item: str) -> OrderSummary:
        return OrderSummary(order_id=order_id, item=item, quantity=1, status=OrderStatus.PENDING_APPROVAL,
                            created_by="an", created_at=datetime.now(UTC))

    dialog = DecisionDialog(Action.REJECT, [order("order_0000000000aa", "a\u202eexe.live"),
                                            order("order_0000000000bb", "Clerk usd")])
    qtbot.addWidget(dialog)
    lines = dialog.findChild(QLabel, "decisionPrompt").text().splitlines()[1:]
    assert lines == ["• \u2068a\u202eexe.live\u2069 (order_0000000000aa)",
                     "• \u2068Clerk usd\u2069 (order_0000000000bb)"]
