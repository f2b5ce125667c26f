-- Every stage's counts per partition, long form.
select *
from {{ lake_relation('partition_counts') }} as counts
