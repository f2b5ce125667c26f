-- Languages detected per institution and night: answers, how many were kept, and how often the
-- detected language matches the one the LMS declared.
with documents as (
    select * from {{ ref('fct_documents') }}
),

per_language as (
    select
        institution_id,
        night,
        coalesce(language_detected, 'und') as language_detected,
        count(*) as answers,
        count(*) filter (where kept) as kept,
        count(*) filter (where language is not null) as declared,
        count(*) filter (where language = language_detected) as declared_matches,
        avg(language_score) as mean_language_score
    from documents
    group by all
)

select
    *,
    answers / sum(answers) over (partition by institution_id, night) as share_of_answers,
    case when kept > 0 then kept / sum(kept) over (partition by institution_id, night) end
        as share_of_kept
from per_language
