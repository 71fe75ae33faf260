"""The migration that makes usernames unique ignoring case copes with accounts made before it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0003_username_constraints_and_throttling")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_case_duplicates_and_lookalikes_survive_the_migration():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    first = User.objects.create(username="walt", email="walt@example.org", password="!")
    # Made when names were unique only as typed: the same name in capitals, and a look-alike.
    twin = User.objects.create(username="Walt", email="walt2@example.org", password="!")
    lookalike = User.objects.create(username="wa1t", email="walt3@example.org", password="!")
    other = User.objects.create(username="rita", email="rita@example.org", password="!")
    try:
        new = migrate(AFTER)
        User = new.get_model("accounts", "User")
        rows = {u.pk: u for u in User.objects.all()}
        # The oldest keeps its name; the newer twin gets a free one and can still log in by
        # e-mail; the look-alike keeps its name but no skeleton of its own.
        assert rows[first.pk].username == "walt"
        assert rows[twin.pk].username == f"Walt-{twin.pk}"
        assert rows[lookalike.pk].username == "wa1t"
        assert rows[first.pk].username_skeleton and rows[other.pk].username_skeleton
        assert rows[lookalike.pk].username_skeleton == ""
        assert rows[twin.pk].username_folded == f"walt-{twin.pk}"
    finally:
        # Back to the latest state of every app, for the tests after this one: going back to
        # accounts 0001 also undid every later migration that depends on accounts.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
