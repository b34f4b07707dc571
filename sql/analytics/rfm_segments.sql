-- One row per (R, F, M) score combination (plain view over mart.rfm_segment_map, which
-- `salesdw refresh` loads from seeds/rfm_segments.csv).
with

segment_map as (
    select
        r_score,
        f_score,
        m_score,
        segment,
        description,
        suggested_action
    from mart.rfm_segment_map
),

final as (
    select * from segment_map
)

select * from final
;
comment on view analytics.rfm_segments is 'One row per (R, F, M) score combination, 125 in all: the segment it belongs to, with a description and a suggested action. Edit seeds/rfm_segments.csv and run salesdw refresh to change it.';
comment on column analytics.rfm_segments.r_score is 'Recency score 1-5 (5 = most recent).';
comment on column analytics.rfm_segments.f_score is 'Frequency score 1-5 (5 = most orders).';
comment on column analytics.rfm_segments.m_score is 'Monetary score 1-5 (5 = highest net revenue).';
comment on column analytics.rfm_segments.segment is 'Segment name, e.g. Champions.';
comment on column analytics.rfm_segments.description is 'Who the segment''s customers are.';
comment on column analytics.rfm_segments.suggested_action is 'What marketing can do for them.';
