-- One row per ISO 3166-1 country (plain view): codes, names and regions for maps and filters.
with

countries as (
    select
        country_code,
        iso_alpha3,
        name,
        region,
        subregion,
        currency_code
    from core.countries
),

final as (
    select * from countries
)

select * from final
;
comment on view analytics.countries is 'One row per ISO 3166-1 country or territory: codes (alpha-2 and alpha-3, for maps), name, UN region and sub-region, currency.';
comment on column analytics.countries.country_code is 'ISO 3166-1 alpha-2 code: what every analytics view''s country_code holds.';
comment on column analytics.countries.iso_alpha3 is 'ISO 3166-1 alpha-3 code (what choropleth maps use).';
comment on column analytics.countries.name is 'Common English name.';
comment on column analytics.countries.region is 'Continent (UN M49 region).';
comment on column analytics.countries.subregion is 'UN M49 sub-region.';
comment on column analytics.countries.currency_code is 'ISO 4217 currency code.';
