-- One row per pair kind ('product' or top-level 'category') and unordered pair of items bought
-- together in at least 5 orders not cancelled: how often, and how much more often than chance
-- (market basket analysis: support, confidence, lift).
-- Each order is reduced first to its distinct items (a sorted array per order), so a product on
-- two lines counts once; pairs come from each order's own array, with no join across orders.
-- Orders with more than 30 distinct items of a kind (bulk buyers) add no pairs of that kind,
-- which bounds the work at n x (n - 1) / 2 pairs per order; they still count in the totals.
with

order_facts as (
    select
        order_id
    from mart.order_facts
    where status <> 'cancelled'
),

order_line_facts as (
    select
        order_id,
        product_id,
        top_category_id
    from mart.order_line_facts
    where status <> 'cancelled'
),

product_performance as (
    select
        product_id,
        product_name,
        top_category_id,
        top_category_name
    from analytics.product_performance
),

order_baskets as (
    -- one row per order not cancelled with lines: its distinct products and top categories
    select
        order_id,
        array_agg(distinct product_id order by product_id) as product_ids,
        array_agg(distinct top_category_id order by top_category_id) as category_ids
    from order_line_facts
    group by 1
),

baskets as (
    -- one row per order and pair kind: the order's distinct items of that kind, ascending
    select
        kinds.pair_kind,
        kinds.item_ids
    from order_baskets
    cross join lateral (
        values
            ('product', order_baskets.product_ids),
            ('category', order_baskets.category_ids)
    ) as kinds (pair_kind, item_ids)
),

basket_items as (
    -- each item of a basket with each item at or after it: (a, a) counts the orders with a,
    -- (a, b) with a < b the orders with both; baskets above 30 items give (a, a) only
    select
        baskets.pair_kind,
        first_item.item_id as item_a,
        second_item.item_id as item_b
    from baskets
    cross join lateral unnest(baskets.item_ids) with ordinality as first_item (item_id, position)
    cross join lateral unnest(
        case
            when cardinality(baskets.item_ids) <= 30
                then baskets.item_ids[first_item.position:]
            else array[first_item.item_id]
        end
    ) as second_item (item_id)
),

item_counts as (
    select
        pair_kind,
        item_a,
        item_b,
        count(*) as orders
    from basket_items
    group by 1, 2, 3
),

counted as (
    -- the orders with each item (a = b), and with each pair bought together at least 5 times
    select
        pair_kind,
        item_a,
        item_b,
        orders
    from item_counts
    where item_a = item_b or orders >= 5
),

items as (
    select
        'product' as pair_kind,
        product_id as item_id,
        product_name as item_name
    from product_performance
    union all
    select distinct
        'category' as pair_kind,
        top_category_id as item_id,
        top_category_name as item_name
    from product_performance
),

named as (
    select
        counted.pair_kind,
        counted.item_a,
        counted.item_b,
        counted.orders,
        items.item_name as item_a_name
    from counted
    left join items on items.pair_kind = counted.pair_kind and items.item_id = counted.item_a
),

looked_up as (
    -- the item rows (a, a) hold each item's orders and name: within a kind, (a, a) comes
    -- first among the rows of item_a = a (their item_b >= a), and (b, b) first among the rows
    -- of item_b = b taken by item_a descending (their item_a <= b); windows, not joins, so the
    -- work stays linear whatever the planner estimates
    select
        pair_kind,
        item_a,
        item_b,
        item_a_name,
        first_value(item_a_name) over item_b_first as item_b_name,
        orders as orders_together,
        first_value(orders) over (partition by pair_kind, item_a order by item_b)
            as orders_with_a,
        first_value(orders) over item_b_first as orders_with_b
    from named
    window item_b_first as (partition by pair_kind, item_b order by item_a desc)
),

totals as materialized (
    -- materialized: computed once, however often the plan reads it
    select count(*) as orders from order_facts
),

final as (
    select
        looked_up.pair_kind,
        looked_up.item_a,
        looked_up.item_b,
        looked_up.item_a_name,
        looked_up.item_b_name,
        looked_up.orders_together,
        looked_up.orders_with_a,
        looked_up.orders_with_b,
        looked_up.orders_together::numeric / totals.orders as support,
        looked_up.orders_together::numeric / looked_up.orders_with_a as confidence_a_to_b,
        looked_up.orders_together::numeric / looked_up.orders_with_b as confidence_b_to_a,
        -- support / (support of a x support of b), simplified
        looked_up.orders_together::numeric * totals.orders
        / (looked_up.orders_with_a::numeric * looked_up.orders_with_b) as lift
    from looked_up
    cross join totals
    where looked_up.item_a < looked_up.item_b
)

select * from final
;
create unique index on mart.basket_pairs (pair_kind, item_a, item_b);
create index on mart.basket_pairs (pair_kind, lift);
comment on view analytics.basket_pairs is 'One row per pair kind (product, or top-level category) and unordered pair of items (item_a < item_b) bought together in at least 5 orders not cancelled: orders together, support, confidence both ways and lift. Orders with more than 30 distinct items of the kind add no pairs of that kind but count in the totals.';
comment on column analytics.basket_pairs.pair_kind is 'product (items are core.products) or category (items are top-level categories, analytics.category_bits).';
comment on column analytics.basket_pairs.item_a is 'The pair''s item with the lower id (product_id or category_id).';
comment on column analytics.basket_pairs.item_b is 'The pair''s item with the higher id.';
comment on column analytics.basket_pairs.item_a_name is 'Name of item a (product or category name).';
comment on column analytics.basket_pairs.item_b_name is 'Name of item b.';
comment on column analytics.basket_pairs.orders_together is 'Orders not cancelled with both items (at most 30 distinct items of the kind); at least 5, pairs below are left out.';
comment on column analytics.basket_pairs.orders_with_a is 'Orders not cancelled with item a.';
comment on column analytics.basket_pairs.orders_with_b is 'Orders not cancelled with item b.';
comment on column analytics.basket_pairs.support is 'Support = orders together / all orders not cancelled.';
comment on column analytics.basket_pairs.confidence_a_to_b is 'Confidence a -> b = orders together / orders with a: the share of a''s orders that also hold b.';
comment on column analytics.basket_pairs.confidence_b_to_a is 'Confidence b -> a = orders together / orders with b.';
comment on column analytics.basket_pairs.lift is 'Lift = support / (support of a x support of b), with support of a = orders with a / all orders not cancelled: 1 = together as often as chance, above 1 more often.';
