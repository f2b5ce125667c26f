{% test unique_combination_of_columns(model, combination_of_columns) -%}
  {#- Fails on every combination of the given columns that occurs more than once. -#}
  select {{ combination_of_columns | join(', ') }}, count(*) as occurrences
  from {{ model }}
  group by {{ combination_of_columns | join(', ') }}
  having count(*) > 1
{%- endtest %}


{% test expression_is_true(model, expression) -%}
  {#- Fails on every row where `expression` is not true (null counts as a failure). -#}
  select *
  from {{ model }}
  where not coalesce({{ expression }}, false)
{%- endtest %}


{% test between(model, column_name, min_value, max_value) -%}
  {#- Fails on every non-null value outside [min_value, max_value]. -#}
  select {{ column_name }}
  from {{ model }}
  where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{%- endtest %}
