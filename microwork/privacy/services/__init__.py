"""Writes of the privacy app, by sub-domain: consent (given, withdrawn), deletion (erasing
through the erasers and recording it), retention (the periodic job), account (deleting a
worker's account)."""
