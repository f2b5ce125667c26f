"""Great Expectations quality gates between the lakehouse layers.

Importing this package sets `GX_ANALYTICS_ENABLED=false` before anything imports GX, so no gate
ever sends usage statistics. GX itself (several seconds to import) is imported lazily, by the suite
builders and the runner, never by the GX-free modules (thresholds, overrides, results, Dagster
helpers) that a code location loads.

Typical use inside an asset::

    suite = bronze_suite(thresholds=load_thresholds(home=home, institution_id=ref.institution_id))
    result = validate(frame=rows, suite=suite, metrics={"quarantine_rate": rate})
    result = apply_override(result=result, home=home, ref=ref)
    write_gate_results(home=home, ref=ref, result=result)
    yield gate_check_result(result=result)
"""

import os

os.environ["GX_ANALYTICS_ENABLED"] = "false"
