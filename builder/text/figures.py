"""Show figures the way a briefing book does: money in bn/tn, yen with its dollar value."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from datetime import date
from typing import Optional

from ..model.config import Currency

_MONEY_UNIT = re.compile(r"^(USD|JPY) (tn|bn|m)$")
_SCALE = {"m": 1e6, "bn": 1e9, "tn": 1e12}
_SYMBOL = {"USD": "$", "JPY": "¥"}


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


def format_amount_total(amount: Optional[float], has_records: bool) -> str:
    """Format a total in US$ m: `not disclosed` when its records give no amount, `—` with no records."""
    if amount is not None:
        return format_millions(amount)
    return "not disclosed" if has_records else "—"


def format_jobs_total(jobs: Optional[int], has_records: bool) -> str:
    """Format a total of jobs: `not disclosed` when its records give none, `—` with no records."""
    if jobs is not None:
        return format_number(jobs)
    return "not disclosed" if has_records else "—"
