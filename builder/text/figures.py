"""Show figures the way a briefing book does: money in bn/tn, yen with its dollar value."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from datetime import date
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..model.config import Currency

_MONEY_UNIT = re.compile(r"^(USD|JPY) (tn|bn|m)$")
_SCALE = {"m": 1e6, "bn": 1e9, "tn": 1e12}
_SYMBOL = {"USD": "$", "JPY": "¥"}


@lru_cache(maxsize=1 << 16)  # a book shows the same amounts and job counts on many pages
def format_number(value: float, digits: int = 1) -> str:
    """Format with thousands separators and at most `digits` decimals, rounding half up."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return f"{int(rounded):,}"
    return f"{rounded:,f}".rstrip("0").rstrip(".")


def format_money(value: float, currency: str, digits: int = 1) -> str:
    """Format an amount given in units of currency: 14_100e6 USD -> `$14.1 bn`."""
    symbol = _SYMBOL.get(currency, currency + " ")
    for suffix, scale in (("tn", 1e12), ("bn", 1e9), ("m", 1e6)):
        if abs(value) >= scale:
            return f"{symbol}{format_number(value / scale, digits)} {suffix}"
    return f"{symbol}{format_number(value, digits)}"


def format_millions(amount_m: Optional[float], currency: str = "USD") -> str:
    """Format an amount given in millions (as in investments.csv), keeping its precision."""
    if amount_m is None:
        return "not disclosed"
    return format_money(amount_m * 1e6, currency, digits=2)


def money_unit(unit: str) -> Optional[tuple[str, float]]:
    """Return (currency, scale) for a money unit such as `JPY tn`, else None."""
    match = _MONEY_UNIT.match(unit)
    return (match.group(1), _SCALE[match.group(2)]) if match else None


def format_value(value: float, unit: str) -> str:
    """Format a fact's value with its unit: (8.7, 'JPY tn') -> `¥8.7 tn`."""
    money = money_unit(unit)
    if money:
        return format_money(value * money[1], money[0], digits=2)
    if unit == "%":
        return f"{format_number(value, 2)}%"
    return f"{format_number(value, 2)} {unit}".strip()


def in_dollars(value: float, unit: str, currency: Currency) -> Optional[str]:
    """Return the dollar equivalent of a yen figure, with the rate and its date."""
    money = money_unit(unit)
    if not money or money[0] != "JPY":
        return None
    dollars = value * money[1] / currency.jpy_per_usd
    return (f"≈ {format_money(dollars, 'USD')} at ¥{format_number(currency.jpy_per_usd)}/$ "
            f"on {format_date(currency.as_of)}")


def format_date(day: date) -> str:
    """Format a date as a briefing book does: `7 Feb 2025`."""
    return f"{day.day} {day:%b %Y}"


# --- figures written into prose -------------------------------------------------------------

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_WORDS = {"m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "tn": 1e12, "trillion": 1e12,
                "k": 1e3, "thousand": 1e3}
_UNITS = ("miles", "mile", "km", "kilometres", "kilometers", "tonnes", "tons", "barrels", "bbl", "MT",
          "jobs", "workers", "employees", "troops", "personnel", "vehicles", "cars", "units", "people",
          "companies", "sites", "plants", "aircraft", "ships")
_PROSE_FIGURE = re.compile(
    r"(?P<money>(?:US\$|\$|¥|€|£)\s?(?P<mnum>" + _NUMBER + r")(?:\s?(?P<mscale>bn|tn|mn|m|k|billion|trillion|million)\b)?)"
    r"|(?P<words>\b(?P<wnum>" + _NUMBER + r")\s?(?P<wscale>bn|tn|billion|trillion|million)\b(?:\s(?P<wcur>yen|dollars))?)"
    r"|(?P<cur>\b(?P<cnum>" + _NUMBER + r")\s(?P<ccur>yen|dollars)\b)"
    r"|(?P<pct>\b(?P<pnum>" + _NUMBER + r")\s?(?:%|per ?cent\b|percent\b))"
    r"|(?P<unit>\b(?P<unum>" + _NUMBER + r")\s(?P<uname>" + "|".join(_UNITS) + r")\b)"
    r"|(?P<large>\b(?P<lnum>\d{1,3}(?:,\d{3})+|\d{5,})\b)")
_SKIP = re.compile(r"`[^`\n]*`|\]\([^)\n]*\)|<https?://[^>\s]*>|https?://\S+|\{[a-z]+:[^}\n]*\}")


@dataclass(frozen=True)
class ProseFigure:
    """A figure written straight into a text: where, as written, and what it is worth."""

    line: int  # 0-based, within the text
    column: int  # 0-based
    written: str
    value: float  # in units (dollars, yen), or the percentage, or the count
    kind: str  # USD, JPY, %, or a unit word


def _value(number: str) -> float:
    return float(number.replace(",", ""))


def prose_figures(text: str) -> list[ProseFigure]:
    """Return the money, percentages and large numbers written into a text without a `{fact:id}`.

    Years (1800 to 2100 written as four digits), numbers under a hundred with a unit, and what
    code spans, link targets and references hold are not figures here.
    """
    found = []
    for line_no, line in enumerate(text.splitlines()):
        blank = _SKIP.sub(lambda m: " " * len(m.group(0)), line)
        for m in _PROSE_FIGURE.finditer(blank):
            if m.group("money"):
                symbol = m.group("money").lstrip()[0]
                kind = {"¥": "JPY", "€": "EUR", "£": "GBP"}.get(symbol, "USD")
                value = _value(m.group("mnum")) * _SCALE_WORDS.get(m.group("mscale") or "", 1)
            elif m.group("words"):
                kind = "JPY" if m.group("wcur") == "yen" else "USD" if m.group("wcur") else "count"
                value = _value(m.group("wnum")) * _SCALE_WORDS[m.group("wscale")]
            elif m.group("cur"):
                kind, value = ("JPY" if m.group("ccur") == "yen" else "USD"), _value(m.group("cnum"))
            elif m.group("pct"):
                kind, value = "%", _value(m.group("pnum"))
            elif m.group("unit"):
                kind, value = m.group("uname"), _value(m.group("unum"))
                if value < 100:
                    continue
            else:
                kind, value = "count", _value(m.group("lnum"))
            found.append(ProseFigure(line_no, m.start(), line[m.start():m.end()].strip(), value, kind))
    return found


def fact_value(value: float, unit: str) -> tuple[float, str]:
    """Return a fact's value in units and its kind, as prose_figures reports them: (8.7e12, 'JPY')."""
    money = money_unit(unit)
    if money:
        return value * money[1], money[0]
    return value, unit


def written(value: float, unit: str, options: tuple[str, ...] = ()) -> str:
    """Format a fact's value as a `{fact:id|…}` reference asks: `|bn` or `|tn` for the scale, `|0`-`|3` digits."""
    digits = next((int(o) for o in options if o.isdigit()), None)
    scale = next((o for o in options if o in _SCALE), None)
    money = money_unit(unit)
    if money and scale:
        amount = value * money[1] / _SCALE[scale]
        return f"{_SYMBOL.get(money[0], money[0] + ' ')}{format_number(amount, 2 if digits is None else digits)} {scale}"
    if money:
        return format_money(value * money[1], money[0], digits=2 if digits is None else digits)
    if digits is not None:
        return f"{format_number(value, digits)}%" if unit == "%" else f"{format_number(value, digits)} {unit}".strip()
    return format_value(value, unit)


REFERENCE_OPTIONS = ("m", "bn", "tn", "0", "1", "2", "3")


def option_problem(unit: str, options: tuple[str, ...]) -> str:
    """Return what is wrong with a fact reference's options for a fact of this unit, or ''."""
    for option in options:
        if option not in REFERENCE_OPTIONS:
            return (f"unknown option '|{option}' in a fact reference: use |m, |bn or |tn for the scale "
                    "of money and |0 to |3 for the decimals, as in {fact:id|bn|1}")
        if option in _SCALE and not money_unit(unit):
            return f"'|{option}' sets the scale of money, but this fact's unit is '{unit}'"
    if len([o for o in options if o.isdigit()]) > 1 or len([o for o in options if o in _SCALE]) > 1:
        return "a fact reference takes at most one scale and one number of decimals"
    return ""
