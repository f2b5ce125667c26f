-- Stage counts pivoted to one row per partition. A metric whose stage has not run is null (not 0),
-- exactly as lakehouse/ledger.py build_ledger treats it.
{%- set metrics = ['landed', 'accepted', 'quarantined', 'erased', 'excluded', 'consented',
                   'scrubbed', 'kept', 'dropped'] %}
with counts as (
    select institution_id, night, metric, reason, sum("count") as "count"
    from {{ ref('stg_partition_counts') }}
    group by institution_id, night, metric, reason
)

select
    institution_id,
    night,
    {%- for metric in metrics %}
    sum("count") filter (where metric = '{{ metric }}' and reason is null)::bigint as {{ metric }},
    {%- endfor %}
    {%- for step in var('filter_steps') %}
    sum("count") filter (
        where metric = 'dropped' and reason = '{{ step }}'
    )::bigint as dropped_{{ step }},
    {%- endfor %}
    sum("count") filter (
        where metric = 'dropped' and reason is not null
        and reason not in ({% for step in var('filter_steps') %}'{{ step }}'{{ ", " if not loop.last }}{% endfor %})
    )::bigint as dropped_other,
    sum("count") filter (where metric = 'dropped' and reason is not null)::bigint
        as dropped_by_steps_total,
    {%- for metric in ['quarantined', 'excluded', 'dropped'] %}
    coalesce(
        to_json(map_from_entries(
            list((reason, "count") order by reason) filter (
                where metric = '{{ metric }}' and reason is not null
            )
        ))::varchar,
        '{}'
    ) as {{ metric }}_by_reason{{ "," if not loop.last }}
    {%- endfor %}
from counts
group by institution_id, night
