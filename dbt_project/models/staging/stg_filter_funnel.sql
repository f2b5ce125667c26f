-- Per partition and filter step: documents in, dropped, failed, out, tokens out.
select *
from {{ lake_relation('filter_funnel') }} as funnel
