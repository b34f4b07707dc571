-- One row per local day and the local day of the previous order of the same customer (orders not
-- cancelled): how many of the day's orders follow an order on that earlier day (or are their
-- customer's first, previous day null), and their running total over the earlier days, first
-- orders first. Distinct customers cannot be added up from daily counts, but this counts them
-- exactly without reading the orders: the customers with an order between days a and b are the
-- orders of those days whose previous order is before a (or none), one per customer, the first
-- of their orders in the range. So a range costs one index probe per day, not a scan of millions
-- of orders (see salesdw/services/customers.py; it answers the date filter alone, with the
-- default statuses; other filters scan order_customers).
with

orders as (
    select
        customer_id,
        order_id,
        order_date
    from analytics.order_customers
    where status <> 'cancelled'
),

gaps as (
    -- in order of day, then order id: the order of two orders on one day does not matter, as
    -- the later one's previous day is that same day
    select
        order_date,
        lag(order_date) over (partition by customer_id order by order_date, order_id)
            as previous_order_date
    from orders
),

day_pairs as (
    select
        order_date,
        previous_order_date,
        count(*) as orders
    from gaps
    group by order_date, previous_order_date
),

final as (
    select
        order_date,
        previous_order_date,
        orders,
        sum(orders) over (
            partition by order_date
            order by previous_order_date nulls first
            rows unbounded preceding
        ) as orders_through
    from day_pairs
    -- stored in the order of the index the service probes, a day's rows together
    order by order_date, previous_order_date nulls first
)

select * from final
;
create unique index on mart.active_customer_days (order_date, previous_order_date nulls first) nulls not distinct;
comment on view analytics.active_customer_days is 'One row per local day and local day of the same customer''s previous order (orders not cancelled; null: the customer''s first order): orders of the day, and their running total over the earlier days (first orders first). The customers with an order between days a and b are, summed over those days, orders_through at the latest previous day before a (or at the null row).';
comment on column analytics.active_customer_days.order_date is 'Local calendar day of the orders (SALESDW_TIMEZONE).';
comment on column analytics.active_customer_days.previous_order_date is 'Local day of the customer''s previous order not cancelled; null for their first order (the customer is new that day).';
comment on column analytics.active_customer_days.orders is 'Orders not cancelled on order_date whose customer''s previous order was on previous_order_date.';
comment on column analytics.active_customer_days.orders_through is 'Orders of order_date whose previous order was on previous_order_date or earlier, first orders included.';
