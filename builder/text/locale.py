"""Each language's words and formats: the interface's message catalogs, and figures as it writes them.

The interface's words (navigation, headings such as "Points to make", labels, banners) are
gettext messages: the templates mark them `{{ _("Points to make") }}`, and each language's
catalog is `templates/locale/<lang>/LC_MESSAGES/messages.po` (a book's own catalog, in its
templates folder, wins over the theme's for the messages it translates). `make messages`
extracts the messages with Babel and updates the catalogs.

Dates, numbers and money are written by Babel in each language's way: `7 Feb 2025` and
`2025年2月7日`, `$56.1 bn` and `561億ドル`. English keeps the book's house style.
"""

from __future__ import annotations

import gettext
import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Iterable, Optional

import jinja2
import jinja2.ext
import jinja2.lexer
from babel.dates import format_date as babel_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_compact_decimal, format_decimal
from babel.support import Translations

from ..errors import ContentError, Problem
from ..geo import STATES, State
from ..model.config import Currency
from . import figures

CATALOG = "locale/{lang}/LC_MESSAGES/messages.po"


def N_(message: str) -> str:
    """Mark a message for `make messages` (the interface's catalogs) and return it as it is: it is
    translated where it is shown (`{{ _(entry.title) }}`, `words.say(label)`)."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark a message with its context (`make messages` reads both): a word such as `announced`
    that a language translates one way as a status and another as the basis of an amount."""
    return message


def catalog(dirs: list[Path], lang: str, names: Optional[list[str]] = None) -> gettext.NullTranslations:
    """Return the interface's messages in lang, read from the catalogs of the template folders.

    dirs are in lookup order (the book's own first); names are how problems name each catalog."""
    found: gettext.NullTranslations = gettext.NullTranslations()
    for i, base in reversed(list(enumerate(dirs))):
        path = base / CATALOG.format(lang=lang)
        if path.is_file():
            compiled = _compiled(path, path.stat().st_mtime_ns, lang, names[i] if names else str(path))
            read = Translations(BytesIO(compiled))
            read.add_fallback(found)
            found = read
    return found


def words_for(dirs: list[Path], lang: str, names: Optional[list[str]] = None) -> "Words":
    """Return what lang says outside the templates (charts, tables, totals), from the same catalogs."""
    digest = hashlib.sha256(lang.encode("utf-8"))
    for i, base in enumerate(dirs):
        path = base / CATALOG.format(lang=lang)
        if path.is_file():
            digest.update(_compiled(path, path.stat().st_mtime_ns, lang, names[i] if names else str(path)))
    return Words(lang, catalog(dirs, lang, names), digest.hexdigest()[:16])


@lru_cache(maxsize=16)
def _compiled(path: Path, mtime: int, lang: str, name: str) -> bytes:
    """Compile a .po catalog in memory (no .mo file to keep in step with it)."""
    try:
        with path.open("rb") as handle:
            messages = read_po(handle, locale=lang, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise ContentError([Problem(name, getattr(exc, "lineno", 0) or 0, 1, "",
                                    f"the message catalog cannot be read: {exc}")]) from None
    compiled = BytesIO()
    write_mo(compiled, messages, use_fuzzy=False)
    return compiled.getvalue()


@dataclass(frozen=True)
class Figures:
    """Dates, numbers and money as one language writes them (English: the book's house style)."""

    lang: str = "en"
    house: bool = field(init=False)  # English, written by text/figures.py as before

    def __post_init__(self) -> None:
        object.__setattr__(self, "house", self.lang == "en")

    def date(self, day: date) -> str:
        return figures.format_date(day) if self.house else babel_date(day, format="long", locale=self.lang)

    def number(self, value: float, digits: int = 1) -> str:
        if self.house:
            return figures.format_number(value, digits)
        return format_decimal(round(value, digits), locale=self.lang)

    def money(self, value: float, currency: str, digits: int = 1) -> str:
        """Write an amount in units of its currency: `$56.1 bn`, `561億ドル`, `8.7兆円`."""
        if self.house:
            return figures.format_money(value, currency, digits)
        word = {"JPY": "円", "USD": "ドル"}.get(currency, " " + currency) if self.lang == "ja" else " " + currency
        amount = (format_compact_decimal(value, format_type="short", locale=self.lang, fraction_digits=digits)
                  if abs(value) >= 10_000 else format_decimal(round(value, digits), locale=self.lang))
        return amount + word

    def millions(self, amount_m: Optional[float], currency: str = "USD") -> str:
        if self.house:
            return figures.format_millions(amount_m, currency)
        return "—" if amount_m is None else self.money(amount_m * 1e6, currency, digits=2)

    def value(self, value: float, unit: str) -> str:
        """Write a fact's value with its unit."""
        money = figures.money_unit(unit)
        if self.house or not money:
            return figures.format_value(value, unit) if self.house or unit != "%" else f"{self.number(value, 2)}%"
        return self.money(value * money[1], money[0], digits=2)

    def written(self, value: float, unit: str, options: tuple[str, ...] = ()) -> str:
        """Write a fact's value as a `{fact:id|…}` reference asks."""
        money = figures.money_unit(unit)
        if self.house or not money:
            return figures.written(value, unit, options)
        digits = next((int(o) for o in options if o.isdigit()), 2)
        return self.money(value * money[1], money[0], digits)

    def in_dollars(self, value: float, unit: str, currency: Currency) -> Optional[str]:
        """Write the dollar value of a yen figure, with the rate and its date."""
        if self.house:
            return figures.in_dollars(value, unit, currency)
        money = figures.money_unit(unit)
        if not money or money[0] != "JPY":
            return None
        dollars = self.money(value * money[1] / currency.jpy_per_usd, "USD")
        if self.lang == "ja":
            return f"約{dollars}、{self.date(currency.as_of)}の1ドル＝{self.number(currency.jpy_per_usd)}円で換算"
        return f"≈ {dollars} (USD 1 = JPY {self.number(currency.jpy_per_usd)}, {self.date(currency.as_of)})"

    def aside(self, text: str) -> str:
        """Put text in brackets after a figure: ` (≈ $56.1 bn …)`, `（約561億ドル…）`."""
        return f"（{text}）" if self.lang in ("ja", "zh") else f" ({text})"


class Words:
    """What one language says outside the templates: its catalog's messages, and its figures.

    The charts, their tables and captions, and the totals of the investment tables are written
    in Python; they say their words through this (`words.say("Jobs")`, `words.ngettext(...)`),
    so that `make messages` finds them and each language's catalog translates them.
    """

    def __init__(self, lang: str = "en", messages: Optional[gettext.NullTranslations] = None, digest: str = ""):
        self.lang = lang
        self.messages = messages or gettext.NullTranslations()
        self.key = f"{lang}:{digest}"  # a chart drawn with these words is drawn again when they change
        self.then = "" if lang in ("ja", "zh") else " "  # between two sentences

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Words) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Words({self.key!r})"

    @cached_property
    def figures(self) -> Figures:
        return Figures(self.lang)

    @cached_property
    def states(self) -> dict[str, State]:
        """Return the US states by code, each named in this language (カリフォルニア州)."""
        return {code: replace(state, name=self.say(state.name)) for code, state in STATES.items()}

    def state(self, state: State) -> State:
        """Return a state named in this language."""
        return self.states.get(state.code, state)

    def say(self, message: str, **values: object) -> str:
        """Return a message in this language, its `%(name)s` placeholders filled with values."""
        text = self.messages.gettext(message)
        return text % values if values else text

    def pgettext(self, context: str, message: str) -> str:
        """Return a message in this language, as meant in context (see NP_)."""
        return self.messages.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """Return the form of a message for the number n (`%(n)s` is n as this language writes it)."""
        return self.messages.ngettext(singular, plural, n) % {"n": self.figures.number(n), **values}

    def amount_total(self, amount: Optional[float], has_records: bool, apart: int = 0) -> str:
        """Write a total of announced amounts in US$ m, saying how many amounts on other bases are left out.

        `not disclosed` when its records give no amount, `—` with no records."""
        others = self.say("%(n)s on other bases, not added in", n=self.figures.number(apart)) if apart else ""
        if amount is not None:
            return self.figures.millions(amount) + (self.figures.aside(others) if others else "")
        if others:
            return self.say("none announced") + self.figures.aside(others)
        return self.say("not disclosed") if has_records else "—"

    def jobs_total(self, jobs: Optional[int], has_records: bool) -> str:
        """Write a total of jobs: `not disclosed` when its records give none, `—` with no records."""
        if jobs is not None:
            return self.figures.number(jobs)
        return self.say("not disclosed") if has_records else "—"

    def millions(self, amount_m: Optional[float], currency: str = "USD") -> str:
        """Write an amount given in millions, or `not disclosed`."""
        return self.say("not disclosed") if amount_m is None else self.figures.millions(amount_m, currency)


class FixedMessages(jinja2.ext.Extension):
    """Translate each `_("...")` of a template once, when it is compiled, rather than on every page.

    An environment speaks one language, so a message always gives the same text: `_("Jobs")`
    becomes that text, and `_("as of %(date)s", date=d)` becomes `(text|safe) % {"date": d}`,
    which is what gettext itself returns. A state page's table asks for its words thousands of times.
    """

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        environment.extend(fixed_messages=None)

    def filter_stream(self, stream: jinja2.lexer.TokenStream) -> Iterable[jinja2.lexer.Token]:
        tokens = list(stream)
        out: list[jinja2.lexer.Token] = []
        at = 0
        while at < len(tokens):
            fixed = self._fixed(tokens, at)
            if fixed is None:
                out.append(tokens[at])
                at += 1
            else:
                replacement, at = fixed
                out += replacement
        return iter(out)

    def _fixed(self, tokens: list[jinja2.lexer.Token], at: int) -> Optional[tuple[list[jinja2.lexer.Token], int]]:
        """If a message call starts at tokens[at], return its fixed form and where the call ends."""
        say = getattr(self.environment, "fixed_messages", None)
        if say is None or at + 3 >= len(tokens) or (at and tokens[at - 1].type == "dot"):
            return None
        name, opening, text = tokens[at:at + 3]
        if not (name.type == "name" and name.value == "_" and opening.type == "lparen" and text.type == "string"):
            return None
        line = name.lineno

        def token(kind: str, value: str) -> jinja2.lexer.Token:
            return jinja2.lexer.Token(line, kind, value)

        message = [token("lparen", "("), token("string", say(text.value)), token("pipe", "|"),
                   token("name", "safe"), token("rparen", ")")]
        end = at + 3
        if tokens[end].type == "rparen":
            return (message, end + 1) if "%" not in say(text.value) else None
        words = [token("lbrace", "{")]  # the keyword arguments, name=value, as a mapping
        depth = 0
        while end < len(tokens) and not (depth == 0 and tokens[end].type == "rparen"):
            current = tokens[end]
            if depth == 0 and current.type == "comma":
                if end + 2 >= len(tokens) or tokens[end + 1].type != "name" or tokens[end + 2].type != "assign":
                    return None  # a positional argument: not a message call this can fix
                words += [token("comma", ",")] * (len(words) > 1) + [token("string", tokens[end + 1].value),
                                                                     token("colon", ":")]
                end += 3
                continue
            depth += current.type in ("lparen", "lbracket", "lbrace")
            depth -= current.type in ("rparen", "rbracket", "rbrace")
            words.append(current)
            end += 1
        if end >= len(tokens) or len(words) == 1:
            return None
        return [token("lparen", "("), *message, token("mod", "%"), *words, token("rbrace", "}"),
                token("rparen", ")")], end + 1
