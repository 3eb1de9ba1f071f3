"""Payload encryption: Temporal stores ciphertext, our processes see plain orders."""

from __future__ import annotations

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from core.codec import EncryptionCodec
from core.errors import IdempotencyConflict
from core.models import Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.test_workflow import pending_order, wait_closed

SECRET_ITEM = "Bí mật: 42 thỏi vàng"


async def stored_bytes(client: Client, order_id: str) -> bytes:
    history = await client.get_workflow_handle(order_id).fetch_history()
    return b"".join(event.SerializeToString() for event in history.events)


async def test_without_a_key_the_item_is_stored_in_plain_text(service: OrderService) -> None:
    """The control: proves the byte search below would see an unencrypted item."""
    order_id = await service.create_order(OrderRequest(item=SECRET_ITEM, quantity=42), Actor(name="alice"))
    assert SECRET_ITEM.encode() in await stored_bytes(service.client, order_id)


async def test_stored_payloads_are_not_plain_text(settings: Settings, temporal_address: str) -> None:
    encrypted = Settings(**{**settings.model_dump(), "payload_encryption_key": "correct horse battery staple"})
    service = await OrderService.connect(encrypted, temporal_address)
    async with build_worker(service.client, encrypted):
        order_id = await pending_order(service, OrderRequest(item=SECRET_ITEM, quantity=42), Actor(name="alice"))
        assert (await service.summary(order_id)).item == SECRET_ITEM
        again = await service.create_order(OrderRequest(item=SECRET_ITEM, quantity=42), Actor(name="alice"),
                                           idempotency_key="enc-1")
        assert again == await service.create_order(OrderRequest(item=SECRET_ITEM, quantity=42),
                                                   Actor(name="alice"), idempotency_key="enc-1")
        with pytest.raises(IdempotencyConflict):
            await service.create_order(OrderRequest(item="other", quantity=1), Actor(name="alice"),
                                       idempotency_key="enc-1")
        assert await service.approve(order_id, Actor(name="mona"), "ok") == OrderStatus.APPROVED
        await wait_closed(service, order_id)
        assert (await service.details(order_id)).item == SECRET_ITEM

    raw = await Client.connect(temporal_address)  # no codec: what Temporal (and its Web UI) holds
    assert SECRET_ITEM.encode() not in await stored_bytes(raw, order_id)
    description = await raw.get_workflow_handle(order_id).describe()
    assert "OrderItem" not in description.raw_description.workflow_execution_info.search_attributes.indexed_fields


async def test_a_wrong_key_fails_loudly() -> None:
    [payload] = await EncryptionCodec("one").encode([Payload(data=b"x")])
    assert (await EncryptionCodec("one").decode([payload]))[0].data == b"x"
    with pytest.raises(ValueError, match="another key"):
        await EncryptionCodec("two").decode([payload])
