-- Export contributions with re-releases folded: an answer counts once per dataset and role,
-- however many releases shipped it (with its largest token count and its release span).
with contributions as (
    select * from {{ ref('stg_export_contributions') }}
)

select
    dataset,
    institution_id,
    student_pseudonym,
    submission_id,
    role,
    min(night) as night,
    max(tokens) as tokens,
    count(distinct release_id) as releases,
    min(release_id) as first_release_id,
    max(release_id) as last_release_id
from contributions
group by dataset, institution_id, student_pseudonym, submission_id, role
