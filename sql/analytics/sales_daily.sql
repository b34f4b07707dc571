-- One row per local day, shipping country, sales channel, order status and top-level category:
-- the additive money and unit measures of order lines. Order-level discounts and shipping fees
-- are split over an order's lines in whole cents, in proportion to their value (see
-- order_line_facts), so every filter adds up to the cent.
with

order_line_facts as (
    select
        order_date,
        country_code,
        channel,
        status,
        top_category_id,
        units,
        units_returned,
        gross_revenue_cents,
        discount_cents,
        refund_cents,
        net_revenue_cents,
        cogs_cents,
        shipping_fee_cents
    from mart.order_line_facts
),

final as (
    select
        order_date,
        country_code,
        channel,
        status,
        top_category_id as category_id,
        sum(units) as units,
        sum(units_returned) as units_returned,
        -- cents back to currency: x 0.01 keeps two decimals, exactly
        sum(gross_revenue_cents) * 0.01 as gross_revenue,
        sum(discount_cents) * 0.01 as discounts,
        sum(refund_cents) * 0.01 as refunds,
        sum(net_revenue_cents) * 0.01 as net_revenue,
        sum(cogs_cents) * 0.01 as cogs,
        sum(net_revenue_cents - cogs_cents) * 0.01 as gross_profit,
        sum(shipping_fee_cents) * 0.01 as shipping_fees
    from order_line_facts
    group by 1, 2, 3, 4, 5
    -- stored in the order of the index the services read by, so the rows of a period lie
    -- together on a few pages rather than each on its own
    order by order_date, country_code, channel, status, category_id
)

select * from final
;
create unique index on mart.sales_daily (order_date, country_code, channel, status, category_id) nulls not distinct;
comment on view analytics.sales_daily is 'One row per local day, shipping country, sales channel, order status and top-level category: money and units of order lines. Additive across every column; order discounts and shipping fees are spread over lines by value. Cancelled orders are kept: exclude status = ''cancelled'' for sales metrics. Orders are counted in analytics.orders_daily (an order can span categories).';
comment on column analytics.sales_daily.order_date is 'Calendar day of the order in SALESDW_TIMEZONE (UTC by default).';
comment on column analytics.sales_daily.country_code is 'Shipping country (ISO 3166-1 alpha-2); null when unknown.';
comment on column analytics.sales_daily.channel is 'Sales channel: web, mobile_app, marketplace, social.';
comment on column analytics.sales_daily.status is 'Order status: placed, shipped, completed, cancelled, returned.';
comment on column analytics.sales_daily.category_id is 'Top-level category of the products sold (see analytics.category_bits).';
comment on column analytics.sales_daily.units is 'Units ordered.';
comment on column analytics.sales_daily.units_returned is 'Units returned.';
comment on column analytics.sales_daily.gross_revenue is 'Gross revenue: sum of quantity x unit price.';
comment on column analytics.sales_daily.discounts is 'Discounts: line discounts plus the lines'' share of order discounts.';
comment on column analytics.sales_daily.refunds is 'Money refunded (returns and partial refunds).';
comment on column analytics.sales_daily.net_revenue is 'Net revenue = gross revenue - discounts - refunds (shipping not included).';
comment on column analytics.sales_daily.cogs is 'Cost of goods sold: (quantity - returned quantity) x unit cost.';
comment on column analytics.sales_daily.gross_profit is 'Gross profit = net revenue - COGS.';
comment on column analytics.sales_daily.shipping_fees is 'Shipping charged to customers, spread over lines by value; reported apart from revenue.';
