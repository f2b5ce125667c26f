-- One row per scrubbed submission: pseudonymised ids, scrubbed text, language, every filter
-- attribute, kept / drop_reason, grades and the reward model's score.
select *
from {{ ref('int_documents') }}
