"""Dagster wiring: partitions, resources, jobs, schedules, sensors and the operator CLI."""
