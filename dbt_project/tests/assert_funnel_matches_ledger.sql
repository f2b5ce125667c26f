-- The funnel starts with the partition's scrubbed answers and ends with its kept ones.
with ends as (
    select
        institution_id,
        night,
        arg_min(docs_in, position) as docs_in,
        arg_max(docs_out, position) as docs_out,
        sum(dropped) as dropped
    from {{ ref('mart_filter_funnel') }}
    group by institution_id, night
)

select ends.*, ledger.scrubbed, ledger.kept, ledger.dropped as ledger_dropped
from ends
inner join {{ ref('mart_partition_ledger') }} as ledger
    on ends.institution_id = ledger.institution_id
    and ends.night = ledger.night
where ledger.kept is not null
    and (
        ends.docs_in != ledger.scrubbed
        or ends.docs_out != ledger.kept
        or ends.dropped != ledger.dropped
    )
