"""Writes of live tasks, by sub-domain: setup (the project's statement and standby rate,
workers' opt-in), standby (availability and its pay), dispatch (posting, offering, accepting,
handing over, closing) and answers (the submit's hook).

Lock order: the live task row, then the offer rows, then work's own order (worker profile,
assignment, task)."""
