-- The warehouse's ledger, recomputed from every stage's counts, agrees with the ledger rows the
-- lake's partition_ledger asset wrote. A warning, not an error: the lake's row of a partition can
-- lag behind its counts until partition_ledger is re-materialised (e.g. after a blocked gate).
{{ config(severity='warn') }}

{%- set metrics = ['landed', 'accepted', 'quarantined', 'erased', 'excluded', 'consented',
                   'scrubbed', 'kept', 'dropped'] %}
select
    lake.institution_id,
    lake.night
from {{ ref('stg_partition_ledger') }} as lake
left join {{ ref('mart_partition_ledger') }} as warehouse
    on lake.institution_id = warehouse.institution_id
    and lake.night = warehouse.night
where warehouse.institution_id is null
    {%- for metric in metrics %}
    or coalesce(lake.{{ metric }}, -1) != coalesce(warehouse.{{ metric }}, -1)
    {%- endfor %}
    or lake.reconciles != warehouse.reconciles
