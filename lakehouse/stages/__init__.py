"""The pipeline's stages: one module per stage, one entry point of one form.

Every stage is `lakehouse/stages/<stage>.py` with

    def <stage>_partition(*, home: LakehouseHome, ref: PartitionRef, ..., <adapter>=<in-process default>)
        -> <Stage>Result  (or a tuple of the result and the frame its gate checks)

- keyword-only arguments; `home` and `ref` first, then what the stage needs (a key, a setting);
- the stage reads its inputs from the lake itself (`lakehouse.lake.read_partition`), computes, and
  publishes its tables and its `partition_counts` row in one `partition_transaction` (all or
  nothing), so a re-run replaces the partition and a crash leaves the old one;
- anything that runs elsewhere (Ray, a GPU model) is an adapter argument whose default runs in
  process; the asset injects the `ray_jobs/` version (e.g. `silver_partition(scrubber=...)`), so
  this package never imports Dagster or Ray;
- it returns a frozen result dataclass of counts for the asset's metadata, never logs text or ids.

Assets in `assets/` are then thin: read the settings, call `<stage>_partition`, return metadata
and the gate. Table names come from `lakehouse.tables`, paths from `lakehouse.home`.

Stages: `bronze` (landing -> raw_submissions + quarantine), `consent` (-> consented_submissions),
`silver` (-> scrubbed_submissions), `curated` (-> curated_documents, filter_funnel, copy_clusters),
`reward` (-> reward_scores), `ledger` (partition_counts -> partition_ledger).
"""
