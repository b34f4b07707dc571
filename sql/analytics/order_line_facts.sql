-- One row per order line, every status (internal: the base the line-level views aggregate, built
-- once per refresh so they need not each read core.order_items again). Order attributes are
-- copied onto the line from core.orders (not from order_facts: the two build side by side).
-- Money is in integer cents, which PostgreSQL adds up several times faster than numeric: the
-- views turn the sums back into currency. An order's discount and shipping fee are split over
-- its lines in whole cents, in proportion to line value (evenly by line when the order is worth
-- nothing), by cumulative rounding: line i gets round(amount x value of lines 1..i / order
-- value) - round(amount x value of lines 1..i-1 / order value), so the shares add up exactly
-- to the order's amount and each is within a cent of its exact proportion.
with

category_tree as (
    select
        category_id,
        top_category_id
    from analytics.category_tree
),

products as (
    select
        product_id,
        category_id
    from core.products
),

orders as (
    -- from core, not order_facts: the two build side by side in a refresh
    select
        order_id,
        customer_id,
        (ordered_at at time zone coalesce(
            nullif(current_setting('salesdw.timezone', true), ''), 'UTC'
        ))::date as order_date,
        shipping_country_code as country_code,
        channel,
        status,
        (discount_amount * 100)::bigint as order_discount_cents,
        (shipping_fee * 100)::bigint as shipping_fee_cents
    from core.orders
),

lines as (
    -- money in cents once per line (x 100 is exact on numeric(12,2)); the fence (offset 0)
    -- keeps the planner from computing these numeric expressions again above the windows,
    -- once per place they are used
    select
        order_id,
        line_number,
        product_id,
        quantity,
        returned_quantity,
        quantity * (unit_price * 100)::bigint as gross_revenue_cents,
        (discount_amount * 100)::bigint as line_discount_cents,
        (refund_amount * 100)::bigint as refund_cents,
        (quantity - returned_quantity) * (unit_cost * 100)::bigint as cogs_cents
    from core.order_items
    offset 0
),

order_items as (
    select
        *,
        -- in line order within each order: the running value and position that cumulative
        -- rounding needs, and the order's totals (sums of bigints, far cheaper than numeric)
        (sum(gross_revenue_cents) over order_lines)::bigint as cumulative_gross_cents,
        row_number() over order_lines as position,
        (sum(gross_revenue_cents) over whole_order)::bigint as order_gross_cents,
        count(*) over whole_order as lines,
        -- 1 on the product's first line in the order: counts orders without a distinct sort
        row_number() over (partition by order_id, product_id order by line_number)
            as product_line
    from lines
    window
        order_lines as (partition by order_id order by line_number rows unbounded preceding),
        whole_order as (partition by order_id)
),

weighted as (
    -- each line's cumulative weight (value, or position when the order is worth nothing) and
    -- the weight before it, out of the order's total weight. The fence (offset 0) computes
    -- them once a line: flattened, each CASE would be computed again in every place the
    -- shares below use it (eight times a line; a fifth of the build at 10M orders)
    select
        order_items.*,
        orders.customer_id,
        orders.order_date,
        orders.country_code,
        orders.channel,
        orders.status,
        orders.order_discount_cents,
        orders.shipping_fee_cents,
        case
            when order_items.order_gross_cents > 0 then order_items.cumulative_gross_cents
            else order_items.position
        end as weight_through,
        case
            when order_items.order_gross_cents > 0
                then order_items.cumulative_gross_cents - order_items.gross_revenue_cents
            else order_items.position - 1
        end as weight_before,
        case
            when order_items.order_gross_cents > 0 then order_items.order_gross_cents
            else order_items.lines
        end as weight_total
    from order_items
    inner join orders on orders.order_id = order_items.order_id
    offset 0
),

allocated as (
    -- round(amount x w / total) in integer arithmetic: (2 x amount x w + total) / (2 x total);
    -- no arithmetic when there is nothing to split (most orders have no discount, and most no
    -- shipping fee)
    select
        *,
        case
            when order_discount_cents = 0 then 0
            else (2 * order_discount_cents * weight_through + weight_total) / (2 * weight_total)
                - (2 * order_discount_cents * weight_before + weight_total) / (2 * weight_total)
        end as order_discount_share_cents,
        case
            when shipping_fee_cents = 0 then 0
            else (2 * shipping_fee_cents * weight_through + weight_total) / (2 * weight_total)
                - (2 * shipping_fee_cents * weight_before + weight_total) / (2 * weight_total)
        end as shipping_fee_share_cents
    from weighted
),

final as (
    select
        allocated.order_id,
        allocated.line_number,
        allocated.customer_id,
        allocated.order_date,
        allocated.country_code,
        allocated.channel,
        allocated.status,
        allocated.product_id,
        products.category_id,
        category_tree.top_category_id,
        allocated.product_line = 1 as is_first_product_line,
        allocated.quantity as units,
        allocated.returned_quantity as units_returned,
        allocated.gross_revenue_cents,
        allocated.line_discount_cents + allocated.order_discount_share_cents as discount_cents,
        allocated.refund_cents,
        allocated.gross_revenue_cents
        - allocated.line_discount_cents
        - allocated.order_discount_share_cents
        - allocated.refund_cents as net_revenue_cents,
        allocated.cogs_cents,
        allocated.shipping_fee_share_cents as shipping_fee_cents
    from allocated
    inner join products on products.product_id = allocated.product_id
    inner join category_tree on category_tree.category_id = products.category_id
)

select * from final
;
comment on materialized view mart.order_line_facts is 'One row per order line, every status (internal: read by the other views at each refresh; query analytics.sales_daily and the other views instead). Order attributes copied onto the line; money in integer cents; order discounts and shipping fees split over the order''s lines in whole cents by value (cumulative rounding: the shares add up to the order''s amount).';
comment on column mart.order_line_facts.order_id is 'Order (core.orders).';
comment on column mart.order_line_facts.line_number is 'Line number within the order.';
comment on column mart.order_line_facts.customer_id is 'Customer who placed the order.';
comment on column mart.order_line_facts.order_date is 'Local calendar day of the order (SALESDW_TIMEZONE).';
comment on column mart.order_line_facts.country_code is 'Shipping country (ISO 3166-1 alpha-2); null when unknown.';
comment on column mart.order_line_facts.channel is 'Sales channel of the order.';
comment on column mart.order_line_facts.status is 'Order status.';
comment on column mart.order_line_facts.product_id is 'Product sold.';
comment on column mart.order_line_facts.category_id is 'The product''s own (leaf) category.';
comment on column mart.order_line_facts.top_category_id is 'Top-level category above it.';
comment on column mart.order_line_facts.is_first_product_line is 'True on the product''s first line in the order: count these to count orders per product.';
comment on column mart.order_line_facts.units is 'Quantity ordered.';
comment on column mart.order_line_facts.units_returned is 'Quantity returned.';
comment on column mart.order_line_facts.gross_revenue_cents is 'Quantity x unit price, in cents.';
comment on column mart.order_line_facts.discount_cents is 'Line discount plus the line''s share of the order discount, in cents.';
comment on column mart.order_line_facts.refund_cents is 'Money refunded on the line, in cents.';
comment on column mart.order_line_facts.net_revenue_cents is 'Gross revenue - discounts - refunds, in cents.';
comment on column mart.order_line_facts.cogs_cents is '(Quantity - returned quantity) x unit cost, in cents.';
comment on column mart.order_line_facts.shipping_fee_cents is 'The line''s share of the order''s shipping fee, in cents.';
