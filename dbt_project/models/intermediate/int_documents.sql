-- One row per scrubbed answer: silver text and ids, the filter chain's attributes and verdict,
-- and the reward model's score (each null while its stage has not run for the partition).
with scrubbed as (
    select * from {{ ref('stg_scrubbed_submissions') }}
),

curated as (
    select * from {{ ref('stg_curated_documents') }}
),

rewards as (
    select * from {{ ref('stg_reward_scores') }}
)

select
    scrubbed.institution_id || '/' || strftime(scrubbed.night, '%Y-%m-%d') || '/'
        || scrubbed.submission_id as document_id,
    scrubbed.submission_id,
    scrubbed.institution_id,
    scrubbed.night,
    scrubbed.course_id,
    scrubbed.assignment_id,
    scrubbed.question_id,
    scrubbed.student_pseudonym,
    scrubbed.grader_pseudonym,
    scrubbed.question_text,
    scrubbed.answer_text,
    scrubbed.reference_answer,
    scrubbed.feedback,
    scrubbed.submitted_at,
    scrubbed.language,
    scrubbed.grade,
    scrubbed.max_grade,
    case
        when scrubbed.grade is not null and scrubbed.max_grade > 0
            then scrubbed.grade / scrubbed.max_grade
    end as grade_normalized,
    scrubbed.grade is not null as is_graded,
    curated.submission_id is not null as is_curated,
    curated.* exclude (submission_id, institution_id, night),
    rewards.rm_score,
    rewards.rm_model_version
from scrubbed
left join curated
    on scrubbed.institution_id = curated.institution_id
    and scrubbed.night = curated.night
    and scrubbed.submission_id = curated.submission_id
left join rewards
    on scrubbed.institution_id = rewards.institution_id
    and scrubbed.night = rewards.night
    and scrubbed.submission_id = rewards.submission_id
