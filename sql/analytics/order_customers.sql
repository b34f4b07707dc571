-- One row per order, every status: its local day, customer, status, shipping country, sales
-- channel and category mask; the slim table distinct customers are counted from under any
-- filter (distinct counts do not add up over days, so no daily total can answer them). Stored
-- in order of day, so a block-range (BRIN) index finds a period's pages: as fast to read as a
-- B-tree of the same columns, and at 10M orders 40 kB built in a second, not 650 MB in seven.
-- Indexed by country or channel then day too: a filter on a few countries reads their orders
-- alone, not every order of the period.
with

order_facts as (
    select
        order_id,
        order_date,
        customer_id,
        status,
        country_code,
        channel,
        category_mask,
        is_first_order
    from mart.order_facts
),

final as (
    select
        order_id,
        order_date,
        customer_id,
        status,
        country_code,
        channel,
        category_mask,
        is_first_order
    from order_facts
    -- stored in the order of the index the services read by, so the rows of a period lie
    -- together on a few pages rather than each on its own
    order by order_date, order_id
)

select * from final
;
create unique index on mart.order_customers (order_id);
create index on mart.order_customers using brin (order_date);
create index on mart.order_customers (country_code, order_date) include (customer_id, status, channel, category_mask, is_first_order);
create index on mart.order_customers (channel, order_date) include (customer_id, status, country_code, category_mask, is_first_order);
comment on view analytics.order_customers is 'One row per order, every status: local day, customer, status, shipping country, sales channel and category mask, for counting distinct customers under any filter. No names or e-mails.';
comment on column analytics.order_customers.order_id is 'Order (core.orders).';
comment on column analytics.order_customers.order_date is 'Local calendar day of the order (SALESDW_TIMEZONE).';
comment on column analytics.order_customers.customer_id is 'Customer who placed it (analytics.customer_summary).';
comment on column analytics.order_customers.status is 'Order status.';
comment on column analytics.order_customers.country_code is 'Shipping country (ISO 3166-1 alpha-2); null when unknown.';
comment on column analytics.order_customers.channel is 'Sales channel.';
comment on column analytics.order_customers.category_mask is 'Top-level categories the order has lines in, one bit each (analytics.category_bits).';
comment on column analytics.order_customers.is_first_order is 'True for the customer''s first order not cancelled: the customer is new with it.';
