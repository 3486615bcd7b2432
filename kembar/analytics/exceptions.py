"""Exception types raised by :mod:`kembar.analytics`."""

__all__ = [
    "AnalyticsError",
    "InconsistentMargins",
    "InvalidInput",
    "InvalidTable",
    "UnknownNode",
]


class AnalyticsError(Exception):
    """Base class for every error the analytics library raises."""


class InvalidInput(AnalyticsError, ValueError):
    """An argument is outside the domain of the function; the message says which."""


class InvalidTable(InvalidInput):
    """An input-output table fails a check; the message names the row or column."""


class InconsistentMargins(InvalidInput):
    """Tables given for disclosure control do not add up to their totals; the message says where."""


class UnknownNode(InvalidInput, LookupError):
    """A node (a city) is not in the graph; ``suggestions`` lists the closest names."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []
