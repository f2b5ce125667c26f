-- The reward model against human grades, per institution, course and reward-model version:
-- error, correlation (Pearson, Spearman) and the agreement within 0.1 and 0.2 of the grade.
with scored as (
    select
        institution_id,
        course_id,
        rm_model_version,
        grade_normalized,
        rm_score,
        rank() over (
            partition by institution_id, course_id, rm_model_version order by grade_normalized
        ) as grade_rank,
        rank() over (
            partition by institution_id, course_id, rm_model_version order by rm_score
        ) as score_rank
    from {{ ref('fct_documents') }}
    where grade_normalized is not null and rm_score is not null
)

select
    institution_id,
    course_id,
    rm_model_version,
    count(*) as answers,
    avg(grade_normalized) as mean_grade_normalized,
    avg(rm_score) as mean_rm_score,
    avg(rm_score - grade_normalized) as mean_error,
    avg(abs(rm_score - grade_normalized)) as mean_absolute_error,
    sqrt(avg(power(rm_score - grade_normalized, 2))) as rmse,
    corr(rm_score, grade_normalized) as pearson,
    corr(score_rank, grade_rank) as spearman,
    avg((abs(rm_score - grade_normalized) <= 0.1)::int) as within_0_1,
    avg((abs(rm_score - grade_normalized) <= 0.2)::int) as within_0_2
from scored
group by all
