-- One row per category, top-level and subcategories alike (level 'top' or 'sub'): the measures
-- of analytics.product_performance summed over every product in the category or below it
-- (orders counted once per category: from the orders' category masks for top-level categories,
-- from the order lines below them; reviews from core), with ABC class, revenue share and a BCG
-- quadrant among the categories of the same level. Orders not cancelled only; net revenue,
-- gross profit and the 365-day windows are defined in product_performance.
with recursive

category_tree as (
    -- one row per category and each category at or above it
    select
        category_id,
        category_id as ancestor_id,
        parent_category_id
    from core.categories
    union all
    select
        category_tree.category_id,
        parent.category_id as ancestor_id,
        parent.parent_category_id
    from category_tree
    inner join core.categories as parent
        on parent.category_id = category_tree.parent_category_id
),

categories as (
    select
        category_id,
        parent_category_id,
        name
    from core.categories
),

order_facts as (
    select
        category_mask
    from mart.order_facts
    where status <> 'cancelled'
),

order_line_facts as (
    select
        order_id,
        category_id
    from mart.order_line_facts
    where status <> 'cancelled'
),

category_bits as (
    select
        category_id,
        category_bit
    from analytics.category_bits
),

product_performance as (
    select
        product_id,
        category_id,
        units,
        units_returned,
        net_revenue,
        gross_profit,
        net_revenue_last_365,
        net_revenue_previous_365
    from analytics.product_performance
),

reviews as (
    select
        product_id,
        rating
    from core.reviews
),

category_sales as (
    -- additive measures: the sums of the products'
    select
        category_tree.ancestor_id as category_id,
        sum(product_performance.units) as units,
        sum(product_performance.units_returned) as units_returned,
        sum(product_performance.net_revenue) as net_revenue,
        sum(product_performance.gross_profit) as gross_profit,
        sum(product_performance.net_revenue_last_365) as net_revenue_last_365,
        sum(product_performance.net_revenue_previous_365) as net_revenue_previous_365
    from product_performance
    inner join category_tree on category_tree.category_id = product_performance.category_id
    group by 1
),

category_masks as (
    -- orders per set of top-level categories they have lines in (a few thousand sets at most)
    select
        category_mask,
        count(*) as orders
    from order_facts
    group by 1
),

top_category_orders as (
    -- a top-level category's orders: those whose mask has its bit (no pass over the lines)
    select
        category_bits.category_id,
        sum(category_masks.orders)::bigint as orders
    from category_bits
    inner join category_masks
        on category_masks.category_mask & (1::bigint << category_bits.category_bit) <> 0
    group by 1
),

lower_category_orders as (
    -- orders are not additive across products: count each order once per category
    select
        category_tree.ancestor_id as category_id,
        count(distinct order_line_facts.order_id) as orders
    from order_line_facts
    inner join category_tree on category_tree.category_id = order_line_facts.category_id
    inner join categories on categories.category_id = category_tree.ancestor_id
    where categories.parent_category_id is not null
    group by 1
),

category_orders as (
    select * from top_category_orders
    union all
    select * from lower_category_orders
),

category_reviews as (
    select
        category_tree.ancestor_id as category_id,
        avg(reviews.rating) as average_rating,
        count(*) as review_count
    from reviews
    inner join product_performance on product_performance.product_id = reviews.product_id
    inner join category_tree on category_tree.category_id = product_performance.category_id
    group by 1
),

measured as (
    select
        categories.category_id,
        categories.name as category_name,
        case when categories.parent_category_id is null then 'top' else 'sub' end as level,
        categories.parent_category_id,
        coalesce(category_sales.units, 0) as units,
        coalesce(category_sales.units_returned, 0) as units_returned,
        coalesce(category_orders.orders, 0) as orders,
        coalesce(category_sales.net_revenue, 0) as net_revenue,
        coalesce(category_sales.gross_profit, 0) as gross_profit,
        category_reviews.average_rating,
        coalesce(category_reviews.review_count, 0) as review_count,
        coalesce(category_sales.net_revenue_last_365, 0) as net_revenue_last_365,
        coalesce(category_sales.net_revenue_previous_365, 0) as net_revenue_previous_365
    from categories
    left join category_sales on category_sales.category_id = categories.category_id
    left join category_orders on category_orders.category_id = categories.category_id
    left join category_reviews on category_reviews.category_id = categories.category_id
),

compared as (
    select
        *,
        case
            when net_revenue_previous_365 > 0
                then net_revenue_last_365 / net_revenue_previous_365 - 1
        end as net_revenue_growth,
        -- net revenue of this category and every category of its level ranked above it
        sum(net_revenue) over (
            partition by level
            order by net_revenue desc, category_id
            rows between unbounded preceding and current row
        ) as cumulative_net_revenue,
        sum(net_revenue) over (partition by level) as level_net_revenue,
        -- the strongest competitor: the largest last-365 revenue among the level's others
        max(net_revenue_last_365) over (
            partition by level
            order by category_id
            rows between unbounded preceding and unbounded following exclude current row
        ) as largest_other_last_365
    from measured
),

shared as (
    select
        *,
        case
            when largest_other_last_365 > 0
                then net_revenue_last_365 / largest_other_last_365
        end as relative_share
    from compared
),

level_medians as (
    select
        level,
        percentile_cont(0.5) within group (order by net_revenue_growth) as median_growth,
        percentile_cont(0.5) within group (order by relative_share) as median_relative_share
    from shared
    group by 1
),

final as (
    select
        shared.category_id,
        shared.category_name,
        shared.level,
        shared.parent_category_id,
        shared.units,
        shared.units_returned,
        shared.units_returned::numeric / nullif(shared.units, 0) as return_rate,
        shared.orders,
        shared.net_revenue,
        shared.gross_profit,
        shared.gross_profit / nullif(shared.net_revenue, 0) as gross_margin,
        shared.average_rating,
        shared.review_count,
        case
            when shared.level_net_revenue <= 0 then 'C'
            when shared.cumulative_net_revenue <= 0.80 * shared.level_net_revenue then 'A'
            when shared.cumulative_net_revenue <= 0.95 * shared.level_net_revenue then 'B'
            else 'C'
        end as abc_class,
        case
            when shared.level_net_revenue > 0
                then shared.net_revenue / shared.level_net_revenue
        end as revenue_share,
        shared.net_revenue_last_365,
        shared.net_revenue_previous_365,
        shared.net_revenue_growth,
        shared.relative_share,
        case
            when shared.net_revenue_growth is null or shared.relative_share is null then null
            when shared.net_revenue_growth::double precision >= level_medians.median_growth
                then case
                    when shared.relative_share::double precision
                        >= level_medians.median_relative_share then 'Star'
                    else 'Question Mark'
                end
            when shared.relative_share::double precision
                >= level_medians.median_relative_share then 'Cash Cow'
            else 'Dog'
        end as bcg_quadrant
    from shared
    inner join level_medians on level_medians.level = shared.level
)

select * from final
;
create unique index on mart.category_performance (category_id);
comment on view analytics.category_performance is 'One row per category, top-level (level = top) and subcategory (level = sub): units, returns, orders, net revenue, gross profit and margin of the lines in orders not cancelled of every product in the category or below it, reviews, growth of the last 365 days, and ABC class, revenue share, relative share and BCG quadrant among the categories of the same level.';
comment on column analytics.category_performance.category_id is 'Category (core.categories).';
comment on column analytics.category_performance.category_name is 'Category name.';
comment on column analytics.category_performance.level is 'top (no parent) or sub (every category with a parent); shares, classes and quadrants compare a category with the others of its level.';
comment on column analytics.category_performance.parent_category_id is 'The category above; null for top-level categories.';
comment on column analytics.category_performance.units is 'Units ordered in orders not cancelled, of products in the category or below.';
comment on column analytics.category_performance.units_returned is 'Units of those returned.';
comment on column analytics.category_performance.return_rate is 'Return rate = units returned / units; null when nothing sold.';
comment on column analytics.category_performance.orders is 'Distinct orders not cancelled with at least one line in the category (or below): an order with several such lines counts once.';
comment on column analytics.category_performance.net_revenue is 'Net revenue = quantity x unit price - line discount - refund - the line''s share of the order discount (by line value), shipping not included; all time.';
comment on column analytics.category_performance.gross_profit is 'Gross profit = net revenue - COGS, COGS = (quantity - returned quantity) x unit cost.';
comment on column analytics.category_performance.gross_margin is 'Gross margin = gross profit / net revenue; null without net revenue.';
comment on column analytics.category_performance.average_rating is 'Average stars (1-5) over all reviews of its products (each review weighs the same); null without reviews.';
comment on column analytics.category_performance.review_count is 'Reviews of its products.';
comment on column analytics.category_performance.abc_class is 'ABC class by all-time net revenue within the level: rank the level''s categories by net revenue (highest first, ties by category_id) and take the cumulative share of the level''s total including the category itself: A when at most 80%, B when above 80% and at most 95%, C above 95%. The category that carries the share across 80% (or 95%) is B (or C).';
comment on column analytics.category_performance.revenue_share is 'Share of the level''s all-time net revenue (sums to 1 per level); null when the level has none.';
comment on column analytics.category_performance.net_revenue_last_365 is 'Net revenue of the 365 local days ending the day before as-of (as-of = the day after the latest order not cancelled).';
comment on column analytics.category_performance.net_revenue_previous_365 is 'Net revenue of the 365 days before those.';
comment on column analytics.category_performance.net_revenue_growth is 'Growth = net_revenue_last_365 / net_revenue_previous_365 - 1 (0.1 = +10%); null when the previous 365 days have no positive net revenue.';
comment on column analytics.category_performance.relative_share is 'Relative market share (BCG) = net_revenue_last_365 / the largest net_revenue_last_365 among the other categories of its level; above 1 for the leader; null when no other category of the level has positive revenue.';
comment on column analytics.category_performance.bcg_quadrant is 'BCG quadrant against the medians of its level (percentile_cont(0.5), over categories with a value): Star = growth >= median growth and relative share >= median relative share; Question Mark = high growth, relative share below the median; Cash Cow = growth below the median, high share; Dog = both below. Null when growth or relative share is null.';
