-- One row per quarantined record or unreadable file, with its reason; never its content.
select
    institution_id,
    night,
    source_file,
    source_line,
    file_sha256,
    reason,
    reason_kind,
    reason_field,
    detail
from {{ ref('stg_quarantine') }}
