-- Yi's filter chain as a funnel, per institution, night and step.
with funnel as (
    select * from {{ ref('stg_filter_funnel') }}
)

select
    institution_id,
    night,
    position,
    step,
    docs_in,
    dropped,
    failed,
    docs_out,
    tokens_out,
    case when docs_in > 0 then dropped / docs_in end as drop_rate,
    case when docs_in > 0 then failed / docs_in end as fail_rate,
    case
        when first_value(docs_in) over partition_steps > 0
            then docs_out / first_value(docs_in) over partition_steps
    end as surviving_fraction
from funnel
window partition_steps as (partition by institution_id, night order by position)
