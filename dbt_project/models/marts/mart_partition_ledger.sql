-- What happened to every landed record, per institution and night, and whether it adds up:
--   landed = accepted + quarantined + erased
--   accepted = excluded + consented, consented = scrubbed
--   scrubbed = kept + sum(dropped per step)
-- A stage that has not run leaves its metrics null and its identity unchecked (as in
-- lakehouse/ledger.py), so a partition stopped by a quality gate still reconciles.
with counts as (
    select * from {{ ref('int_partition_counts') }}
)

select
    institution_id,
    night,
    landed,
    accepted,
    quarantined,
    coalesce(erased, 0) as erased,
    excluded,
    consented,
    scrubbed,
    kept,
    dropped,
    {%- for step in var('filter_steps') %}
    case when kept is not null then coalesce(dropped_{{ step }}, 0) end as dropped_{{ step }},
    {%- endfor %}
    case when kept is not null then coalesce(dropped_other, 0) end as dropped_other,
    quarantined_by_reason,
    excluded_by_reason,
    dropped_by_reason,
    kept is not null as stages_complete,
    coalesce(
        landed = accepted + quarantined + coalesce(erased, 0)
        and (consented is null or accepted = excluded + consented)
        and (scrubbed is null or scrubbed = consented)
        and (kept is null or scrubbed = kept + dropped)
        and (kept is null or dropped = coalesce(dropped_by_steps_total, 0)),
        false
    ) as reconciles
from counts
