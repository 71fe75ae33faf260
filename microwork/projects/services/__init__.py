"""Writes for projects, batches and tasks, by sub-domain. Views and API handlers call these and
nothing else."""
