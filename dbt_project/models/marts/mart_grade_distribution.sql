-- Human grades per institution and course, in tenths of the maximum grade.
with documents as (
    select * from {{ ref('fct_documents') }}
),

bucketed as (
    select
        institution_id,
        course_id,
        case
            when grade_normalized is null then 'ungraded'
            else printf(
                '%.1f-%.1f',
                least(floor(grade_normalized * 10 + 1e-9), 9) / 10,
                (least(floor(grade_normalized * 10 + 1e-9), 9) + 1) / 10
            )
        end as grade_bucket,
        grade_normalized,
        kept
    from documents
)

select
    institution_id,
    course_id,
    grade_bucket,
    count(*) as answers,
    count(*) filter (where kept) as kept,
    avg(grade_normalized) as mean_grade_normalized,
    count(*) / sum(count(*)) over (partition by institution_id, course_id) as share_of_course
from bucketed
group by institution_id, course_id, grade_bucket
