"""The one Filters value every service takes: validated once, with a clear error per mistake."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.errors import SalesdwError
from salesdw.schema import ORDER_CHANNELS, ORDER_STATUSES

#: What sales metrics count by default: every status but cancelled.
SALES_STATUSES = tuple(s for s in ORDER_STATUSES if s != "cancelled")


class FilterError(SalesdwError):
    exit_code = 2


@dataclass(frozen=True)
class Filters:
    """A date range (inclusive) and optional selections; an empty selection means all."""

    start: date
    end: date
    countries: tuple[str, ...] = ()
    categories: tuple[int, ...] = ()  # top-level category ids
    channels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = field(default=SALES_STATUSES)

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise FilterError(f"the start date {self.start} is after the end date {self.end}")
        unknown = set(self.channels) - set(ORDER_CHANNELS)
        if unknown:
            raise FilterError(
                f"unknown channel {sorted(unknown)[0]!r}; choose from {', '.join(ORDER_CHANNELS)}"
            )
        unknown = set(self.statuses) - set(ORDER_STATUSES)
        if unknown:
            raise FilterError(
                f"unknown status {sorted(unknown)[0]!r}; choose from {', '.join(ORDER_STATUSES)}"
            )
        if not self.statuses:
            raise FilterError("select at least one order status")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous_period(self) -> Filters:
        """The same selections over the equal-length period just before."""
        end = self.start - timedelta(days=1)
        return Filters(end - timedelta(days=self.days - 1), end, self.countries,
                       self.categories, self.channels, self.statuses)  # fmt: skip

    def params(self, category_bits: dict[int, int]) -> dict:
        """Bound parameters for the analytics views' filter clause (see WHERE_CLAUSE)."""
        mask = 0
        for category in self.categories:
            mask |= 1 << category_bits[category]
        return {
            "start": self.start,
            "end": self.end,
            "countries": list(self.countries),
            "categories": list(self.categories),
            "category_mask": mask,
            "channels": list(self.channels),
            "statuses": list(self.statuses),
        }


def category_bits(engine: Engine) -> dict[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("select category_id, category_bit from analytics.category_bits"))
        return dict(rows.fetchall())


def check_known(engine: Engine, filters: Filters) -> dict[int, int]:
    """Raise FilterError for countries or categories the warehouse does not know; return the
    category bits for the filter's parameters."""
    bits = category_bits(engine)
    unknown_categories = set(filters.categories) - set(bits)
    if unknown_categories:
        raise FilterError(
            f"unknown top-level category id {sorted(unknown_categories)[0]}; "
            "see analytics.category_bits"
        )
    if filters.countries:
        with engine.connect() as conn:
            known = set(conn.execute(
                text("select country_code from analytics.countries "
                     "where country_code = any(:codes)"),
                {"codes": list(filters.countries)},
            ).scalars())  # fmt: skip
        unknown = set(filters.countries) - known
        if unknown:
            raise FilterError(
                f"unknown country code {sorted(unknown)[0]!r}; use ISO 3166-1 alpha-2, e.g. DE"
            )
    return bits


@dataclass(frozen=True)
class FilterOptions:
    """What the filters can choose from: the days with orders, countries with sales (code and
    name), top-level categories (id and name), sales channels and statuses."""

    first_day: date | None
    last_day: date | None
    countries: tuple[tuple[str, str], ...]
    categories: tuple[tuple[int, str], ...]
    channels: tuple[str, ...] = ORDER_CHANNELS
    statuses: tuple[str, ...] = ORDER_STATUSES


def filter_options(engine: Engine) -> FilterOptions:
    """The choices of the dashboard's filters, from the analytics views."""
    with engine.connect() as conn:
        first_day, last_day = conn.execute(text(
            "select min(period_start), max(period_start) from analytics.order_periods "
            "where rollup = 'none' and period_grain = 'day'"
        )).one()  # fmt: skip
        countries = conn.execute(text(
            "select geo_sales.country_code, geo_sales.country_name from analytics.geo_sales "
            "order by geo_sales.net_revenue desc, 1"
        )).all()  # fmt: skip
        categories = conn.execute(text(
            "select category_id, category_name from analytics.category_bits order by 2"
        )).all()  # fmt: skip
    return FilterOptions(first_day, last_day, tuple(map(tuple, countries)),
                         tuple(map(tuple, categories)))  # fmt: skip
