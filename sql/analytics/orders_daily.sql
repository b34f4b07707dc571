-- One row per local day, shipping country, sales channel, order status and category mask:
-- order counts that stay exact under any category filter (an order is counted once, in the
-- row of the set of top-level categories it has lines in).
with

order_facts as (
    select
        order_date,
        country_code,
        channel,
        status,
        category_mask,
        is_first_order,
        units
    from mart.order_facts
),

final as (
    select
        order_date,
        country_code,
        channel,
        status,
        category_mask,
        count(*) as orders,
        count(*) filter (where is_first_order) as new_customers,
        sum(units) as units
    from order_facts
    group by 1, 2, 3, 4, 5
    -- stored in the order of the index the services read by, so the rows of a period lie
    -- together on a few pages rather than each on its own
    order by order_date, country_code, channel, status, category_mask
)

select * from final
;
create unique index on mart.orders_daily (order_date, country_code, channel, status, category_mask) nulls not distinct;
comment on view analytics.orders_daily is 'One row per local day, shipping country, sales channel, order status and category mask: orders and new customers. Additive across every column; filter categories with category_mask & selected_mask <> 0. Cancelled orders are kept: exclude status = ''cancelled'' for sales metrics.';
comment on column analytics.orders_daily.order_date is 'Calendar day of the order in SALESDW_TIMEZONE (UTC by default).';
comment on column analytics.orders_daily.country_code is 'Shipping country (ISO 3166-1 alpha-2); null when unknown.';
comment on column analytics.orders_daily.channel is 'Sales channel: web, mobile_app, marketplace, social.';
comment on column analytics.orders_daily.status is 'Order status: placed, shipped, completed, cancelled, returned.';
comment on column analytics.orders_daily.category_mask is 'Set of top-level categories the orders have lines in, one bit per category (analytics.category_bits).';
comment on column analytics.orders_daily.orders is 'Number of orders.';
comment on column analytics.orders_daily.new_customers is 'Orders that are their customer''s first order not cancelled: new customers of that day.';
comment on column analytics.orders_daily.units is 'Units ordered.';
