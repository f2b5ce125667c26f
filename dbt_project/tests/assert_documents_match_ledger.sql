-- fct_documents holds exactly the scrubbed answers the ledger counts, and the chain's verdicts add
-- up to its kept count, for every partition whose stages have run.
with documents as (
    select
        institution_id,
        night,
        count(*) as documents,
        count(*) filter (where kept) as kept,
        count(*) filter (where is_curated) as curated
    from {{ ref('fct_documents') }}
    group by institution_id, night
)

select
    ledger.institution_id,
    ledger.night,
    ledger.scrubbed,
    documents.documents,
    ledger.kept,
    documents.kept as documents_kept
from {{ ref('mart_partition_ledger') }} as ledger
full outer join documents
    on ledger.institution_id = documents.institution_id
    and ledger.night = documents.night
where coalesce(ledger.scrubbed, 0) != coalesce(documents.documents, 0)
    or (ledger.kept is not null and ledger.kept != coalesce(documents.kept, 0))
    or (ledger.kept is not null and ledger.scrubbed != documents.curated)
