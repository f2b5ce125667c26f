{% macro lake_root() -%}
  {#- The lake folder: the `lake_root` var (lakehouse/warehouse.py passes it), else
      $LAKEHOUSE_LAKE_ROOT, else $LAKEHOUSE_HOME/lake, else ../lakehouse_home/lake. -#}
  {%- set root = var('lake_root', env_var('LAKEHOUSE_LAKE_ROOT', '')) -%}
  {%- if not root -%}
    {%- set root = env_var('LAKEHOUSE_HOME', '../lakehouse_home') ~ '/lake' -%}
  {%- endif -%}
  {{- return(root.rstrip('/')) -}}
{%- endmacro %}


{% macro assert_lake_root() -%}
  {#- A mistyped lake_root must not give an empty warehouse whose tests all pass: the lake has to
      hold at least one file, unless the caller says an empty lake is expected (the builder does
      when the home's lake/ folder exists but no stage has written yet). -#}
  {%- if not execute or var('allow_empty_lake', false) -%}
    {{- return('') -}}
  {%- endif -%}
  {%- set root = lake_root() -%}
  {%- set found = run_query('select count(*) from glob(' ~ sql_string(root ~ '/**') ~ ')') -%}
  {%- if found.columns[0].values()[0] == 0 -%}
    {{- exceptions.raise_compiler_error(
        "lake_root " ~ root ~ " holds no lake file: it does not exist, or nothing has run into "
        ~ "it yet. Point it at the lake/ folder of a lakehouse home that has run (--vars "
        ~ "'{lake_root: /path/to/home/lake}', $LAKEHOUSE_LAKE_ROOT or $LAKEHOUSE_HOME); for a lake "
        ~ "that is empty on purpose add allow_empty_lake: true to --vars") -}}
  {%- endif -%}
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
  {%- do assert_lake_root() -%}
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
