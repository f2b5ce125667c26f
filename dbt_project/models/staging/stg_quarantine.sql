-- Quarantined records without their content: `raw_record` is never read (see the source).
select
    institution_id,
    night,
    source_file,
    source_line,
    file_sha256,
    reason,
    split_part(reason, ':', 1) as reason_kind,
    nullif(split_part(reason, ':', 2), '') as reason_field,
    detail
from {{ lake_relation('quarantine') }} as quarantine
