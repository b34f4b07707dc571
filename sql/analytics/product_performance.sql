-- One row per product, sold or not: units, returns, orders, net revenue, gross profit and margin
-- of its lines in orders not cancelled, all time and over the last 365 days against the 365
-- before; its reviews; and its ABC class by net revenue.
-- Net revenue of a line = quantity x unit price - line discount - refund - the line's share of
-- its order's discount (by line value, as in sales_daily); COGS = (quantity - returned
-- quantity) x unit cost; gross profit = net revenue - COGS. Days are local days
-- (SALESDW_TIMEZONE); as of the day after the latest order not cancelled.
with

product_sales_periods as (
    select
        period_grain,
        period_start,
        product_id,
        units,
        units_returned,
        orders,
        net_revenue,
        gross_profit
    from analytics.product_sales_periods
),

category_tree as (
    select
        category_id,
        top_category_id,
        top_category_name
    from analytics.category_tree
),

products as (
    select
        product_id,
        sku,
        name,
        brand,
        category_id,
        list_price
    from core.products
),

reviews as (
    select
        product_id,
        rating
    from core.reviews
),

order_facts as (
    select
        order_date
    from mart.order_facts
    where status <> 'cancelled'
),

as_of as (
    select max(order_date) + 1 as as_of_date from order_facts
),

product_totals as (
    -- all time: the yearly rows add up to it
    select
        product_id,
        sum(units) as units,
        sum(units_returned) as units_returned,
        sum(orders) as orders,
        sum(net_revenue) as net_revenue,
        sum(gross_profit) as gross_profit
    from product_sales_periods
    where period_grain = 'year'
    group by 1
),

product_windows as (
    select
        product_sales_periods.product_id,
        coalesce(sum(product_sales_periods.net_revenue) filter (
            where product_sales_periods.period_start >= as_of.as_of_date - 365
        ), 0) as net_revenue_last_365,
        coalesce(sum(product_sales_periods.net_revenue) filter (
            where product_sales_periods.period_start < as_of.as_of_date - 365
        ), 0) as net_revenue_previous_365
    from product_sales_periods
    cross join as_of
    where product_sales_periods.period_grain = 'day'
        and product_sales_periods.period_start >= as_of.as_of_date - 730
    group by 1
),

product_reviews as (
    select
        product_id,
        avg(rating) as average_rating,
        count(*) as review_count
    from reviews
    group by 1
),

measured as (
    select
        products.product_id,
        products.sku,
        products.name as product_name,
        products.brand,
        products.category_id,
        category_tree.top_category_id,
        category_tree.top_category_name,
        products.list_price,
        coalesce(product_totals.units, 0) as units,
        coalesce(product_totals.units_returned, 0) as units_returned,
        coalesce(product_totals.orders, 0) as orders,
        coalesce(product_totals.net_revenue, 0) as net_revenue,
        coalesce(product_totals.gross_profit, 0) as gross_profit,
        product_reviews.average_rating,
        coalesce(product_reviews.review_count, 0) as review_count,
        coalesce(product_windows.net_revenue_last_365, 0) as net_revenue_last_365,
        coalesce(product_windows.net_revenue_previous_365, 0) as net_revenue_previous_365
    from products
    inner join category_tree on category_tree.category_id = products.category_id
    left join product_totals on product_totals.product_id = products.product_id
    left join product_windows on product_windows.product_id = products.product_id
    left join product_reviews on product_reviews.product_id = products.product_id
),

cumulated as (
    select
        *,
        -- net revenue of this product and every product ranked above it
        sum(net_revenue) over (
            order by net_revenue desc, product_id
            rows between unbounded preceding and current row
        ) as cumulative_net_revenue,
        sum(net_revenue) over () as total_net_revenue
    from measured
),

final as (
    select
        product_id,
        sku,
        product_name,
        brand,
        category_id,
        top_category_id,
        top_category_name,
        list_price,
        units,
        units_returned,
        units_returned::numeric / nullif(units, 0) as return_rate,
        orders,
        net_revenue,
        gross_profit,
        gross_profit / nullif(net_revenue, 0) as gross_margin,
        average_rating,
        review_count,
        case
            when total_net_revenue <= 0 then 'C'
            when cumulative_net_revenue <= 0.80 * total_net_revenue then 'A'
            when cumulative_net_revenue <= 0.95 * total_net_revenue then 'B'
            else 'C'
        end as abc_class,
        net_revenue_last_365,
        net_revenue_previous_365,
        case
            when net_revenue_previous_365 > 0
                then net_revenue_last_365 / net_revenue_previous_365 - 1
        end as net_revenue_growth
    from cumulated
)

select * from final
;
create unique index on mart.product_performance (product_id);
create index on mart.product_performance (top_category_id);
comment on view analytics.product_performance is 'One row per product, sold or not (zeros when unsold): units, returns, orders, net revenue, gross profit and margin of its lines in orders not cancelled, all time and over the last 365 days against the 365 before; reviews; ABC class by net revenue.';
comment on column analytics.product_performance.product_id is 'Product (core.products).';
comment on column analytics.product_performance.sku is 'Stock keeping unit.';
comment on column analytics.product_performance.product_name is 'Product name.';
comment on column analytics.product_performance.brand is 'Brand; null when unknown.';
comment on column analytics.product_performance.category_id is 'The product''s own (leaf) category (core.categories).';
comment on column analytics.product_performance.top_category_id is 'Top-level category above it (analytics.category_bits).';
comment on column analytics.product_performance.top_category_name is 'Name of the top-level category.';
comment on column analytics.product_performance.list_price is 'Current list price per unit.';
comment on column analytics.product_performance.units is 'Units ordered in orders not cancelled.';
comment on column analytics.product_performance.units_returned is 'Units of those returned.';
comment on column analytics.product_performance.return_rate is 'Return rate = units returned / units; null when unsold.';
comment on column analytics.product_performance.orders is 'Distinct orders not cancelled with the product.';
comment on column analytics.product_performance.net_revenue is 'Net revenue = quantity x unit price - line discount - refund - the line''s share of the order discount (by line value), summed over its lines; shipping not included.';
comment on column analytics.product_performance.gross_profit is 'Gross profit = net revenue - COGS, COGS = (quantity - returned quantity) x unit cost.';
comment on column analytics.product_performance.gross_margin is 'Gross margin = gross profit / net revenue; null without net revenue.';
comment on column analytics.product_performance.average_rating is 'Average stars (1-5) of its reviews (core.reviews); null without reviews.';
comment on column analytics.product_performance.review_count is 'Number of its reviews.';
comment on column analytics.product_performance.abc_class is 'ABC class by all-time net revenue: rank products by net revenue (highest first, ties by product_id) and take the cumulative share of the total including the product itself: A when it is at most 80%, B when above 80% and at most 95%, C above 95%. The product whose revenue carries the share across 80% (or 95%) is B (or C). All C when the total is not positive.';
comment on column analytics.product_performance.net_revenue_last_365 is 'Net revenue of the 365 local days ending the day before as-of (as-of = the day after the latest order not cancelled).';
comment on column analytics.product_performance.net_revenue_previous_365 is 'Net revenue of the 365 days before those.';
comment on column analytics.product_performance.net_revenue_growth is 'Growth = net_revenue_last_365 / net_revenue_previous_365 - 1 (0.1 = +10%); null when the previous 365 days have no positive net revenue.';
