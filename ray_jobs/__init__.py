"""Ray entrypoints: steps that must scale past one machine (run locally with no cluster too)."""
