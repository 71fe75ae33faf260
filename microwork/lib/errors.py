"""One error type for every rule a service enforces; views and the API map it to responses."""

from typing import Any


class ApplicationError(Exception):
    """A request that breaks a rule. `code` is stable (clients switch on it); `message` is
    translated for people; `field` names the input at fault when there is one."""

    status = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.field = field
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details is not None:
            body["details"] = self.details
        return body


class NotFound(ApplicationError):
    status = 404
    default_code = "not_found"


class Forbidden(ApplicationError):
    status = 403
    default_code = "forbidden"


class Conflict(ApplicationError):
    status = 409
    default_code = "conflict"


class TooLarge(ApplicationError):
    status = 413
    default_code = "too_large"


class TooMany(ApplicationError):
    status = 429
    default_code = "throttled"
