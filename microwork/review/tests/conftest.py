"""The money tests' organisations and Walt's reviewed answers, for the review tests that pay
and bonus. Their settings
(`_money_settings`) are imported only by the modules written against them."""

from microwork.payments.tests.conftest import acme, rich_acme, walt_worked  # noqa: F401 - fixtures
