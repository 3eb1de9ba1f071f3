"""Payload encryption: Temporal stores ciphertext (failure messages included), our processes see plain orders;
keys are real keys, rotate, and a wrong one is named in the log."""

from __future__ import annotations

import base64
import logging

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter

from core.codec import EncryptionCodec, KeyFormatError, PayloadKeyError, new_key, parse_key
from core.errors import IdempotencyConflict
from core.models import Action, Actor, Decision, OrderRequest, OrderStatus, Role
from core.service import OrderService
from core.settings import Settings
from core.temporal_client import data_converter
from core.worker import build_worker
from tests.helpers import assert_eventually
from tests.test_workflow import pending_order, wait_closed, wait_for_status

SECRET_ITEM = "Bí mật: 42 thỏi vàng"
KEY_A, KEY_B = new_key(), new_key()


async def stored_bytes(client: Client, order_id: str) -> bytes:
    history = await client.get_workflow_handle(order_id).fetch_history()
    return b"".join(event.SerializeToString() for event in history.events)


def with_keys(settings: Settings, key: str, *old: str, **more: object) -> Settings:
    return Settings(**{**settings.model_dump(), "payload_encryption_key": key, "payload_old_keys": list(old), **more})


async def test_without_a_key_the_item_is_stored_in_plain_text(service: OrderService) -> None:
    """The control: proves the byte search below would see an unencrypted item."""
    order_id = await service.create_order(OrderRequest(item=SECRET_ITEM, quantity=42), Actor(name="alice"))
    assert SECRET_ITEM.encode() in await stored_bytes(service.client, order_id)


async def test_stored_payloads_are_not_plain_text(settings: Settings, temporal_address: str) -> None:
    encrypted = with_keys(settings, KEY_A)
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


async def test_failure_messages_are_encrypted_too(settings: Settings, temporal_address: str) -> None:
    """A blocked item is rejected with a message that quotes it; Temporal must not hold that message in clear."""
    encrypted = with_keys(settings, KEY_A, blocked_items=["vàng"])
    service = await OrderService.connect(encrypted, temporal_address)
    async with build_worker(service.client, encrypted):
        order_id = await service.create_order(OrderRequest(item=SECRET_ITEM, quantity=1), Actor(name="alice"))
        await wait_for_status(service, order_id, OrderStatus.REJECTED)
        await wait_closed(service, order_id)
        assert SECRET_ITEM in ((await service.details(order_id)).history[-1].reason or "")
    raw = await Client.connect(temporal_address)
    assert SECRET_ITEM.encode() not in await stored_bytes(raw, order_id)
    assert "thỏi vàng".encode() not in await stored_bytes(raw, order_id)


def test_a_passphrase_is_not_a_key() -> None:
    for weak in ("correct horse battery staple", "c2hvcnQ=", "x" * 44):
        with pytest.raises(KeyFormatError, match="order-desk keys new"):
            EncryptionCodec([weak])
        with pytest.raises(ValueError, match="order-desk keys new"):
            Settings(_env_file=None, payload_encryption_key=weak)
    assert len({new_key() for _ in range(100)}) == 100


def test_a_key_in_standard_base64_is_the_same_key() -> None:
    """``openssl rand -base64 32`` (README: Run on docker-compose) writes + and / where ``keys new`` writes - and _."""
    raw = bytes(range(250, 256)) + bytes(26)  # encodes with + and / in standard base64
    standard, url = base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()
    assert "+" in standard or "/" in standard
    assert parse_key(standard) == parse_key(url) == raw
    assert Settings(_env_file=None, payload_encryption_key=standard).payload_encryption_key is not None


async def test_keys_rotate_the_newest_encrypts_and_every_key_decrypts() -> None:
    [under_a] = await EncryptionCodec([KEY_A]).encode([Payload(data=b"x")])
    rotated = EncryptionCodec([KEY_B, KEY_A])
    assert (await rotated.decode([under_a]))[0].data == b"x"
    [under_b] = await rotated.encode([Payload(data=b"y")])
    assert under_b.metadata["encryption-key-id"] == EncryptionCodec([KEY_B]).key_id != under_a.metadata[
        "encryption-key-id"]
    with pytest.raises(PayloadKeyError, match="does not hold"):
        await EncryptionCodec([KEY_A]).decode([under_b])


async def test_an_order_started_under_the_old_key_is_decided_after_rotation(
        settings: Settings, temporal_address: str) -> None:
    before = await OrderService.connect(with_keys(settings, KEY_A), temporal_address)
    async with build_worker(before.client, before.settings):
        order_id = await pending_order(before, OrderRequest(item=SECRET_ITEM, quantity=3), Actor(name="alice"))
    after = await OrderService.connect(with_keys(settings, KEY_B, KEY_A), temporal_address)
    async with build_worker(after.client, after.settings):
        assert await after.approve(order_id, Actor(name="mona")) is OrderStatus.APPROVED
        await wait_closed(after, order_id)
        assert (await after.details(order_id)).item == SECRET_ITEM


async def test_a_worker_with_the_wrong_key_says_so_and_the_right_one_resumes(
        settings: Settings, temporal_address: str, caplog: pytest.LogCaptureFixture) -> None:
    service = await OrderService.connect(with_keys(settings, KEY_A), temporal_address)
    order_id = await service.create_order(OrderRequest(item=SECRET_ITEM, quantity=1), Actor(name="alice"))
    wrong = with_keys(settings, KEY_B)
    wrong_client = await Client.connect(temporal_address, data_converter=data_converter(wrong))
    with caplog.at_level(logging.ERROR, logger="core.codec"):
        async with build_worker(wrong_client, wrong):
            async def named() -> None:
                assert any("does not hold" in record.getMessage() and "ORDER_DESK_PAYLOAD_ENCRYPTION_KEY" in
                           record.getMessage() for record in caplog.records)
            await assert_eventually(named)
    assert await service.status(order_id) is OrderStatus.VALIDATING
    async with build_worker(service.client, service.settings):
        await wait_for_status(service, order_id, OrderStatus.PENDING_APPROVAL)


async def test_an_unencrypted_signal_is_refused_and_the_order_goes_on(
        settings: Settings, temporal_address: str) -> None:
    """A payload sent around the app (the Temporal CLI or Web UI, no key) is dropped, and the order still moves.
    (A signal with no payload at all is the seed's anonymous contract; team mode closes that path.)"""
    encrypted = with_keys(settings, KEY_A)
    service = await OrderService.connect(encrypted, temporal_address)
    async with build_worker(service.client, encrypted):
        order_id = await pending_order(service, OrderRequest(item=SECRET_ITEM, quantity=1), Actor(name="alice"))
        plain = await Client.connect(temporal_address, data_converter=pydantic_data_converter)
        forged = Decision(action=Action.APPROVE, actor=Actor(name="mallory"))
        await plain.get_workflow_handle(order_id).signal("approve", forged)
        await plain.get_workflow_handle(order_id).signal("reject", forged)
        assert await service.status(order_id) is OrderStatus.PENDING_APPROVAL
        assert await service.reject(order_id, Actor(name="mona"), "no") is OrderStatus.REJECTED
        await wait_closed(service, order_id)
        history = (await service.details(order_id)).history
        assert [(t.status, t.actor) for t in history] == [
            (OrderStatus.VALIDATING, "alice"), (OrderStatus.PENDING_APPROVAL, "system"), (OrderStatus.REJECTED, "mona")]


async def test_an_unencrypted_update_is_refused_and_the_order_goes_on(
        settings: Settings, temporal_address: str) -> None:
    """The Update serve sends for a signed-in user is what decides an order; sent around the app, straight to
    Temporal without the key (the CLI, a script on the network), it is refused and the order still moves: with a
    key on every process (compose requires one), only a holder of the key can send a decision a worker will read."""
    encrypted = with_keys(settings, KEY_A)
    service = await OrderService.connect(encrypted, temporal_address)
    async with build_worker(service.client, encrypted):
        order_id = await pending_order(service, OrderRequest(item=SECRET_ITEM, quantity=1), Actor(name="alice"))
        plain = await Client.connect(temporal_address, data_converter=pydantic_data_converter)
        forged = Decision(action=Action.APPROVE, actor=Actor(name="mallory", role=Role.MANAGER))
        with pytest.raises(WorkflowUpdateFailedError):
            await plain.get_workflow_handle(order_id).execute_update("decide", forged)
        assert await service.status(order_id) is OrderStatus.PENDING_APPROVAL
        assert await service.approve(order_id, Actor(name="mona", role=Role.MANAGER)) is OrderStatus.APPROVED
        await wait_closed(service, order_id)
        assert [t.actor for t in (await service.details(order_id)).history] == ["alice", "system", "mona"]
