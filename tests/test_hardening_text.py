"""No text can wedge an order: what the API accepts, every supported database stores; the rest is a 422 naming
the field. Driven by hypothesis through ``POST /orders`` against a real PostgreSQL ledger and a real worker."""

from __future__ import annotations

import asyncio
import json
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from temporalio.worker import Worker

from core.api import create_app
from core.ledger import Ledger
from core.models import Actor, Decision, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from core.text import fold
from core.worker import build_worker
from tests.helpers import assert_eventually

# Every code point, surrogates and control characters included: what a JSON body can carry.
ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None, exclude_categories=())
ITEMS = st.one_of(
    st.text(ANY_CHARACTER, max_size=260),
    st.text(st.sampled_from("ßﬃİŉǰΐΰ"), min_size=150, max_size=200),  # fold to 2-3 times their length
    st.text(st.sampled_from("e\u0301a\u0300\u0323 "), min_size=1, max_size=250),  # NFC shortens them
)


@pytest.fixture
def postgres_ledger_url(postgres_url: str) -> str:
    name = f"t{uuid.uuid4().hex[:12]}"
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as db:
        db.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
async def pg_service(settings: Settings, temporal_address: str, postgres_ledger_url: str) -> OrderService:
    return await OrderService.connect(settings.model_copy(update={"database_url": postgres_ledger_url}),
                                      temporal_address)


@pytest.fixture
async def pg_worker(pg_service: OrderService) -> AsyncIterator[Worker]:
    async with build_worker(pg_service.client, pg_service.settings) as running:
        yield running


def collect(strategy: st.SearchStrategy[str], count: int) -> list[str]:
    """``count`` examples of ``strategy``, chosen by hypothesis (its edge cases first); checked below as one batch
    because each takes a round trip through Temporal."""
    found: list[str] = []

    @settings(max_examples=count, database=None, suppress_health_check=list(HealthCheck), deadline=None)
    @given(strategy)
    def gather(value: str) -> None:
        found.append(value)

    gather()
    return found


async def test_every_accepted_item_reaches_pending_approval_and_the_ledger(
        pg_service: OrderService, pg_worker: Worker) -> None:
    items = collect(ITEMS, 120)
    app = create_app(pg_service.settings, pg_service)
    accepted: dict[str, str] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000") as client:
        for item in items:
            # Escaped JSON (as json.dumps writes it), so a lone surrogate travels as \ud800 like any client's would.
            body = json.dumps({"item": item, "quantity": 2}).encode()
            response = await client.post("/orders", content=body, headers={"Content-Type": "application/json"})
            if response.status_code == 201:
                accepted[response.json()["order_id"]] = item
                continue
            assert response.status_code == 422, (item, response.text)
            assert [error["field"] for error in response.json()["errors"]] == ["item"], (item, response.text)

        async def all_pending() -> None:
            for order_id in accepted:
                assert (await client.get(f"/orders/{order_id}/status")).json() == {"status": "PENDING_APPROVAL"}

        await assert_eventually(all_pending, timeout=60)

    assert accepted, "hypothesis found no acceptable item at all"
    for order_id, sent in accepted.items():
        stored = await asyncio.to_thread(pg_service.ledger.get, order_id)
        assert stored is not None and stored.status is OrderStatus.PENDING_APPROVAL
        assert stored.item == unicodedata.normalize("NFC", sent).strip()


@pytest.mark.parametrize(("item", "field_message"), [
    ("a\u0000b", "U+0000"),
    ("tab\there", "U+0009"),
    ("line\nbreak", "U+000A"),
    ("bell\u0007", "U+0007"),
    ("c1\u0085control", "U+0085"),
    ("x" * 201, "at most 200"),
    ("\u200b", "a visible character"),  # an order of nothing that looks like an order (found by a QA pass)
    ("\ufeff\u200b\u2060", "a visible character"),
    ("a\u202eexe.live", "U+202E"),  # shown as "aevil.exe" (Trojan Source; found by a desk QA pass)
    ("\u202dabc", "U+202D"),
])
def test_text_a_database_cannot_hold_is_refused(item: str, field_message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(field_message)):
        OrderRequest(item=item, quantity=1)


def test_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(ValueError, match="item"):
        OrderRequest(item="a\ud800b", quantity=1)


def test_text_is_nfc_and_limits_count_what_is_stored() -> None:
    decomposed = "e\u0301" * 200  # 400 code points, 200 once composed
    assert OrderRequest(item=decomposed, quantity=1).item == "é" * 200
    assert Actor(name="Nguye\u0302\u0303n Văn An").name == "Nguyễn Văn An"
    reason = Decision(action="reject", actor=Actor(name="mona"), reason="over budget\r\nsee the mail\tthanks").reason
    assert reason == "over budget\r\nsee the mail\tthanks"  # a reason may have lines
    with pytest.raises(ValueError, match=re.escape("U+0000")):
        Decision(action="reject", actor=Actor(name="mona"), reason="nul\u0000")
    with pytest.raises(ValueError, match=re.escape("U+001B")):
        Actor(name="\u001b[31mroot")


@pytest.mark.parametrize("item", ["ß" * 200, "ﬃ" * 200, "İ" * 200])
def test_an_item_whose_search_copy_is_longer_is_stored(postgres_ledger_url: str, item: str) -> None:
    """The folded copy of 200 characters can be 600 long: the column holds it, on PostgreSQL (which counts)."""
    from tests.test_ledger import order

    assert len(fold(item)) > 200
    ledger = Ledger(postgres_ledger_url)
    try:
        ledger.record(order(1, item=OrderRequest(item=item, quantity=1).item))
        stored = ledger.get("order_000001")
        assert stored is not None and stored.item == item
    finally:
        ledger.close()


@pytest.mark.parametrize("item", ["\u202ab\u202c 12", "so \u200flượng\u200e", "\u2067عربى\u2069 x"])
def test_embeddings_and_marks_that_pasted_text_carries_are_kept(item: str) -> None:
    """Windows and chat apps put U+202A/U+202C, marks and isolates around numbers and names: not refused."""
    assert OrderRequest(item=item, quantity=1).item == item
