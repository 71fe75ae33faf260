"""Writes of the worker loop, by sub-domain: claiming (leases), submitting (answers and
drafts), giving back (skip, return, expiry), sharing (waiting lines and rounds of scarce
work), housekeeping (the periodic job).

Lock order, everywhere: the worker's profile row, then the assignment row, then the task row.
Claims take task rows with SKIP LOCKED (PostgreSQL), so a claim never waits on another claim.

Releases of new work, their opening rounds and "tell me when there is new work" live in
releases.py.
"""
