-- One row per order, every status (internal: the base the order-level views aggregate, built
-- once per refresh): local day and time, where it shipped, the totals of its lines in integer
-- cents (PostgreSQL adds integers up several times faster than numeric; the views turn the sums
-- back into currency), the set of top-level categories it has lines in (a bit mask, see
-- category_bits), and whether it is the customer's first order that was not cancelled (what
-- makes a customer new).
-- Built as one stream in order_id order: the lines are added up as they come, in the primary
-- key's order, and merged with the orders, with no hash table of millions of orders. The
-- refresh plans it so (salesdw.refresh.PLANNER_SETTINGS); at 10M orders that is about half the
-- time of hashing the orders' totals, which spill to disk.
with

orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        ordered_at at time zone coalesce(
            nullif(current_setting('salesdw.timezone', true), ''), 'UTC'
        ) as ordered_at_local,
        shipping_country_code as country_code,
        shipping_city as city,
        channel,
        status,
        (discount_amount * 100)::bigint as order_discount_cents,
        (shipping_fee * 100)::bigint as shipping_fee_cents
    from core.orders
),

order_items as (
    select
        order_id,
        product_id,
        quantity,
        returned_quantity,
        (quantity * unit_price * 100)::bigint as gross_revenue_cents,
        (discount_amount * 100)::bigint as line_discount_cents,
        (refund_amount * 100)::bigint as refund_cents,
        ((quantity - returned_quantity) * unit_cost * 100)::bigint as cogs_cents
    from core.order_items
),

products as (
    select
        product_id,
        category_id
    from core.products
),

category_tree as (
    select
        category_id,
        top_category_id
    from analytics.category_tree
),

category_bits as (
    select
        category_id,
        category_bit
    from analytics.category_bits
),

product_bits as (
    -- each product's top-level category as a bit, in an array indexed by product id (from the
    -- lowest): a lookup per line rather than a join, which would lose the lines' order. One
    -- element per id between the lowest and the highest: product ids come from an identity
    -- column, so they are dense (ids spread over more than ~100M values would not fit)
    select
        min(ids.product_id) as first_product_id,
        array_agg(coalesce(bits.category_bit_value, 0) order by ids.product_id) as bit_values
    from generate_series(
        (select min(product_id) from products), (select max(product_id) from products)
    ) as ids (product_id)
    left join (
        select
            products.product_id,
            1::bigint << category_bits.category_bit as category_bit_value
        from products
        inner join category_tree on category_tree.category_id = products.category_id
        inner join category_bits on category_bits.category_id = category_tree.top_category_id
    ) as bits on bits.product_id = ids.product_id
),

order_totals as (
    select
        order_items.order_id,
        count(*) as lines,
        sum(order_items.quantity) as units,
        sum(order_items.returned_quantity) as units_returned,
        sum(order_items.gross_revenue_cents)::bigint as gross_revenue_cents,
        sum(order_items.line_discount_cents)::bigint as line_discount_cents,
        sum(order_items.refund_cents)::bigint as refund_cents,
        sum(order_items.cogs_cents)::bigint as cogs_cents,
        -- two one-row subqueries, computed once for all lines
        bit_or(
            (select bit_values from product_bits)[
                order_items.product_id - (select first_product_id from product_bits) + 1
            ]
        ) as category_mask
    from order_items
    group by 1
),

first_orders as (
    -- a customer is new with their first order that was not cancelled
    -- from a pass over core.orders sorted in memory: reading them in customer order through
    -- the index on (customer_id, ordered_at) visits the table's pages at random, 3x slower
    select distinct on (customer_id)
        order_id
    from (
        select
            order_id,
            customer_id,
            ordered_at
        from core.orders
        where status <> 'cancelled'
        offset 0  -- a fence: keeps the planner from reading them through that index
    ) as not_cancelled
    order by customer_id, ordered_at, order_id
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.ordered_at_local,
        orders.ordered_at_local::date as order_date,
        orders.country_code,
        orders.city,
        orders.channel,
        orders.status,
        first_orders.order_id is not null as is_first_order,
        coalesce(order_totals.lines, 0) as lines,
        coalesce(order_totals.units, 0) as units,
        coalesce(order_totals.units_returned, 0) as units_returned,
        coalesce(order_totals.gross_revenue_cents, 0) as gross_revenue_cents,
        orders.order_discount_cents,
        coalesce(order_totals.line_discount_cents, 0) + orders.order_discount_cents
            as discount_cents,
        coalesce(order_totals.refund_cents, 0) as refund_cents,
        coalesce(order_totals.gross_revenue_cents, 0)
        - coalesce(order_totals.line_discount_cents, 0)
        - orders.order_discount_cents
        - coalesce(order_totals.refund_cents, 0) as net_revenue_cents,
        coalesce(order_totals.cogs_cents, 0) as cogs_cents,
        orders.shipping_fee_cents,
        coalesce(order_totals.category_mask, 0) as category_mask
    from orders
    left join order_totals on order_totals.order_id = orders.order_id
    left join first_orders on first_orders.order_id = orders.order_id
)

select * from final
;
comment on materialized view mart.order_facts is 'One row per order, every status (internal: read by the other views at each refresh; query the analytics views instead): local time, shipping place, channel, status, totals of its lines in integer cents, top-level categories as a bit mask, and whether it is the customer''s first order not cancelled.';
comment on column mart.order_facts.order_id is 'Order (core.orders).';
comment on column mart.order_facts.customer_id is 'Customer who placed it.';
comment on column mart.order_facts.ordered_at is 'When it was placed.';
comment on column mart.order_facts.ordered_at_local is 'When it was placed, local time (SALESDW_TIMEZONE).';
comment on column mart.order_facts.order_date is 'Local calendar day of the order.';
comment on column mart.order_facts.country_code is 'Shipping country (ISO 3166-1 alpha-2); null when unknown.';
comment on column mart.order_facts.city is 'Shipping city; null when unknown.';
comment on column mart.order_facts.channel is 'Sales channel.';
comment on column mart.order_facts.status is 'Order status.';
comment on column mart.order_facts.is_first_order is 'True for the customer''s first order not cancelled (by time, then order id): the customer is new with it.';
comment on column mart.order_facts.lines is 'Order lines.';
comment on column mart.order_facts.units is 'Units ordered.';
comment on column mart.order_facts.units_returned is 'Units returned.';
comment on column mart.order_facts.gross_revenue_cents is 'Sum of quantity x unit price, in cents.';
comment on column mart.order_facts.order_discount_cents is 'The order-level discount alone, in cents.';
comment on column mart.order_facts.discount_cents is 'Line discounts plus the order discount, in cents.';
comment on column mart.order_facts.refund_cents is 'Money refunded, in cents.';
comment on column mart.order_facts.net_revenue_cents is 'Gross revenue - discounts - refunds (shipping not included), in cents.';
comment on column mart.order_facts.cogs_cents is 'Sum of (quantity - returned quantity) x unit cost, in cents.';
comment on column mart.order_facts.shipping_fee_cents is 'Shipping charged, apart from revenue, in cents.';
comment on column mart.order_facts.category_mask is 'Bit per top-level category the order has lines in (analytics.category_bits); 0 without lines.';
