-- One row per category: its top-level category, depth and full path, so views and BI tools
-- roll categories up without walking the tree themselves.
with recursive

categories as (
    select
        category_id,
        parent_category_id,
        name
    from core.categories
),

walked as (
    -- from each top-level category down: every category with its root and path
    select
        category_id,
        parent_category_id,
        name,
        category_id as top_category_id,
        name as top_category_name,
        0 as depth,
        name::text as path
    from categories
    where parent_category_id is null
    union all
    select
        categories.category_id,
        categories.parent_category_id,
        categories.name,
        walked.top_category_id,
        walked.top_category_name,
        walked.depth + 1 as depth,
        walked.path || ' > ' || categories.name as path
    from walked
    inner join categories on categories.parent_category_id = walked.category_id
),

final as (
    select
        category_id,
        name as category_name,
        parent_category_id,
        top_category_id,
        top_category_name,
        depth,
        path
    from walked
)

select * from final
;
create unique index on mart.category_tree (category_id);
comment on view analytics.category_tree is 'One row per category: its top-level category (the root of its tree), depth and full path.';
comment on column analytics.category_tree.category_id is 'Category (core.categories).';
comment on column analytics.category_tree.category_name is 'Category name.';
comment on column analytics.category_tree.parent_category_id is 'The category above; null for top-level categories.';
comment on column analytics.category_tree.top_category_id is 'The top-level category at the root of its tree (itself when top-level).';
comment on column analytics.category_tree.top_category_name is 'Name of the top-level category.';
comment on column analytics.category_tree.depth is '0 for top-level categories, 1 for their subcategories, and so on.';
comment on column analytics.category_tree.path is 'Names from the top-level category down, e.g. Electronics > Phones.';
