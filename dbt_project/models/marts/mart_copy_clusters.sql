-- Clusters of near-identical answers between students of one assignment (possible copying): one
-- row per cluster, institution and assignment, with every member any partition reported (members
-- of the institution only; copies in other institutions are a count).
with reports as (
    select * from {{ ref('stg_copy_clusters') }}
),

merged as (
    select
        cluster_id,
        institution_id,
        assignment_id,
        list_sort(list_distinct(flatten(list(members)))) as members,
        list_sort(list_distinct(flatten(list(students)))) as students,
        max(other_institution_members) as other_institution_members,
        min(night) as first_reported_night,
        max(night) as last_reported_night,
        count(*) as reports
    from reports
    group by cluster_id, institution_id, assignment_id
)

select
    cluster_id,
    institution_id,
    assignment_id,
    len(members) as member_count,
    len(students) as student_count,
    members,
    students,
    other_institution_members,
    first_reported_night,
    last_reported_night,
    reports
from merged
