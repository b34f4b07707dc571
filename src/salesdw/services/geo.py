"""Geography services: sales per shipping country under the filters, and a country's top cities."""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services.filters import FilterError, Filters, check_known
from salesdw.services.rollups import covering, serial_reads

__all__ = ["geo", "top_cities"]


def geo(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Orders, net revenue and average order value per shipping country within the filters
    (countries with orders or revenue only), with alpha-3 codes, names and regions for maps.
    Orders count once under a category filter (category masks), as in the sales services."""
    bits = check_known(engine, filters)
    money = covering("sales", filters, bits, by_country=True)
    counts = covering("orders", filters, bits, by_country=True)
    query = f"""
        with
        money as (
            select country_code, sum(net_revenue) as net_revenue
            from ({money.sql}) as rows
            where country_code is not null
            group by 1
        ),
        counts as (
            select country_code, sum(orders) as orders
            from ({counts.sql}) as rows
            where country_code is not null
            group by 1
        ),
        per_country as (
            select
                coalesce(counts.country_code, money.country_code) as country_code,
                coalesce(counts.orders, 0) as orders,
                coalesce(money.net_revenue, 0) as net_revenue
            from counts
            full join money on money.country_code = counts.country_code
        )
        select
            per_country.country_code,
            countries.iso_alpha3,
            countries.name as country_name,
            countries.region,
            countries.subregion,
            per_country.orders,
            per_country.net_revenue,
            per_country.net_revenue / nullif(per_country.orders, 0) as average_order_value
        from per_country
        inner join analytics.countries on countries.country_code = per_country.country_code
        order by per_country.net_revenue desc, per_country.country_code
    """
    with serial_reads(engine) as conn:
        frame = pd.read_sql(text(query), conn, params=money.params)
    return frame.astype({"orders": int, "net_revenue": float, "average_order_value": float})


def top_cities(engine: Engine, country_code: str) -> pd.DataFrame:
    """The country's (up to) 10 shipping cities with the most net revenue, best first
    (analytics.geo_top_cities); empty for a known country without orders."""
    code = country_code.strip().upper() if isinstance(country_code, str) else ""
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise FilterError(
            f"country code must be ISO 3166-1 alpha-2, e.g. DE (got {country_code!r})"
        )
    with engine.connect() as conn:
        known = conn.execute(
            text("select 1 from analytics.countries where country_code = :code"), {"code": code}
        ).first()
        if known is None:
            raise FilterError(f"unknown country code {code!r}; use ISO 3166-1 alpha-2, e.g. DE")
        frame = pd.read_sql(
            text("select * from analytics.geo_top_cities where country_code = :code "
                 "order by city_rank"),
            conn,
            params={"code": code},
        )  # fmt: skip
    return frame.astype({"net_revenue": float})
