-- Reward-model scores; empty while the reward stage has not written any partition.
select *
from {{ lake_relation('reward_scores') }} as scores
