"""A price as a person types it, read exactly in their language: ``1.250.000`` or ``12,5`` in Vietnamese,
``1,250,000`` or ``12.5`` in English, plain ``1250000`` in both. No widgets: the form calls ``read_price`` and
words each ``PriceProblem`` by the field in the interface's language.

The number is read by Babel (``parse_decimal``, strict: ``1.250.000`` is no English number, ``1,25`` no English
grouping) straight into a ``Decimal``, never through a float. The rules are the service's (``core.money``):
0 or more, below 10^14, no more decimals than the currency has (``12.5`` VND is refused, never rounded; so is
``5.000`` VND typed in English, which reads as five but was surely meant as five thousand), a known
ISO 4217 currency, an amount below 10^14. The service checks them all again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal

from core.money import MAX_AMOUNT, MoneyError, currency_code, decimals, format_number, minor_units, normalized

EXAMPLE = Decimal(1_250_000)  # the example a placeholder and an error show, in the reader's own grouping


class PriceProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    TOO_MANY_DECIMALS = "too_many_decimals"
    TOO_LARGE = "too_large"
    AMOUNT_TOO_LARGE = "amount_too_large"
    UNKNOWN_CURRENCY = "unknown_currency"


class PriceError(Exception):
    """Why a typed price cannot be taken: the problem, the form's field it belongs to, what its words need."""

    def __init__(self, problem: PriceProblem, field: str = "price", details: dict[str, object] | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.field = field
        self.details = details or {}


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    currency: str


def example(locale: str) -> str:
    """``1,250,000`` or ``1.250.000``: how a price is typed in ``locale``."""
    return format_number(EXAMPLE, locale)


def parse_typed(text: str, locale: str) -> Decimal:
    """A number as typed in ``locale``: digits, that language's grouping and decimal symbols, a leading sign.
    Babel reads ``1e5`` too (as 100,000): nobody types a price or a quantity so, so it is no number here.
    Raises ``NumberFormatError``."""
    text = text.strip().replace("\u00a0", "").replace("\u202f", "")
    allowed = {get_decimal_symbol(locale), get_group_symbol(locale)}
    body = text[1:] if text[:1] in "+-" else text
    if not body or not all(char.isdigit() or char in allowed for char in body):
        raise NumberFormatError(f"{text!r} is not a number")
    return parse_decimal(text, locale=locale, strict=True)


def read_price(text: str, currency: str, quantity: int, locale: str) -> Price | None:
    """The price typed as ``text`` in ``currency`` for ``quantity`` items; None when no price was typed (an order
    without a price). ``locale`` is Babel's name of the reader's locale (``vi_VN``, ``en_US``)."""
    text = text.strip().replace("\u00a0", "").replace("\u202f", "")
    if not text:
        return None
    try:
        code = currency_code(currency)
    except MoneyError as err:
        raise PriceError(PriceProblem.UNKNOWN_CURRENCY, "currency", {"currency": currency.strip()}) from err
    try:
        number = parse_typed(text, locale)
    except NumberFormatError as err:
        raise PriceError(PriceProblem.NOT_A_NUMBER, details={"example": example(locale)}) from err
    if not number.is_finite():
        raise PriceError(PriceProblem.NOT_A_NUMBER, details={"example": example(locale)})
    if number < 0:
        raise PriceError(PriceProblem.NEGATIVE)
    if number >= MAX_AMOUNT:
        raise PriceError(PriceProblem.TOO_LARGE, details={"limit": MAX_AMOUNT})
    allowed = minor_units(code)
    symbol = get_decimal_symbol(locale)
    typed = len(text.rpartition(symbol)[2]) if symbol in text else 0  # "5.000" in English: 3 decimals typed
    if max(decimals(number), typed) > allowed:
        raise PriceError(PriceProblem.TOO_MANY_DECIMALS, details={"currency": code, "count": allowed})
    if number * quantity >= MAX_AMOUNT:
        raise PriceError(PriceProblem.AMOUNT_TOO_LARGE, details={"limit": MAX_AMOUNT})
    return Price(normalized(number), code)
