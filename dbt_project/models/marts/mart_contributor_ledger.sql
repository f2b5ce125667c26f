-- Per pseudonymous student, institution and export: the answers and tokens that reached it, so an
-- institution can compensate its students (only the institution, holding the pseudonym key, can
-- tell who a pseudonym is).
with contributions as (
    select * from {{ ref('int_export_contributions') }}
)

select
    institution_id,
    student_pseudonym,
    dataset,
    count(distinct submission_id) as answers,
    count(*) as contributions,
    sum(tokens)::bigint as tokens,
    max(releases) as releases,
    min(night) as first_night,
    max(night) as last_night,
    min(first_release_id) as first_release_id,
    max(last_release_id) as last_release_id
from contributions
group by institution_id, student_pseudonym, dataset
