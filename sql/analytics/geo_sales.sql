-- One row per shipping country with orders: orders, customers, net revenue and its growth over
-- the last 365 days. Cancelled orders are excluded throughout; orders without a shipping
-- country are left out. Net revenue is sales_daily's: quantity x unit price - line discounts -
-- refunds - the lines' share of order discounts (an order's net revenue in all). "As of" is
-- the day after the latest local day with an order not cancelled; the last 365 days end the
-- day before it, the previous 365 days are the 365 before those.
with

sales_daily as (
    select
        order_date,
        country_code,
        net_revenue
    from analytics.sales_daily
    where status <> 'cancelled'
        and country_code is not null
),

orders_daily as (
    select
        order_date,
        country_code,
        orders
    from analytics.orders_daily
    where status <> 'cancelled'
),

order_facts as (
    select
        country_code,
        customer_id
    from mart.order_facts
    where status <> 'cancelled'
        and country_code is not null
),

countries as (
    select
        country_code,
        iso_alpha3,
        name,
        region,
        subregion
    from core.countries
),

as_of as (
    -- over every order not cancelled, with or without a country
    select max(order_date) + 1 as as_of_date from orders_daily
),

country_orders as (
    select
        country_code,
        sum(orders) as orders
    from orders_daily
    where country_code is not null
    group by 1
),

country_customer_pairs as (
    select
        country_code,
        customer_id
    from order_facts
    group by 1, 2
),

country_customers as (
    select
        country_code,
        count(*) as customers
    from country_customer_pairs
    group by 1
),

country_sales as (
    select
        sales_daily.country_code,
        sum(sales_daily.net_revenue) as net_revenue,
        coalesce(sum(sales_daily.net_revenue) filter (
            where sales_daily.order_date between as_of.as_of_date - 365 and as_of.as_of_date - 1
        ), 0) as net_revenue_last_365,
        coalesce(sum(sales_daily.net_revenue) filter (
            where sales_daily.order_date between as_of.as_of_date - 730 and as_of.as_of_date - 366
        ), 0) as net_revenue_previous_365
    from sales_daily
    cross join as_of
    group by 1
),

final as (
    select
        country_orders.country_code,
        countries.iso_alpha3,
        countries.name as country_name,
        countries.region,
        countries.subregion,
        country_orders.orders,
        coalesce(country_customers.customers, 0) as customers,
        coalesce(country_sales.net_revenue, 0) as net_revenue,
        coalesce(country_sales.net_revenue, 0) / country_orders.orders as average_order_value,
        coalesce(country_sales.net_revenue_last_365, 0) as net_revenue_last_365,
        coalesce(country_sales.net_revenue_previous_365, 0) as net_revenue_previous_365,
        country_sales.net_revenue_last_365
        / nullif(country_sales.net_revenue_previous_365, 0) - 1 as net_revenue_yoy_growth
    from country_orders
    inner join countries on countries.country_code = country_orders.country_code
    left join country_customers on country_customers.country_code = country_orders.country_code
    left join country_sales on country_sales.country_code = country_orders.country_code
)

select * from final
;
create unique index on mart.geo_sales (country_code);
comment on view analytics.geo_sales is 'One row per shipping country with orders not cancelled: orders, customers, net revenue, average order value and net revenue over the last 365 days against the 365 before. Cancelled orders and orders without a shipping country excluded.';
comment on column analytics.geo_sales.country_code is 'Shipping country (ISO 3166-1 alpha-2).';
comment on column analytics.geo_sales.iso_alpha3 is 'ISO 3166-1 alpha-3 code (what choropleth maps use).';
comment on column analytics.geo_sales.country_name is 'Common English name of the country.';
comment on column analytics.geo_sales.region is 'Continent (UN M49 region).';
comment on column analytics.geo_sales.subregion is 'UN M49 sub-region.';
comment on column analytics.geo_sales.orders is 'Orders not cancelled shipped to the country.';
comment on column analytics.geo_sales.customers is 'Distinct customers with such an order.';
comment on column analytics.geo_sales.net_revenue is 'Net revenue of those orders, all time: gross - line and order discounts - refunds (shipping not included).';
comment on column analytics.geo_sales.average_order_value is 'net_revenue / orders.';
comment on column analytics.geo_sales.net_revenue_last_365 is 'Net revenue over the 365 local days ending the day before as of (the day after the latest order not cancelled, in any country).';
comment on column analytics.geo_sales.net_revenue_previous_365 is 'Net revenue over the 365 days before those.';
comment on column analytics.geo_sales.net_revenue_yoy_growth is 'net_revenue_last_365 / net_revenue_previous_365 - 1: 0.1 = +10%; null without a base.';
