"""The command line's own error type."""

from __future__ import annotations


class UsageError(ValueError):
    """A command-line option, path or value that is not allowed; the message is one line naming
    the option and the allowed values.  ``draftsim`` prints it and exits with code 2."""
