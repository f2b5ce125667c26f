-- Answers that reached an export release; empty while no export has run.
select *
from {{ lake_relation('export_contributions') }} as contributions
