"""A Python client for microwork's API (typed from its OpenAPI document) and the `microwork`
command line for a requester's common jobs."""

from microwork_client._http import ApiError, RetryPolicy, TransportError
from microwork_client.client import Client

__all__ = ["ApiError", "Client", "RetryPolicy", "TransportError"]
__version__ = "0.1.0"
