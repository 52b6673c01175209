"""The domain exception every service raises: a message for the user (translated) and, when known, the field."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule said no. `message` is user-facing (gettext'd); `code` names the rule for tests and logs."""

    def __init__(self, message, *, code: str = "", field: str = "", messages: list | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
        self.messages = messages or [message]

    def __str__(self) -> str:
        return str(self.message)
