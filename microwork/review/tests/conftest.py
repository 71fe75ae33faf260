"""The money tests' organisations, for the review tests that pay and bonus. Their settings
(`_money_settings`) are imported only by the modules written against them."""

from microwork.payments.tests.conftest import acme, rich_acme  # noqa: F401 - fixtures
