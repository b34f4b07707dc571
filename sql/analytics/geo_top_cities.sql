-- One row per shipping country and city among that country's 10 cities with the most net
-- revenue (ties broken by city name). Cancelled orders are excluded, and so are orders without
-- a shipping country or city. An order's net revenue is sum(quantity x unit price - line
-- discount - refund) of its lines - the order's discount.
with

order_facts as (
    select
        customer_id,
        country_code,
        city,
        net_revenue_cents
    from mart.order_facts
    where status <> 'cancelled'
        and country_code is not null
        and city is not null
),

city_customers as (
    -- one row per city and customer first, so the customers of a city are a count of rows: a
    -- count(distinct) would sort every order
    select
        country_code,
        city,
        customer_id,
        count(*) as orders,
        sum(net_revenue_cents) as net_revenue_cents
    from order_facts
    group by 1, 2, 3
),

city_orders as (
    select
        country_code,
        city,
        sum(orders)::bigint as orders,
        count(*) as customers,
        sum(net_revenue_cents) * 0.01 as net_revenue
    from city_customers
    group by 1, 2
),

ranked as (
    select
        country_code,
        city,
        row_number() over (partition by country_code order by net_revenue desc, city)
            as city_rank,
        orders,
        customers,
        net_revenue
    from city_orders
),

final as (
    select
        country_code,
        city,
        city_rank,
        orders,
        customers,
        net_revenue
    from ranked
    where city_rank <= 10
)

select * from final
;
create unique index on mart.geo_top_cities (country_code, city_rank);
comment on view analytics.geo_top_cities is 'One row per shipping country and city among the country''s top 10 cities by net revenue (orders not cancelled; ties broken by city name).';
comment on column analytics.geo_top_cities.country_code is 'Shipping country (ISO 3166-1 alpha-2).';
comment on column analytics.geo_top_cities.city is 'Shipping city, as written on the orders.';
comment on column analytics.geo_top_cities.city_rank is 'Rank of the city in its country by net revenue: 1 = the most.';
comment on column analytics.geo_top_cities.orders is 'Orders not cancelled shipped to the city.';
comment on column analytics.geo_top_cities.customers is 'Distinct customers with such an order.';
comment on column analytics.geo_top_cities.net_revenue is 'Net revenue of those orders: gross - line and order discounts - refunds (shipping not included).';
