-- One row per top-level category: its bit in the category masks of analytics.orders_daily.
with

categories as (
    select
        category_id,
        name
    from core.categories
    where parent_category_id is null
),

final as (
    select
        category_id,
        name as category_name,
        (row_number() over (order by category_id) - 1)::integer as category_bit
    from categories
)

select * from final
;
create unique index on mart.category_bits (category_id);
comment on view analytics.category_bits is 'One row per top-level category, with the bit that stands for it in orders_daily.category_mask.';
comment on column analytics.category_bits.category_id is 'Top-level category (core.categories with no parent).';
comment on column analytics.category_bits.category_name is 'Category name.';
comment on column analytics.category_bits.category_bit is 'Bit position (0-based) of the category in category masks: mask & (1 << bit) <> 0 means the order has a line in it.';
