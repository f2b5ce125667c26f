{% macro lake_root() -%}
  {#- The lake folder: the `lake_root` var (lakehouse/warehouse.py passes it), else
      $LAKEHOUSE_LAKE_ROOT, else $LAKEHOUSE_HOME/lake, else ../lakehouse_home/lake. -#}
  {%- set root = var('lake_root', env_var('LAKEHOUSE_LAKE_ROOT', '')) -%}
  {%- if not root -%}
    {%- set root = env_var('LAKEHOUSE_HOME', '../lakehouse_home') ~ '/lake' -%}
  {%- endif -%}
  {{- return(root.rstrip('/')) -}}
{%- endmacro %}


{% macro sql_string(value) -%}
  {{- return("'" ~ (value | string).replace("'", "''") ~ "'") -}}
{%- endmacro %}


{% macro lake_present_columns(glob) -%}
  {#- Column names of the Parquet files matching `glob` (hive keys included), or none when no file
      matches yet (a table another stage has not written). -#}
  {%- set found = run_query('select count(*) from glob(' ~ sql_string(glob) ~ ')') -%}
  {%- if found.columns[0].values()[0] == 0 -%}
    {{- return(none) -}}
  {%- endif -%}
  {%- set described = run_query(
      'describe select * from read_parquet(' ~ sql_string(glob)
      ~ ', hive_partitioning = true, union_by_name = true)') -%}
  {{- return(described.columns[0].values() | list) -}}
{%- endmacro %}


{% macro lake_relation(table_name) -%}
  {#- One lake table as a subquery with exactly the columns its source declares, cast to the
      declared types. Columns the files lack (older partitions) come back as typed nulls, columns the
      source does not declare (e.g. quarantine.raw_record, personal data) are never read, and a
      table with no file yet yields zero rows of the right types instead of failing. -#}
  {%- set relation = source('lake', table_name) -%}
  {%- if not execute -%}
    {{- return('(select 1 as _parsing)') -}}
  {%- endif -%}
  {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', 'lake')
                 | selectattr('name', 'equalto', table_name) | first -%}
  {%- set meta = node.config.get('meta') or node.meta -%}
  {%- set glob = lake_root() ~ '/' ~ meta['lake_glob'] -%}
  {%- set present = lake_present_columns(glob) -%}
  (
    select
    {%- for column in node.columns.values() %}
      {% if present is not none and column.name in present -%}
        cast({{ adapter.quote(column.name) }} as {{ column.data_type }})
      {%- else -%}
        cast(null as {{ column.data_type }})
      {%- endif %} as {{ adapter.quote(column.name) }}{{ "," if not loop.last }}
    {%- endfor %}
    {% if present is none -%}
    from (select 1) as no_files_yet where false
    {%- else -%}
    from read_parquet({{ sql_string(glob) }}, hive_partitioning = true, union_by_name = true)
    {%- endif %}
  )
{%- endmacro %}
