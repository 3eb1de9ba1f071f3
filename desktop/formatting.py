"""Numbers, money, times and ages as the current locale writes them (``QLocale()``, set with the language)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from PySide6.QtCore import QCoreApplication, QDateTime, QLocale

from core.money import format_money

_TIME_ZONE = re.compile(r"t+")


def number(value: int) -> str:
    """``1234`` -> ``1,234`` in English, ``1.234`` in Vietnamese."""
    return QLocale().toString(value)


def babel_locale() -> str:
    """The current locale as Babel names it (``vi_VN``, ``en_US``); English where Babel does not know it."""
    name = QLocale().name()
    try:
        Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        return "en"
    return name


def money(amount: Decimal, currency: str) -> str:
    """``1.250.000 ₫`` in Vietnamese, ``VND 1,250,000`` in English: the service's own formatter, in this locale."""
    return format_money(amount, currency, babel_locale())


def _local(moment: datetime) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(round(moment.timestamp() * 1000)).toLocalTime()


def _time_with_seconds(locale: QLocale) -> str:
    """The locale's long time format without its time zone (``tttt``), which a desk in one place does not need.

    Quoted parts of a format are literal text: only the parts between quotes are edited."""
    parts = locale.timeFormat(QLocale.FormatType.LongFormat).split("'")
    parts[::2] = [_TIME_ZONE.sub("", part) for part in parts[::2]]
    return " ".join("'".join(parts).split())


def date_time(moment: datetime, seconds: bool = True) -> str:
    """Local time in the locale's short date format; with ``seconds``, the time to the second."""
    locale = QLocale()
    local = _local(moment)
    if not seconds:
        return locale.toString(local, QLocale.FormatType.ShortFormat)
    day = locale.toString(local.date(), QLocale.FormatType.ShortFormat)
    return f"{day} {locale.toString(local.time(), _time_with_seconds(locale))}"


def time_of_day(moment: datetime) -> str:
    """Local time to the second, as the locale writes it: ``2:05:09 PM``, ``14:05:09``."""
    locale = QLocale()
    return locale.toString(_local(moment).time(), _time_with_seconds(locale))


def age(seconds: float) -> str:
    """How long ago, in the largest whole unit: ``42 s``, ``5 min``, ``3 h``, ``2 d``."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return QCoreApplication.translate("Age", "{0} s").format(number(seconds))
    if seconds < 3600:
        return QCoreApplication.translate("Age", "{0} min").format(number(seconds // 60))
    if seconds < 86400:
        return QCoreApplication.translate("Age", "{0} h").format(number(seconds // 3600))
    return QCoreApplication.translate("Age", "{0} d").format(number(seconds // 86400))


LONG_WORD = 40  # characters without white space: more may not fit a label's width, which then clips them


def has_long_word(text: str) -> bool:
    """Whether ``text`` holds a run of over ``LONG_WORD`` characters without white space, which a word-wrapping
    label cannot break: it is clipped, so the label's tooltip should hold the whole text."""
    return re.search(rf"\S{{{LONG_WORD + 1}}}", text) is not None


def isolated(text: str) -> str:
    """``text`` as a bidirectional isolate (FSI ... PDI): whatever direction controls it holds (an item stored
    before they were refused) stay inside it instead of reversing the rest of a line that lists several."""
    return f"\u2068{text}\u2069"
