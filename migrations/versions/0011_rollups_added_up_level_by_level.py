"""Faster to refresh: sales_periods, order_periods and product_sales_periods add each level up
from the smallest one below it (the days of the smaller rollups from the full days, weeks and
months from the days, years from the months) instead of every level from the days or the lines,
and their unique indexes lead with period_start, which sorts several times faster than the
low-cardinality text columns. The period views' counts (units, orders, new customers) become
bigint, as they are everywhere else.

sales_periods and order_periods are read by no other view: they are dropped and created again.
product_sales_periods is read by product_performance (and through it by more views), so the new
one is built beside it and analytics.product_sales_periods is pointed at it (the columns are the
same), which leaves its readers in place. The views are frozen below as they are now (VIEWS) and
as they were (PREVIOUS, from 0010 and 0008).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 20:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Views other views read: replaced under their readers rather than dropped.
READ_BY_OTHERS = {"product_sales_periods"}

# (name, kind, SQL of sql/analytics/<name>.sql), in dependency order: the query, a line with
# ";", then one statement per line (indexes, comments).
VIEWS = [
    (
        "sales_periods",
        "materialized",
        "-- One row per rollup, calendar period, order status and the rollup's dimensions: the measures of\n-- sales_daily added up over ISO weeks, months and years, at four levels of detail, so that a\n-- service totals any date range and filter from a few rows per period (the range is tiled by\n-- whole years, months, weeks and days; see salesdw/services/periods.py). Money is added up in\n-- integer cents, several times faster than numeric, and turned back into currency at the end.\n--   rollup 'none':    per status only, every country, channel and category together\n--   rollup 'country': per status and shipping country\n--   rollup 'channel_category': per status, sales channel and top-level category, every country\n--                     together (what a filter on channels or categories alone reads)\n--   rollup 'full':    per status, country, channel and top-level category (weeks and up; the\n--                     days of this level are sales_daily itself)\n-- Each level is added up from the smallest one below it (days of the smaller rollups from the\n-- full days, weeks and months from the days, years from the months): every row is read by as\n-- few groupings as possible, which is what the refresh spends its time on.\nwith\n\nsales_daily as (\n    select\n        order_date,\n        status,\n        country_code,\n        channel,\n        category_id,\n        units,\n        units_returned,\n        -- to integer cents: adding integers up is several times faster than numeric\n        (gross_revenue * 100)::bigint as gross_revenue,\n        (discounts * 100)::bigint as discounts,\n        (refunds * 100)::bigint as refunds,\n        (net_revenue * 100)::bigint as net_revenue,\n        (cogs * 100)::bigint as cogs,\n        (gross_profit * 100)::bigint as gross_profit,\n        (shipping_fees * 100)::bigint as shipping_fees\n    from analytics.sales_daily\n),\n\nsmaller_days as (\n    -- the days of rollups channel_category and country, in one pass over the full days\n    select\n        case when grouping(country_code) = 0 then 'country' else 'channel_category' end\n            as rollup,\n        order_date,\n        status,\n        country_code,\n        channel,\n        category_id,\n        sum(units)::bigint as units,\n        sum(units_returned)::bigint as units_returned,\n        sum(gross_revenue)::bigint as gross_revenue,\n        sum(discounts)::bigint as discounts,\n        sum(refunds)::bigint as refunds,\n        sum(net_revenue)::bigint as net_revenue,\n        sum(cogs)::bigint as cogs,\n        sum(gross_profit)::bigint as gross_profit,\n        sum(shipping_fees)::bigint as shipping_fees\n    from sales_daily\n    group by grouping sets (\n        (order_date, status, channel, category_id),\n        (order_date, status, country_code)\n    )\n),\n\ndays as (\n    -- every rollup's days: full (sales_daily itself), channel_category and country, and none\n    -- from the country days, the smallest level that has them\n    select 'full' as rollup, * from sales_daily\n    union all\n    select * from smaller_days\n    union all\n    select\n        'none' as rollup,\n        order_date,\n        status,\n        null::varchar(2) as country_code,\n        null::text as channel,\n        null::integer as category_id,\n        sum(units)::bigint as units,\n        sum(units_returned)::bigint as units_returned,\n        sum(gross_revenue)::bigint as gross_revenue,\n        sum(discounts)::bigint as discounts,\n        sum(refunds)::bigint as refunds,\n        sum(net_revenue)::bigint as net_revenue,\n        sum(cogs)::bigint as cogs,\n        sum(gross_profit)::bigint as gross_profit,\n        sum(shipping_fees)::bigint as shipping_fees\n    from smaller_days\n    where rollup = 'country'\n    group by order_date, status\n),\n\nweeks_and_months as (\n    -- from the days: every rollup's weeks and months, in one pass over the days\n    select\n        rollup,\n        case when grouping(week_start) = 0 then 'week' else 'month' end as period_grain,\n        coalesce(week_start, month_start) as period_start,\n        status,\n        country_code,\n        channel,\n        category_id,\n        sum(units)::bigint as units,\n        sum(units_returned)::bigint as units_returned,\n        sum(gross_revenue)::bigint as gross_revenue,\n        sum(discounts)::bigint as discounts,\n        sum(refunds)::bigint as refunds,\n        sum(net_revenue)::bigint as net_revenue,\n        sum(cogs)::bigint as cogs,\n        sum(gross_profit)::bigint as gross_profit,\n        sum(shipping_fees)::bigint as shipping_fees\n    from (\n        select\n            *,\n            date_trunc('week', order_date)::date as week_start,\n            date_trunc('month', order_date)::date as month_start\n        from days\n    ) as dated_days\n    group by grouping sets (\n        (rollup, week_start, status, country_code, channel, category_id),\n        (rollup, month_start, status, country_code, channel, category_id)\n    )\n),\n\nyears as (\n    -- from the months\n    select\n        rollup,\n        'year' as period_grain,\n        date_trunc('year', period_start)::date as period_start,\n        status,\n        country_code,\n        channel,\n        category_id,\n        sum(units)::bigint as units,\n        sum(units_returned)::bigint as units_returned,\n        sum(gross_revenue)::bigint as gross_revenue,\n        sum(discounts)::bigint as discounts,\n        sum(refunds)::bigint as refunds,\n        sum(net_revenue)::bigint as net_revenue,\n        sum(cogs)::bigint as cogs,\n        sum(gross_profit)::bigint as gross_profit,\n        sum(shipping_fees)::bigint as shipping_fees\n    from weeks_and_months\n    where period_grain = 'month'\n    group by rollup, 3, status, country_code, channel, category_id\n),\n\nperiods as (\n    select\n        rollup,\n        'day' as period_grain,\n        order_date as period_start,\n        status,\n        country_code,\n        channel,\n        category_id,\n        units, units_returned, gross_revenue, discounts, refunds, net_revenue, cogs, gross_profit, shipping_fees\n    from days\n    where rollup <> 'full'  -- the full days are sales_daily itself\n    union all\n    select * from weeks_and_months\n    union all\n    select * from years\n),\n\nfinal as (\n    select\n        rollup,\n        period_grain,\n        period_start,\n        status,\n        country_code,\n        channel,\n        category_id,\n        units,\n        units_returned,\n        -- cents back to currency: x 0.01 keeps two decimals, exactly\n        gross_revenue * 0.01 as gross_revenue,\n        discounts * 0.01 as discounts,\n        refunds * 0.01 as refunds,\n        net_revenue * 0.01 as net_revenue,\n        cogs * 0.01 as cogs,\n        gross_profit * 0.01 as gross_profit,\n        shipping_fees * 0.01 as shipping_fees\n    from periods\n)\n\nselect * from final\n;\ncreate unique index on mart.sales_periods (period_start, rollup, period_grain, category_id, country_code, channel, status) nulls not distinct;\ncomment on view analytics.sales_periods is 'One row per rollup (none, country, channel_category or full), calendar period (day, ISO week, month or year, local to SALESDW_TIMEZONE), order status and the rollup''s dimensions: sales_daily''s measures added up, for fast totals over any date range. Total a range by adding whole periods that cover each day once, within one rollup; the full rollup has no days (use sales_daily).';\ncomment on column analytics.sales_periods.rollup is 'Level of detail: none (status only), country (status and country), channel_category (status, channel and category) or full (status, country, channel and category).';\ncomment on column analytics.sales_periods.period_grain is 'day, week (ISO, Monday to Sunday), month or year.';\ncomment on column analytics.sales_periods.period_start is 'First local day of the period.';\ncomment on column analytics.sales_periods.status is 'Order status.';\ncomment on column analytics.sales_periods.country_code is 'Shipping country (ISO 3166-1 alpha-2) in rollups country and full; null there when unknown, and null in rollups none and channel_category.';\ncomment on column analytics.sales_periods.channel is 'Sales channel in rollups channel_category and full; null otherwise.';\ncomment on column analytics.sales_periods.category_id is 'Top-level category in rollups channel_category and full; null otherwise.';\ncomment on column analytics.sales_periods.units is 'Units ordered.';\ncomment on column analytics.sales_periods.units_returned is 'Units returned.';\ncomment on column analytics.sales_periods.gross_revenue is 'Gross revenue: sum of quantity x unit price.';\ncomment on column analytics.sales_periods.discounts is 'Line discounts plus the lines'' share of order discounts.';\ncomment on column analytics.sales_periods.refunds is 'Money refunded.';\ncomment on column analytics.sales_periods.net_revenue is 'Net revenue = gross revenue - discounts - refunds (shipping not included).';\ncomment on column analytics.sales_periods.cogs is 'Cost of goods sold: (quantity - returned quantity) x unit cost.';\ncomment on column analytics.sales_periods.gross_profit is 'Gross profit = net revenue - COGS.';\ncomment on column analytics.sales_periods.shipping_fees is 'Shipping charged to customers, reported apart from revenue.';\n",
    ),
    (
        "order_periods",
        "materialized",
        "-- One row per rollup, calendar period, order status and the rollup's dimensions: orders_daily's\n-- counts added up over ISO weeks, months and years, at four levels of detail, so that a service\n-- counts the orders of any date range and filter from a few rows per period (see\n-- sales_periods and salesdw/services/periods.py).\n--   rollup 'none':    per status only\n--   rollup 'country': per status and shipping country\n--   rollup 'channel_category': per status, sales channel and category mask, every country\n--                     together (what a filter on channels or categories alone reads)\n--   rollup 'full':    per status, country, channel and category mask (weeks and up; the days of\n--                     this level are orders_daily itself)\n-- Each level is added up from the smallest one below it (days of the smaller rollups from the\n-- full days, weeks and months from the days, years from the months): every row is read by as\n-- few groupings as possible, which is what the refresh spends its time on.\nwith\n\norders_daily as (\n    select\n        order_date,\n        status,\n        country_code,\n        channel,\n        category_mask,\n        orders,\n        new_customers,\n        units::bigint as units  -- a count: numeric there (a sum of bigints), bigint here\n    from analytics.orders_daily\n),\n\nsmaller_days as (\n    -- the days of rollups channel_category and country, in one pass over the full days\n    select\n        case when grouping(country_code) = 0 then 'country' else 'channel_category' end\n            as rollup,\n        order_date,\n        status,\n        country_code,\n        channel,\n        category_mask,\n        sum(orders)::bigint as orders,\n        sum(new_customers)::bigint as new_customers,\n        sum(units)::bigint as units\n    from orders_daily\n    group by grouping sets (\n        (order_date, status, channel, category_mask),\n        (order_date, status, country_code)\n    )\n),\n\ndays as (\n    -- every rollup's days: full (orders_daily itself), channel_category and country, and none\n    -- from the country days, the smallest level that has them\n    select 'full' as rollup, * from orders_daily\n    union all\n    select * from smaller_days\n    union all\n    select\n        'none' as rollup,\n        order_date,\n        status,\n        null::varchar(2) as country_code,\n        null::text as channel,\n        null::bigint as category_mask,\n        sum(orders)::bigint as orders,\n        sum(new_customers)::bigint as new_customers,\n        sum(units)::bigint as units\n    from smaller_days\n    where rollup = 'country'\n    group by order_date, status\n),\n\nweeks_and_months as (\n    -- from the days: every rollup's weeks and months, in one pass over the days\n    select\n        rollup,\n        case when grouping(week_start) = 0 then 'week' else 'month' end as period_grain,\n        coalesce(week_start, month_start) as period_start,\n        status,\n        country_code,\n        channel,\n        category_mask,\n        sum(orders)::bigint as orders,\n        sum(new_customers)::bigint as new_customers,\n        sum(units)::bigint as units\n    from (\n        select\n            *,\n            date_trunc('week', order_date)::date as week_start,\n            date_trunc('month', order_date)::date as month_start\n        from days\n    ) as dated_days\n    group by grouping sets (\n        (rollup, week_start, status, country_code, channel, category_mask),\n        (rollup, month_start, status, country_code, channel, category_mask)\n    )\n),\n\nyears as (\n    -- from the months\n    select\n        rollup,\n        'year' as period_grain,\n        date_trunc('year', period_start)::date as period_start,\n        status,\n        country_code,\n        channel,\n        category_mask,\n        sum(orders)::bigint as orders,\n        sum(new_customers)::bigint as new_customers,\n        sum(units)::bigint as units\n    from weeks_and_months\n    where period_grain = 'month'\n    group by rollup, 3, status, country_code, channel, category_mask\n),\n\nperiods as (\n    select\n        rollup,\n        'day' as period_grain,\n        order_date as period_start,\n        status,\n        country_code,\n        channel,\n        category_mask,\n        orders, new_customers, units\n    from days\n    where rollup <> 'full'  -- the full days are orders_daily itself\n    union all\n    select * from weeks_and_months\n    union all\n    select * from years\n),\n\nfinal as (\n    select * from periods\n)\n\nselect * from final\n;\ncreate unique index on mart.order_periods (period_start, rollup, period_grain, category_mask, country_code, channel, status) nulls not distinct;\ncomment on view analytics.order_periods is 'One row per rollup (none, country, channel_category or full), calendar period (day, ISO week, month or year, local to SALESDW_TIMEZONE), order status and the rollup''s dimensions: orders_daily''s counts added up, for fast counts over any date range. Total a range by adding whole periods that cover each day once, within one rollup; the full rollup has no days (use orders_daily).';\ncomment on column analytics.order_periods.rollup is 'Level of detail: none (status only), country (status and country), channel_category (status, channel and category mask) or full (status, country, channel and category mask).';\ncomment on column analytics.order_periods.period_grain is 'day, week (ISO, Monday to Sunday), month or year.';\ncomment on column analytics.order_periods.period_start is 'First local day of the period.';\ncomment on column analytics.order_periods.status is 'Order status.';\ncomment on column analytics.order_periods.country_code is 'Shipping country (ISO 3166-1 alpha-2) in rollups country and full; null there when unknown, and null in rollups none and channel_category.';\ncomment on column analytics.order_periods.channel is 'Sales channel in rollups channel_category and full; null otherwise.';\ncomment on column analytics.order_periods.category_mask is 'Set of top-level categories the orders have lines in (analytics.category_bits) in rollups channel_category and full; null otherwise.';\ncomment on column analytics.order_periods.orders is 'Number of orders.';\ncomment on column analytics.order_periods.new_customers is 'Orders that are their customer''s first order not cancelled.';\ncomment on column analytics.order_periods.units is 'Units ordered.';\n",
    ),
    (
        "product_sales_periods",
        "materialized",
        "-- One row per calendar period and product with sales in it: the period is a local day, ISO week\n-- (Monday to Sunday), month or year (SALESDW_TIMEZONE), named by period_grain and its first day.\n-- The same measures at four grains let a date range be tiled by whole periods (years, then\n-- months, weeks and days at the edges), so a product ranking over any range reads a few\n-- thousand rows per product rather than every day. Orders not cancelled only; the measures are\n-- product_performance's: net revenue of a line = quantity x unit price - line discount - refund\n-- - its share of the order discount (in whole cents, by line value; see order_line_facts);\n-- COGS = (quantity - returned quantity) x unit cost. Every measure is additive over periods (an\n-- order falls on one day), so the lines are added up once, into days, and the weeks and months\n-- are added up from the days and the years from the months: far fewer rows than the lines.\nwith\n\norder_line_facts as (\n    select\n        order_date,\n        product_id,\n        is_first_product_line,\n        units,\n        units_returned,\n        gross_revenue_cents,\n        net_revenue_cents,\n        cogs_cents\n    from mart.order_line_facts\n    where status <> 'cancelled'\n),\n\ndays as (\n    -- the one pass over the lines\n    select\n        order_date as period_start,\n        product_id,\n        sum(units)::bigint as units,\n        sum(units_returned)::bigint as units_returned,\n        count(*) filter (where is_first_product_line) as orders,\n        sum(gross_revenue_cents)::bigint as gross_revenue_cents,\n        sum(net_revenue_cents)::bigint as net_revenue_cents,\n        sum(cogs_cents)::bigint as cogs_cents\n    from order_line_facts\n    group by order_date, product_id\n),\n\nweeks_and_months as (\n    select\n        case when grouping(week_start) = 0 then 'week' else 'month' end as period_grain,\n        coalesce(week_start, month_start) as period_start,\n        product_id,\n        sum(units)::bigint as units,\n        sum(units_returned)::bigint as units_returned,\n        sum(orders)::bigint as orders,\n        sum(gross_revenue_cents)::bigint as gross_revenue_cents,\n        sum(net_revenue_cents)::bigint as net_revenue_cents,\n        sum(cogs_cents)::bigint as cogs_cents\n    from (\n        select\n            *,\n            date_trunc('week', period_start)::date as week_start,\n            date_trunc('month', period_start)::date as month_start\n        from days\n    ) as dated_days\n    group by grouping sets ((week_start, product_id), (month_start, product_id))\n),\n\nyears as (\n    select\n        'year' as period_grain,\n        date_trunc('year', period_start)::date as period_start,\n        product_id,\n        sum(units)::bigint as units,\n        sum(units_returned)::bigint as units_returned,\n        sum(orders)::bigint as orders,\n        sum(gross_revenue_cents)::bigint as gross_revenue_cents,\n        sum(net_revenue_cents)::bigint as net_revenue_cents,\n        sum(cogs_cents)::bigint as cogs_cents\n    from weeks_and_months\n    where period_grain = 'month'\n    group by 2, product_id\n),\n\nperiods as (\n    select 'day' as period_grain, * from days\n    union all\n    select * from weeks_and_months\n    union all\n    select * from years\n),\n\nfinal as (\n    select\n        period_grain,\n        period_start,\n        product_id,\n        units,\n        units_returned,\n        orders,\n        -- cents back to currency: x 0.01 keeps two decimals, exactly\n        gross_revenue_cents * 0.01 as gross_revenue,\n        net_revenue_cents * 0.01 as net_revenue,\n        cogs_cents * 0.01 as cogs,\n        (net_revenue_cents - cogs_cents) * 0.01 as gross_profit\n    from periods\n)\n\nselect * from final\n;\ncreate unique index on mart.product_sales_periods (period_start, period_grain, product_id);\ncomment on view analytics.product_sales_periods is 'One row per calendar period (period_grain day, week, month or year, local to SALESDW_TIMEZONE) and product with sales in it, orders not cancelled. To total a date range, add up whole periods that tile it, each day counted once (the services do this); do not add grains together.';\ncomment on column analytics.product_sales_periods.period_grain is 'day, week (ISO, Monday to Sunday), month or year.';\ncomment on column analytics.product_sales_periods.period_start is 'First local day of the period.';\ncomment on column analytics.product_sales_periods.product_id is 'Product (analytics.product_performance).';\ncomment on column analytics.product_sales_periods.units is 'Units ordered.';\ncomment on column analytics.product_sales_periods.units_returned is 'Units of those returned.';\ncomment on column analytics.product_sales_periods.orders is 'Orders with the product (an order with two lines of it counts once).';\ncomment on column analytics.product_sales_periods.gross_revenue is 'Gross revenue = quantity x unit price.';\ncomment on column analytics.product_sales_periods.net_revenue is 'Net revenue = gross revenue - line discounts - refunds - the lines'' share of order discounts (by line value); shipping not included.';\ncomment on column analytics.product_sales_periods.cogs is 'Cost of goods sold = (quantity - returned quantity) x unit cost.';\ncomment on column analytics.product_sales_periods.gross_profit is 'Gross profit = net revenue - COGS.';\n",
    ),
]

PREVIOUS = [
    (
        "sales_periods",
        "materialized",
        "-- One row per rollup, calendar period, order status and the rollup's dimensions: the measures "
        "of\n"
        "-- sales_daily added up over ISO weeks, months and years, at four levels of detail, so that a\n"
        "-- service totals any date range and filter from a few rows per period (the range is tiled by\n"
        "-- whole years, months, weeks and days; see salesdw/services/periods.py). Money is added up in\n"
        "-- integer cents, several times faster than numeric, and turned back into currency at the end.\n"
        "--   rollup 'none':    per status only, every country, channel and category together\n"
        "--   rollup 'country': per status and shipping country\n"
        "--   rollup 'channel_category': per status, sales channel and top-level category, every "
        "country\n"
        "--                     together (what a filter on channels or categories alone reads)\n"
        "--   rollup 'full':    per status, country, channel and top-level category (weeks and up; the\n"
        "--                     days of this level are sales_daily itself)\n"
        "with\n"
        "\n"
        "sales_daily as (\n"
        "    select\n"
        "        order_date,\n"
        "        country_code,\n"
        "        channel,\n"
        "        status,\n"
        "        category_id,\n"
        "        units,\n"
        "        units_returned,\n"
        "        -- to integer cents: adding integers up is several times faster than numeric\n"
        "        (gross_revenue * 100)::bigint as gross_revenue,\n"
        "        (discounts * 100)::bigint as discounts,\n"
        "        (refunds * 100)::bigint as refunds,\n"
        "        (net_revenue * 100)::bigint as net_revenue,\n"
        "        (cogs * 100)::bigint as cogs,\n"
        "        (gross_profit * 100)::bigint as gross_profit,\n"
        "        (shipping_fees * 100)::bigint as shipping_fees\n"
        "    from analytics.sales_daily\n"
        "),\n"
        "\n"
        "detailed_periods as (\n"
        "    -- from the days: weeks, months and years at full detail (rollup full), and days, weeks,\n"
        "    -- months and years of every country together (rollup channel_category)\n"
        "    select\n"
        "        case when grouping(country_code) = 0 then 'full' else 'channel_category' end as "
        "rollup,\n"
        "        case\n"
        "            when grouping(order_date) = 0 then 'day'\n"
        "            when grouping(week_start) = 0 then 'week'\n"
        "            when grouping(month_start) = 0 then 'month'\n"
        "            else 'year'\n"
        "        end as period_grain,\n"
        "        coalesce(order_date, week_start, month_start, year_start) as period_start,\n"
        "        status,\n"
        "        country_code,\n"
        "        channel,\n"
        "        category_id,\n"
        "        sum(units) as units,\n"
        "        sum(units_returned) as units_returned,\n"
        "        sum(gross_revenue) as gross_revenue,\n"
        "        sum(discounts) as discounts,\n"
        "        sum(refunds) as refunds,\n"
        "        sum(net_revenue) as net_revenue,\n"
        "        sum(cogs) as cogs,\n"
        "        sum(gross_profit) as gross_profit,\n"
        "        sum(shipping_fees) as shipping_fees\n"
        "    from (\n"
        "        select\n"
        "            *,\n"
        "            date_trunc('week', order_date)::date as week_start,\n"
        "            date_trunc('month', order_date)::date as month_start,\n"
        "            date_trunc('year', order_date)::date as year_start\n"
        "        from sales_daily\n"
        "    ) as days\n"
        "    group by grouping sets (\n"
        "        (week_start, status, country_code, channel, category_id),\n"
        "        (month_start, status, country_code, channel, category_id),\n"
        "        (year_start, status, country_code, channel, category_id),\n"
        "        (order_date, status, channel, category_id),\n"
        "        (week_start, status, channel, category_id),\n"
        "        (month_start, status, channel, category_id),\n"
        "        (year_start, status, channel, category_id)\n"
        "    )\n"
        "),\n"
        "\n"
        "country_days as (\n"
        "    -- days per status and country: what the two smaller rollups are added up from\n"
        "    select\n"
        "        order_date,\n"
        "        date_trunc('week', order_date)::date as week_start,\n"
        "        date_trunc('month', order_date)::date as month_start,\n"
        "        date_trunc('year', order_date)::date as year_start,\n"
        "        status,\n"
        "        country_code,\n"
        "        sum(units) as units,\n"
        "        sum(units_returned) as units_returned,\n"
        "        sum(gross_revenue) as gross_revenue,\n"
        "        sum(discounts) as discounts,\n"
        "        sum(refunds) as refunds,\n"
        "        sum(net_revenue) as net_revenue,\n"
        "        sum(cogs) as cogs,\n"
        "        sum(gross_profit) as gross_profit,\n"
        "        sum(shipping_fees) as shipping_fees\n"
        "    from sales_daily\n"
        "    group by order_date, status, country_code\n"
        "),\n"
        "\n"
        "small_periods as (\n"
        "    select\n"
        "        case when grouping(country_code) = 0 then 'country' else 'none' end as rollup,\n"
        "        case\n"
        "            when grouping(order_date) = 0 then 'day'\n"
        "            when grouping(week_start) = 0 then 'week'\n"
        "            when grouping(month_start) = 0 then 'month'\n"
        "            else 'year'\n"
        "        end as period_grain,\n"
        "        coalesce(order_date, week_start, month_start, year_start) as period_start,\n"
        "        status,\n"
        "        country_code,\n"
        "        null::text as channel,\n"
        "        null::integer as category_id,\n"
        "        sum(units) as units,\n"
        "        sum(units_returned) as units_returned,\n"
        "        sum(gross_revenue) as gross_revenue,\n"
        "        sum(discounts) as discounts,\n"
        "        sum(refunds) as refunds,\n"
        "        sum(net_revenue) as net_revenue,\n"
        "        sum(cogs) as cogs,\n"
        "        sum(gross_profit) as gross_profit,\n"
        "        sum(shipping_fees) as shipping_fees\n"
        "    from country_days\n"
        "    group by grouping sets (\n"
        "        (order_date, status),\n"
        "        (order_date, status, country_code),\n"
        "        (week_start, status),\n"
        "        (week_start, status, country_code),\n"
        "        (month_start, status),\n"
        "        (month_start, status, country_code),\n"
        "        (year_start, status),\n"
        "        (year_start, status, country_code)\n"
        "    )\n"
        "),\n"
        "\n"
        "periods as (\n"
        "    select * from detailed_periods\n"
        "    union all\n"
        "    select * from small_periods\n"
        "),\n"
        "\n"
        "final as (\n"
        "    select\n"
        "        rollup,\n"
        "        period_grain,\n"
        "        period_start,\n"
        "        status,\n"
        "        country_code,\n"
        "        channel,\n"
        "        category_id,\n"
        "        units,\n"
        "        units_returned,\n"
        "        -- cents back to currency: x 0.01 keeps two decimals, exactly\n"
        "        gross_revenue * 0.01 as gross_revenue,\n"
        "        discounts * 0.01 as discounts,\n"
        "        refunds * 0.01 as refunds,\n"
        "        net_revenue * 0.01 as net_revenue,\n"
        "        cogs * 0.01 as cogs,\n"
        "        gross_profit * 0.01 as gross_profit,\n"
        "        shipping_fees * 0.01 as shipping_fees\n"
        "    from periods\n"
        ")\n"
        "\n"
        "select * from final\n"
        ";\n"
        "create unique index on mart.sales_periods (rollup, period_grain, period_start, status, "
        "country_code, channel, category_id) nulls not distinct;\n"
        "comment on view analytics.sales_periods is 'One row per rollup (none, country, channel_category "
        "or full), calendar period (day, ISO week, month or year, local to SALESDW_TIMEZONE), order "
        "status and the rollup''s dimensions: sales_daily''s measures added up, for fast totals over any "
        "date range. Total a range by adding whole periods that cover each day once, within one rollup; "
        "the full rollup has no days (use sales_daily).';\n"
        "comment on column analytics.sales_periods.rollup is 'Level of detail: none (status only), "
        "country (status and country), channel_category (status, channel and category) or full (status, "
        "country, channel and category).';\n"
        "comment on column analytics.sales_periods.period_grain is 'day, week (ISO, Monday to Sunday), "
        "month or year.';\n"
        "comment on column analytics.sales_periods.period_start is 'First local day of the period.';\n"
        "comment on column analytics.sales_periods.status is 'Order status.';\n"
        "comment on column analytics.sales_periods.country_code is 'Shipping country (ISO 3166-1 "
        "alpha-2) in rollups country and full; null there when unknown, and null in rollups none and "
        "channel_category.';\n"
        "comment on column analytics.sales_periods.channel is 'Sales channel in rollups channel_category "
        "and full; null otherwise.';\n"
        "comment on column analytics.sales_periods.category_id is 'Top-level category in rollups "
        "channel_category and full; null otherwise.';\n"
        "comment on column analytics.sales_periods.units is 'Units ordered.';\n"
        "comment on column analytics.sales_periods.units_returned is 'Units returned.';\n"
        "comment on column analytics.sales_periods.gross_revenue is 'Gross revenue: sum of quantity x "
        "unit price.';\n"
        "comment on column analytics.sales_periods.discounts is 'Line discounts plus the lines'' share "
        "of order discounts.';\n"
        "comment on column analytics.sales_periods.refunds is 'Money refunded.';\n"
        "comment on column analytics.sales_periods.net_revenue is 'Net revenue = gross revenue - "
        "discounts - refunds (shipping not included).';\n"
        "comment on column analytics.sales_periods.cogs is 'Cost of goods sold: (quantity - returned "
        "quantity) x unit cost.';\n"
        "comment on column analytics.sales_periods.gross_profit is 'Gross profit = net revenue - "
        "COGS.';\n"
        "comment on column analytics.sales_periods.shipping_fees is 'Shipping charged to customers, "
        "reported apart from revenue.';\n",
    ),
    (
        "order_periods",
        "materialized",
        "-- One row per rollup, calendar period, order status and the rollup's dimensions: "
        "orders_daily's\n"
        "-- counts added up over ISO weeks, months and years, at four levels of detail, so that a "
        "service\n"
        "-- counts the orders of any date range and filter from a few rows per period (see\n"
        "-- sales_periods and salesdw/services/periods.py).\n"
        "--   rollup 'none':    per status only\n"
        "--   rollup 'country': per status and shipping country\n"
        "--   rollup 'channel_category': per status, sales channel and category mask, every country\n"
        "--                     together (what a filter on channels or categories alone reads)\n"
        "--   rollup 'full':    per status, country, channel and category mask (weeks and up; the days "
        "of\n"
        "--                     this level are orders_daily itself)\n"
        "with\n"
        "\n"
        "orders_daily as (\n"
        "    select\n"
        "        order_date,\n"
        "        country_code,\n"
        "        channel,\n"
        "        status,\n"
        "        category_mask,\n"
        "        orders,\n"
        "        new_customers,\n"
        "        units\n"
        "    from analytics.orders_daily\n"
        "),\n"
        "\n"
        "detailed_periods as (\n"
        "    -- from the days: weeks, months and years at full detail (rollup full), and days, weeks,\n"
        "    -- months and years of every country together (rollup channel_category)\n"
        "    select\n"
        "        case when grouping(country_code) = 0 then 'full' else 'channel_category' end as "
        "rollup,\n"
        "        case\n"
        "            when grouping(order_date) = 0 then 'day'\n"
        "            when grouping(week_start) = 0 then 'week'\n"
        "            when grouping(month_start) = 0 then 'month'\n"
        "            else 'year'\n"
        "        end as period_grain,\n"
        "        coalesce(order_date, week_start, month_start, year_start) as period_start,\n"
        "        status,\n"
        "        country_code,\n"
        "        channel,\n"
        "        category_mask,\n"
        "        sum(orders) as orders,\n"
        "        sum(new_customers) as new_customers,\n"
        "        sum(units) as units\n"
        "    from (\n"
        "        select\n"
        "            *,\n"
        "            date_trunc('week', order_date)::date as week_start,\n"
        "            date_trunc('month', order_date)::date as month_start,\n"
        "            date_trunc('year', order_date)::date as year_start\n"
        "        from orders_daily\n"
        "    ) as days\n"
        "    group by grouping sets (\n"
        "        (week_start, status, country_code, channel, category_mask),\n"
        "        (month_start, status, country_code, channel, category_mask),\n"
        "        (year_start, status, country_code, channel, category_mask),\n"
        "        (order_date, status, channel, category_mask),\n"
        "        (week_start, status, channel, category_mask),\n"
        "        (month_start, status, channel, category_mask),\n"
        "        (year_start, status, channel, category_mask)\n"
        "    )\n"
        "),\n"
        "\n"
        "country_days as (\n"
        "    -- days per status and country: what the two smaller rollups are added up from\n"
        "    select\n"
        "        order_date,\n"
        "        date_trunc('week', order_date)::date as week_start,\n"
        "        date_trunc('month', order_date)::date as month_start,\n"
        "        date_trunc('year', order_date)::date as year_start,\n"
        "        status,\n"
        "        country_code,\n"
        "        sum(orders) as orders,\n"
        "        sum(new_customers) as new_customers,\n"
        "        sum(units) as units\n"
        "    from orders_daily\n"
        "    group by order_date, status, country_code\n"
        "),\n"
        "\n"
        "small_periods as (\n"
        "    select\n"
        "        case when grouping(country_code) = 0 then 'country' else 'none' end as rollup,\n"
        "        case\n"
        "            when grouping(order_date) = 0 then 'day'\n"
        "            when grouping(week_start) = 0 then 'week'\n"
        "            when grouping(month_start) = 0 then 'month'\n"
        "            else 'year'\n"
        "        end as period_grain,\n"
        "        coalesce(order_date, week_start, month_start, year_start) as period_start,\n"
        "        status,\n"
        "        country_code,\n"
        "        null::text as channel,\n"
        "        null::bigint as category_mask,\n"
        "        sum(orders) as orders,\n"
        "        sum(new_customers) as new_customers,\n"
        "        sum(units) as units\n"
        "    from country_days\n"
        "    group by grouping sets (\n"
        "        (order_date, status),\n"
        "        (order_date, status, country_code),\n"
        "        (week_start, status),\n"
        "        (week_start, status, country_code),\n"
        "        (month_start, status),\n"
        "        (month_start, status, country_code),\n"
        "        (year_start, status),\n"
        "        (year_start, status, country_code)\n"
        "    )\n"
        "),\n"
        "\n"
        "final as (\n"
        "    select * from detailed_periods\n"
        "    union all\n"
        "    select * from small_periods\n"
        ")\n"
        "\n"
        "select * from final\n"
        ";\n"
        "create unique index on mart.order_periods (rollup, period_grain, period_start, status, "
        "country_code, channel, category_mask) nulls not distinct;\n"
        "comment on view analytics.order_periods is 'One row per rollup (none, country, channel_category "
        "or full), calendar period (day, ISO week, month or year, local to SALESDW_TIMEZONE), order "
        "status and the rollup''s dimensions: orders_daily''s counts added up, for fast counts over any "
        "date range. Total a range by adding whole periods that cover each day once, within one rollup; "
        "the full rollup has no days (use orders_daily).';\n"
        "comment on column analytics.order_periods.rollup is 'Level of detail: none (status only), "
        "country (status and country), channel_category (status, channel and category mask) or full "
        "(status, country, channel and category mask).';\n"
        "comment on column analytics.order_periods.period_grain is 'day, week (ISO, Monday to Sunday), "
        "month or year.';\n"
        "comment on column analytics.order_periods.period_start is 'First local day of the period.';\n"
        "comment on column analytics.order_periods.status is 'Order status.';\n"
        "comment on column analytics.order_periods.country_code is 'Shipping country (ISO 3166-1 "
        "alpha-2) in rollups country and full; null there when unknown, and null in rollups none and "
        "channel_category.';\n"
        "comment on column analytics.order_periods.channel is 'Sales channel in rollups channel_category "
        "and full; null otherwise.';\n"
        "comment on column analytics.order_periods.category_mask is 'Set of top-level categories the "
        "orders have lines in (analytics.category_bits) in rollups channel_category and full; null "
        "otherwise.';\n"
        "comment on column analytics.order_periods.orders is 'Number of orders.';\n"
        "comment on column analytics.order_periods.new_customers is 'Orders that are their customer''s "
        "first order not cancelled.';\n"
        "comment on column analytics.order_periods.units is 'Units ordered.';\n",
    ),
    (
        "product_sales_periods",
        "materialized",
        "-- One row per calendar period and product with sales in it: the period is a local day, ISO "
        "week\n"
        "-- (Monday to Sunday), month or year (SALESDW_TIMEZONE), named by period_grain and its first "
        "day.\n"
        "-- The same measures at four grains let a date range be tiled by whole periods (years, then\n"
        "-- months, weeks and days at the edges), so a product ranking over any range reads a few\n"
        "-- thousand rows per product rather than every day. Orders not cancelled only; the measures "
        "are\n"
        "-- product_performance's: net revenue of a line = quantity x unit price - line discount - "
        "refund\n"
        "-- - its share of the order discount (in whole cents, by line value; see order_line_facts); "
        "COGS = (quantity - returned quantity) x\n"
        "-- unit cost. Every measure is additive over periods (an order falls on one day).\n"
        "with\n"
        "\n"
        "order_line_facts as (\n"
        "    select\n"
        "        order_date,\n"
        "        date_trunc('week', order_date)::date as week_start,\n"
        "        date_trunc('month', order_date)::date as month_start,\n"
        "        date_trunc('year', order_date)::date as year_start,\n"
        "        product_id,\n"
        "        is_first_product_line,\n"
        "        units,\n"
        "        units_returned,\n"
        "        gross_revenue_cents,\n"
        "        net_revenue_cents,\n"
        "        cogs_cents\n"
        "    from mart.order_line_facts\n"
        "    where status <> 'cancelled'\n"
        "),\n"
        "\n"
        "periods as (\n"
        "    -- one pass over the lines, four groupings: day, week, month and year\n"
        "    select\n"
        "        case\n"
        "            when grouping(order_date) = 0 then 'day'\n"
        "            when grouping(week_start) = 0 then 'week'\n"
        "            when grouping(month_start) = 0 then 'month'\n"
        "            else 'year'\n"
        "        end as period_grain,\n"
        "        coalesce(order_date, week_start, month_start, year_start) as period_start,\n"
        "        product_id,\n"
        "        sum(units) as units,\n"
        "        sum(units_returned) as units_returned,\n"
        "        count(*) filter (where is_first_product_line) as orders,\n"
        "        sum(gross_revenue_cents) as gross_revenue_cents,\n"
        "        sum(net_revenue_cents) as net_revenue_cents,\n"
        "        sum(cogs_cents) as cogs_cents\n"
        "    from order_line_facts\n"
        "    group by grouping sets (\n"
        "        (order_date, product_id),\n"
        "        (week_start, product_id),\n"
        "        (month_start, product_id),\n"
        "        (year_start, product_id)\n"
        "    )\n"
        "),\n"
        "\n"
        "final as (\n"
        "    select\n"
        "        period_grain,\n"
        "        period_start,\n"
        "        product_id,\n"
        "        units,\n"
        "        units_returned,\n"
        "        orders,\n"
        "        -- cents back to currency: x 0.01 keeps two decimals, exactly\n"
        "        gross_revenue_cents * 0.01 as gross_revenue,\n"
        "        net_revenue_cents * 0.01 as net_revenue,\n"
        "        cogs_cents * 0.01 as cogs,\n"
        "        (net_revenue_cents - cogs_cents) * 0.01 as gross_profit\n"
        "    from periods\n"
        ")\n"
        "\n"
        "select * from final\n"
        ";\n"
        "create unique index on mart.product_sales_periods (period_grain, period_start, product_id);\n"
        "comment on view analytics.product_sales_periods is 'One row per calendar period (period_grain "
        "day, week, month or year, local to SALESDW_TIMEZONE) and product with sales in it, orders not "
        "cancelled. To total a date range, add up whole periods that tile it, each day counted once (the "
        "services do this); do not add grains together.';\n"
        "comment on column analytics.product_sales_periods.period_grain is 'day, week (ISO, Monday to "
        "Sunday), month or year.';\n"
        "comment on column analytics.product_sales_periods.period_start is 'First local day of the "
        "period.';\n"
        "comment on column analytics.product_sales_periods.product_id is 'Product "
        "(analytics.product_performance).';\n"
        "comment on column analytics.product_sales_periods.units is 'Units ordered.';\n"
        "comment on column analytics.product_sales_periods.units_returned is 'Units of those "
        "returned.';\n"
        "comment on column analytics.product_sales_periods.orders is 'Orders with the product (an order "
        "with two lines of it counts once).';\n"
        "comment on column analytics.product_sales_periods.gross_revenue is 'Gross revenue = quantity x "
        "unit price.';\n"
        "comment on column analytics.product_sales_periods.net_revenue is 'Net revenue = gross revenue - "
        "line discounts - refunds - the lines'' share of order discounts (by line value); shipping not "
        "included.';\n"
        "comment on column analytics.product_sales_periods.cogs is 'Cost of goods sold = (quantity - "
        "returned quantity) x unit cost.';\n"
        "comment on column analytics.product_sales_periods.gross_profit is 'Gross profit = net revenue - "
        "COGS.';\n",
    ),
]


def _drop_view(name: str, kind: str) -> None:
    if kind == "materialized":
        op.execute(f"drop view analytics.{name}")
    op.execute(f"drop materialized view mart.{name}")


def _create_view(name: str, kind: str, text: str) -> None:
    query, _, statements = text.partition("\n;\n")
    op.execute(f"create materialized view mart.{name} as\n{query}")
    if kind == "materialized":
        op.execute(f"create view analytics.{name} as select * from mart.{name}")
        op.execute(f"comment on materialized view mart.{name} is "
                   f"'Data of analytics.{name}; query that view instead.'")  # fmt: skip
    for statement in statements.strip().splitlines():
        op.execute(statement)


def _replace_under_readers(name: str, text: str) -> None:
    """Build the new mart.<name> beside the old one and point analytics.<name> (same columns)
    at it, so the views that read analytics.<name> stay as they are."""
    query, _, statements = text.partition("\n;\n")
    op.execute(f"create materialized view mart.{name}__0011 as\n{query}")
    op.execute(f"create or replace view analytics.{name} as select * from mart.{name}__0011")
    op.execute(f"drop materialized view mart.{name}")
    op.execute(f"alter materialized view mart.{name}__0011 rename to {name}")
    op.execute(f"comment on materialized view mart.{name} is "
               f"'Data of analytics.{name}; query that view instead.'")  # fmt: skip
    for statement in statements.strip().splitlines():
        op.execute(statement)


def _apply(old: list[tuple[str, str, str]], new: list[tuple[str, str, str]]) -> None:
    for name, kind, _text in reversed(old):
        if name not in READ_BY_OTHERS:
            _drop_view(name, kind)
    for name, kind, text in new:
        if name in READ_BY_OTHERS:
            _replace_under_readers(name, text)
        else:
            _create_view(name, kind, text)


def upgrade() -> None:
    _apply(PREVIOUS, VIEWS)


def downgrade() -> None:
    _apply(VIEWS, PREVIOUS)
