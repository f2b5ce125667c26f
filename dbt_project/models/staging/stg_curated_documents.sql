-- The filter chain's attributes of every scrubbed answer, keyed like the silver table.
select *
from {{ lake_relation('curated_documents') }} as curated
