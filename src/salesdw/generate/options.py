"""What to generate: scales, explicit sizes, period, seed, locale, validated with clear errors."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from salesdw.errors import SalesdwError
from salesdw.generate.people import MARKETS, home_market_for

#: scale: (orders, products)
SCALES: dict[str, tuple[int, int]] = {
    "tiny": (5_000, 200),
    "small": (100_000, 1_000),
    "medium": (1_000_000, 3_000),
    "large": (10_000_000, 10_000),
}
ORDERS_PER_CUSTOMER = 2.8
#: The history may start in this range (timestamps far outside it are no shop's data).
FIRST_START, LAST_START = date(1990, 1, 1), date(2100, 12, 31)


class SeedOptionError(SalesdwError):
    exit_code = 2


@dataclass(frozen=True)
class SeedOptions:
    orders: int
    customers: int
    products: int
    start_date: date
    years: int
    seed: int = 42
    locale: str | None = None
    pure_btyd: bool = False

    @property
    def end_date(self) -> date:
        """First day after the period (exclusive)."""
        try:
            return self.start_date.replace(year=self.start_date.year + self.years)
        except ValueError:  # 29 February
            return self.start_date.replace(year=self.start_date.year + self.years, day=28)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days

    @property
    def home_market(self) -> str | None:
        return home_market_for(self.locale) if self.locale else None

    def as_dict(self) -> dict:
        values = asdict(self)
        values["start_date"] = self.start_date.isoformat()
        values["end_date"] = self.end_date.isoformat()
        return values


def resolve_options(
    *,
    scale: str = "small",
    customers: int | None = None,
    orders: int | None = None,
    products: int | None = None,
    start_date: date | None = None,
    years: int = 3,
    seed: int = 42,
    locale: str | None = None,
    pure_btyd: bool = False,
    today: date | None = None,
) -> SeedOptions:
    """Turn CLI options into SeedOptions; explicit sizes override the scale's."""
    if scale not in SCALES:
        raise SeedOptionError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    scale_orders, scale_products = SCALES[scale]
    if not 1 <= years <= 20:
        raise SeedOptionError(f"--years must be between 1 and 20 (got {years})")
    orders_given, customers_given = orders is not None, customers is not None
    if orders is None:
        orders = scale_orders if customers is None else round(customers * ORDERS_PER_CUSTOMER)
    if customers is None:
        customers = max(round(orders / ORDERS_PER_CUSTOMER), 1)
    products = scale_products if products is None else products
    sizes = [("--orders", orders, 10), ("--customers", customers, 5)]
    if customers_given and not orders_given:  # name the option the user gave, not the derived
        sizes.reverse()
    for name, value, least in [*sizes, ("--products", products, 20)]:
        if value < least:
            raise SeedOptionError(f"{name} must be at least {least} (got {value})")
    if orders < customers:
        raise SeedOptionError(
            f"--orders ({orders}) must be at least --customers ({customers}): "
            "every generated customer places a first order"
        )
    if orders > 50_000_000:
        raise SeedOptionError("--orders above 50,000,000 is more than a laptop should hold")
    if locale is not None and home_market_for(locale) is None:
        known = ", ".join(locale for _, locale, _ in MARKETS.values())
        raise SeedOptionError(f"unknown --locale {locale!r}; salesdw knows: {known}")
    if seed < 0:
        raise SeedOptionError(f"--seed must be 0 or more (got {seed})")
    if start_date is not None and not FIRST_START <= start_date <= LAST_START:
        raise SeedOptionError(
            f"--start-date must be between {FIRST_START} and {LAST_START} (got {start_date})"
        )
    if start_date is None:
        # The period ends today, so "last 30 days" in the dashboard shows data.
        today = today or datetime.now(UTC).date()
        try:
            start_date = today.replace(year=today.year - years)
        except ValueError:  # 29 February
            start_date = today.replace(year=today.year - years, day=28)
    return SeedOptions(
        orders=orders, customers=customers, products=products, start_date=start_date,
        years=years, seed=seed, locale=locale, pure_btyd=pure_btyd,
    )  # fmt: skip
