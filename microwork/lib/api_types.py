"""Constrained input types the API's schemas share, so the document states the bounds the
handlers rely on and a value outside them is a 422 naming the field, never a 500 from the
database. Imports no app."""

from decimal import Decimal
from typing import Annotated

from pydantic import WithJsonSchema

# What pydantic reads as a Decimal, as the document says it: a JSON number or a decimal string
# ("0.05"). Without the pattern the document promised any string, and "" came back as 422.
DECIMAL_STRING = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$"
DecimalIn = Annotated[
    Decimal,
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL_STRING}]}),
]
