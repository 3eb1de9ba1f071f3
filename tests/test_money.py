"""Money: exact decimals from strings, integers and JSON numbers (never a float), the currency's decimals, and
amounts shown in each language of the desk."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from core.models import OrderRequest
from core.money import MoneyError, checked_price, currency_code, format_money, plain


@pytest.mark.parametrize(("amount", "currency", "language", "shown"), [
    ("1250000", "VND", "vi", "1.250.000\u00a0₫"),
    ("1250000", "VND", "en", "VND\u00a01,250,000"),
    ("1250000.5", "USD", "en", "USD\u00a01,250,000.50"),
    ("1250000.5", "USD", "vi", "1.250.000,50\u00a0US$"),
    ("0", "VND", "vi", "0\u00a0₫"),
    ("12.345", "KWD", "en", "KWD\u00a012.345"),
])
def test_money_is_shown_in_the_readers_language(amount: str, currency: str, language: str, shown: str) -> None:
    assert format_money(Decimal(amount), currency, language) == shown


@pytest.mark.parametrize(("raw", "exact"), [
    ("1250000", "1250000"), ("12.50", "12.5"), ("0", "0"), (1250000, "1250000"),
    (Decimal("1.25E+6"), "1250000"), (Decimal("-0"), "0"), (Decimal("0.1"), "0.1"),
])
def test_a_price_is_read_exactly(raw: object, exact: str) -> None:
    assert plain(checked_price(raw)) == exact


@pytest.mark.parametrize("raw", [0.1, 1250000.0, True, "1e3", "-1", "12,5", " ", "NaN", Decimal("NaN"),
                                 Decimal("Infinity"), Decimal(-1), "1.00001", Decimal(10) ** 14, "1" * 16])
def test_floats_and_other_shapes_are_refused(raw: object) -> None:
    with pytest.raises(MoneyError):
        checked_price(raw)


def test_a_currency_is_a_known_iso_4217_code() -> None:
    assert currency_code(" usd ") == "USD"
    for wrong in ("XYZ", "US", "dollar", 840):
        with pytest.raises(MoneyError):
            currency_code(wrong)


def test_a_price_has_no_more_decimals_than_its_currency() -> None:
    assert OrderRequest(item="Pen", quantity=3, unit_price="12.50", currency="USD").amount == Decimal("37.5")
    with pytest.raises(ValidationError, match="more decimals than VND allows"):
        OrderRequest(item="Pen", quantity=3, unit_price="12.5", currency="VND")
    with pytest.raises(ValidationError, match="more decimals than VND allows"):
        OrderRequest(item="Pen", quantity=3, unit_price="12.5").priced_in("VND")


def test_the_seeds_request_has_no_price_and_a_currency_needs_one() -> None:
    seed = OrderRequest(item="Laptop Gaming XYZ", quantity=1)
    assert (seed.unit_price, seed.currency, seed.amount) == (None, None, None)
    assert seed.priced_in("VND") == seed
    with pytest.raises(ValidationError, match="send it with a unit_price"):
        OrderRequest(item="Pen", quantity=1, currency="VND")


def test_an_amount_stays_below_the_ledgers_limit() -> None:
    with pytest.raises(ValidationError, match="must be below"):
        OrderRequest(item="Ship", quantity=1_000_000, unit_price="999999999999")
