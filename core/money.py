"""Money: exact decimal amounts in an ISO 4217 currency, parsed without floats and shown in the reader's language.

Every amount is a ``decimal.Decimal`` from the REST body (or the desk's form) to the ledger: a JSON number is read
as a ``Decimal`` straight from its text (``core.api.routes.orders``), a ``float`` is refused wherever it turns up,
and the ledger stores ``NUMERIC`` (``core.ledger.schema.Amount``). A price may have no more decimals than its
currency's minor unit (ISO 4217 as CLDR carries it: VND 0, JPY 0, USD 2, KWD 3), so ``12.5`` VND is refused
rather than rounded.

``format_money`` is the one formatter, for the e-mails, ``order-desk policy check`` and the desk: Vietnamese shows
the symbol after the number (``1.250.000 ₫``), English the ISO code before it (``VND 1,250,000``), each with the
locale's grouping and the currency's decimals.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from babel import Locale
from babel.numbers import format_currency, get_currency_precision, is_currency
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

DEFAULT_CURRENCY = "VND"
# Amounts up to 10^14 (a hundred trillion) in any currency, at most 4 decimals (CLF, UYW have 4): exact in the
# ledger's NUMERIC(28, 4) on PostgreSQL and in SQLite's 64-bit integers of ten-thousandths.
MAX_AMOUNT = Decimal(10) ** 14
MAX_DECIMALS = 4
_PLAIN = re.compile(r"[0-9]{1,15}(\.[0-9]{1,4})?")
_CURRENCY = re.compile(r"[A-Z]{3}")


class MoneyError(ValueError):
    """A price or a currency that cannot be taken; the message says why in one line."""


def currency_code(value: object) -> str:
    """``value`` as a known ISO 4217 code (upper case), or MoneyError."""
    if not isinstance(value, str):
        raise MoneyError("a currency is a three-letter ISO 4217 code such as VND or USD")
    code = value.strip().upper()
    if not _CURRENCY.fullmatch(code) or not is_currency(code):
        raise MoneyError(f"{value!r} is not an ISO 4217 currency code (such as VND or USD)")
    return code


def minor_units(currency: str) -> int:
    """How many decimals ``currency`` has: VND 0, USD 2, KWD 3."""
    return get_currency_precision(currency)


def decimal_of(value: object) -> Decimal:
    """An exact, finite, non-negative ``Decimal`` from a ``Decimal``, an ``int`` or a plain decimal string
    (``"1250000"``, ``"12.50"``); never from a ``float`` (or a ``bool``), whose value is already inexact."""
    if isinstance(value, bool | float):
        raise MoneyError("a price is a decimal string such as \"1250000\" or \"12.50\", never a binary float")
    if isinstance(value, str):
        text = value.strip()
        if not _PLAIN.fullmatch(text):
            raise MoneyError(f"{value!r} is not a plain decimal number such as \"1250000\" or \"12.50\"")
        return Decimal(text)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        raise MoneyError("a price is a decimal string such as \"1250000\"")
    if not number.is_finite():
        raise MoneyError("a price is a finite number")
    return number


def checked_price(value: object) -> Decimal:
    """A unit price: exact, 0 or more, below ``MAX_AMOUNT``, at most ``MAX_DECIMALS`` decimals (the currency's
    own limit is checked where the currency is known: ``check_decimals``)."""
    number = decimal_of(value)
    if number < 0:
        raise MoneyError("must be 0 or more")
    if number >= MAX_AMOUNT:
        raise MoneyError(f"must be below {MAX_AMOUNT:,}")
    if decimals(number) > MAX_DECIMALS:
        raise MoneyError(f"must have at most {MAX_DECIMALS} decimals")
    return normalized(number)


def decimals(number: Decimal) -> int:
    """How many significant decimals ``number`` has (``12.50`` has 1, ``1E+3`` none)."""
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def normalized(number: Decimal) -> Decimal:
    """The same value without trailing zeros or an exponent: ``1.25E+6`` -> ``1250000``, ``12.50`` -> ``12.5``,
    ``-0`` -> ``0``; so equal prices are equal texts in JSON, in CSV and in the ledger."""
    number = number.normalize() + 0
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


def check_decimals(number: Decimal, currency: str, what: str = "unit_price") -> None:
    """Refuse more decimals than ``currency`` has (``12.5`` VND): a price is never rounded behind anyone's back."""
    allowed = minor_units(currency)
    if decimals(number) > allowed:
        unit = "no decimals" if allowed == 0 else f"at most {allowed} decimal{'s' if allowed > 1 else ''}"
        raise MoneyError(f"{what} {number} has more decimals than {currency} allows ({unit})")


def amount_of(quantity: int, unit_price: Decimal | None) -> Decimal | None:
    """``quantity × unit_price``, exact (Decimal's 28 digits hold any amount below ``MAX_AMOUNT``)."""
    return None if unit_price is None else normalized(unit_price * quantity)


def plain(number: Decimal) -> str:
    """A decimal as plain digits (never an exponent): how amounts travel in JSON and CSV."""
    return format(normalized(number), "f")


def money_text(amount: Decimal, currency: str) -> str:
    """``VND 5,000,000``: the English form, without Babel (for texts the workflow writes into an order's history)."""
    return f"{currency} {normalized(amount):,}"


def format_money(amount: Decimal, currency: str, language: str = "en") -> str:
    """``amount`` in ``language`` (``vi``: ``1.250.000 ₫``; ``en``: ``VND 1,250,000``), with the currency's decimals."""
    locale = Locale.parse(language)
    pattern = locale.currency_formats["standard"].pattern
    if locale.language != "vi":  # an English reader abroad reads the ISO code; a Vietnamese one the symbol
        pattern = pattern.replace("¤", "¤¤\u00a0")
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=True)


def format_number(amount: Decimal, language: str = "en") -> str:
    """An amount without its currency, grouped as ``language`` groups (``5,000,000`` / ``5.000.000``)."""
    from babel.numbers import format_decimal

    return format_decimal(amount, locale=language, decimal_quantization=False)


def _price(value: object) -> Decimal:
    try:
        return checked_price(value)
    except InvalidOperation as err:
        raise MoneyError("not a decimal number") from err


def _currency(value: object) -> str:
    return currency_code(value)


_PRICE_SCHEMA = {"anyOf": [
    {"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,4})?$", "examples": ["1250000", "12.50"]},
    {"type": "number", "minimum": 0, "exclusiveMaximum": int(MAX_AMOUNT)}]}
Price = Annotated[Decimal, BeforeValidator(_price), WithJsonSchema(_PRICE_SCHEMA), Field(
    description="a decimal string (`\"1250000\"`, `\"12.50\"`) or a JSON number read exactly; 0 or more, below "
                "10^14, no more decimals than the currency has")]
"""A unit price in a model: exact, checked, never from a float."""
Currency = Annotated[str, BeforeValidator(_currency), AfterValidator(str), WithJsonSchema(
    {"type": "string", "pattern": "^[A-Za-z]{3}$", "examples": ["VND", "USD"]}), Field(
    description="an ISO 4217 code (`VND`, `USD`); upper case")]
"""A currency in a model: a known ISO 4217 code, upper case."""
