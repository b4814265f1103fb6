"""The book's types: what each file holds once validated, and the roles of its fields."""

from .base import MARKDOWN, POINTS, Markdown, Model, Origin, Points, Reference, Text, Value, values
from .book import Book, InvestmentIndex, Totals
from .charts import COLOURS, KINDS, METRICS, ChartBlock, InvestmentFilter
from .config import SECTIONS, Config, Currency, SourceRef
from .content import Fact, Issue, Page, PageMeta, Person, Schedule, ScheduleItem
from .data import STATUSES, Investment, StateFigure

__all__ = ["MARKDOWN", "POINTS", "Markdown", "Model", "Origin", "Points", "Reference", "Text", "Value",
           "values", "Book", "InvestmentIndex", "Totals", "COLOURS", "KINDS", "METRICS", "ChartBlock",
           "InvestmentFilter", "SECTIONS", "Config", "Currency", "SourceRef", "Fact", "Issue", "Page",
           "PageMeta", "Person", "Schedule", "ScheduleItem", "STATUSES", "Investment", "StateFigure"]
