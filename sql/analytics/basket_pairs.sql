-- One row per pair kind ('product' or top-level 'category') and unordered pair of items bought
-- together in at least 5 orders not cancelled: how often, and how much more often than chance
-- (market basket analysis: support, confidence, lift).
-- Product pairs come from each order's own sorted array of distinct products (a product on two
-- lines counts once), with no join across orders; only orders with two products or more have
-- pairs, and orders with more than 30 (bulk buyers) add none, which bounds the work at
-- n x (n - 1) / 2 pairs per order. Category pairs come from the orders' category masks, counted
-- once per distinct set of categories. The orders with each item are product_performance's
-- and the masks': every order not cancelled counts there, bulk ones too.
with

order_facts as (
    select
        category_mask
    from mart.order_facts
    where status <> 'cancelled'
),

order_line_facts as (
    select
        order_id,
        product_id
    from mart.order_line_facts
    where status <> 'cancelled' and is_first_product_line
),

product_performance as (
    select
        product_id,
        product_name,
        orders::bigint as orders
    from analytics.product_performance
),

category_bits as (
    select
        category_id,
        category_name,
        category_bit
    from analytics.category_bits
),

product_baskets as (
    -- orders with two distinct products or more: their products, ascending (one product gives
    -- no pair)
    select
        array_agg(product_id order by product_id) as product_ids
    from order_line_facts
    group by order_id
    having count(*) >= 2
),

position_pairs as (
    -- every pair of positions (first < second) in a basket of 2 to 30 products: 4,495 rows,
    -- and the one place the bound of 30 is set (a bulk order finds no positions, so adds no
    -- pairs). Joined to the baskets by size, they pick each pair out of the array by
    -- subscript, which costs far less than slicing and unnesting the array once per position.
    -- The bounds are constants, so the planner knows how few rows this is and hashes them
    select
        products,
        first_position,
        second_position
    from generate_series(2, 30) as basket_size (products)
    cross join generate_series(1, 29) as first_item (first_position)
    cross join generate_series(2, 30) as second_item (second_position)
    where first_position < second_position and second_position <= products
),

product_pairs as (
    select
        basket.product_ids[position_pairs.first_position] as item_a,
        basket.product_ids[position_pairs.second_position] as item_b
    from product_baskets as basket
    inner join position_pairs on position_pairs.products = cardinality(basket.product_ids)
),

product_counts as (
    select
        'product' as pair_kind,
        item_a,
        item_b,
        count(*) as orders_together
    from product_pairs
    group by 2, 3
    having count(*) >= 5
),

category_masks as (
    -- orders per set of top-level categories: a few thousand sets at most, whatever the orders
    select
        category_mask,
        count(*) as orders
    from order_facts
    where category_mask <> 0
    group by 1
),

category_counts as (
    select
        'category' as pair_kind,
        bits_a.category_id as item_a,
        bits_b.category_id as item_b,
        sum(category_masks.orders)::bigint as orders_together
    from category_masks
    inner join category_bits as bits_a
        on category_masks.category_mask & (1::bigint << bits_a.category_bit) <> 0
    inner join category_bits as bits_b
        on category_masks.category_mask & (1::bigint << bits_b.category_bit) <> 0
        and bits_b.category_id > bits_a.category_id
    group by 2, 3
    having sum(category_masks.orders) >= 5
),

items as (
    -- every product and top-level category with the orders (not cancelled) that have it
    select
        'product' as pair_kind,
        product_id as item_id,
        product_name as item_name,
        orders
    from product_performance
    union all
    select
        'category' as pair_kind,
        category_bits.category_id as item_id,
        category_bits.category_name as item_name,
        coalesce(sum(category_masks.orders), 0)::bigint as orders
    from category_bits
    left join category_masks
        on category_masks.category_mask & (1::bigint << category_bits.category_bit) <> 0
    group by 1, 2, 3
),

pairs as (
    select * from product_counts
    union all
    select * from category_counts
),

totals as materialized (
    select count(*) as orders from order_facts
),

final as (
    select
        pairs.pair_kind,
        pairs.item_a,
        pairs.item_b,
        item_a.item_name as item_a_name,
        item_b.item_name as item_b_name,
        pairs.orders_together,
        item_a.orders as orders_with_a,
        item_b.orders as orders_with_b,
        pairs.orders_together::numeric / totals.orders as support,
        pairs.orders_together::numeric / item_a.orders as confidence_a_to_b,
        pairs.orders_together::numeric / item_b.orders as confidence_b_to_a,
        pairs.orders_together::numeric * totals.orders
        / (item_a.orders::numeric * item_b.orders) as lift
    from pairs
    inner join items as item_a
        on item_a.pair_kind = pairs.pair_kind and item_a.item_id = pairs.item_a
    inner join items as item_b
        on item_b.pair_kind = pairs.pair_kind and item_b.item_id = pairs.item_b
    cross join totals
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
