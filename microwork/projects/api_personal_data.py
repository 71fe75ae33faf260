"""The personal data declaration's part of the project API: the same four fields on create,
update and detail (projects/personal_data.py checks them)."""

from ninja import Field, Schema

from microwork.projects.personal_data import MAX_RETENTION_DAYS, Category

CATEGORIES_HELP = (
    "What the project collects about the workers themselves, any of: "
    + ", ".join(Category.values)
    + ". Empty: nothing personal. A kind that collects personal data by nature (see "
    "`personal_data` at GET /api/interfaces) goes live only when these are declared, and "
    "workers agree to the declaration before their first task."
)
PURPOSE_HELP = "Why the data is collected, in plain words workers read before agreeing."
RETENTION_HELP = (
    f"Days the data is kept after the worker's last task in the project (1–{MAX_RETENTION_DAYS}); "
    "then it is deleted."
)
RECIPIENTS_HELP = "Who receives the data (your organisation, a named client, …)."


class PersonalDataIn(Schema):
    personal_data: list[str] = Field(default_factory=list, description=CATEGORIES_HELP)
    personal_data_purpose: str = Field("", description=PURPOSE_HELP)
    personal_data_retention_days: int | None = Field(None, description=RETENTION_HELP)
    personal_data_recipients: str = Field("", description=RECIPIENTS_HELP)


class PersonalDataPatch(Schema):
    personal_data: list[str] | None = Field(
        None,
        description="See personal_data on POST /api/projects. Changing any part of the "
        "declaration of a live project asks every worker to agree again.",
    )
    personal_data_purpose: str | None = None
    personal_data_retention_days: int | None = None
    personal_data_recipients: str | None = None


class PersonalDataOut(Schema):
    personal_data: list[str] = Field(description=CATEGORIES_HELP)
    personal_data_purpose: str
    personal_data_retention_days: int | None
    personal_data_recipients: str
