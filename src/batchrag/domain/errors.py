"""The one error type every stage raises for users: a one-line message the CLI and the app show as it is."""

from __future__ import annotations


class BatchragError(Exception):
    """A user-facing failure: its message is one line that says what went wrong and what to do."""

    def __str__(self) -> str:
        # A message is shown on one line (CLI: `error: …`, app: a banner); extra lines are detail for logs.
        text = super().__str__()
        return text.splitlines()[0] if text else type(self).__name__


class UnknownComponent(BatchragError, ValueError):
    """A registry was asked for a name it does not know; the message lists the names it does."""
