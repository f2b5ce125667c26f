-- The lake's own ledger rows (for cross-checking the warehouse's ledger).
select *
from {{ lake_relation('partition_ledger') }} as ledger
