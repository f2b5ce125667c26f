-- Copy clusters between students, per partition.
select *
from {{ lake_relation('copy_clusters') }} as clusters
