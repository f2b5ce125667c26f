-- Scrubbed answers as the silver layer holds them (pseudonymised ids, scrubbed text).
select *
from {{ lake_relation('scrubbed_submissions') }} as scrubbed
