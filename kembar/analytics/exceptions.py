"""Exception types raised by :mod:`kembar.analytics`."""

__all__ = ["AnalyticsError", "InvalidInput"]


class AnalyticsError(Exception):
    """Base class for every error the analytics library raises."""


class InvalidInput(AnalyticsError, ValueError):
    """An argument is outside the domain of the function; the message says which."""
