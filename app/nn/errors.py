"""Why the engine refuses a value: a ValueError that names the argument it is about.

A caller that shows the refusal (a form, a 422) reads the field from the error, never
from the message's wording, so a message can be reworded without moving its error.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager


class FieldError(ValueError):
    """A value refused: `field` is the argument (or config field) it concerns, the message
    says what is accepted."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@contextmanager
def renamed(names: Mapping[str, str]) -> Iterator[None]:
    """Inside, a FieldError about an argument the caller calls otherwise (`names`: the
    callee's name -> the caller's) is raised again under the caller's name."""
    try:
        yield
    except FieldError as error:
        if error.field not in names:
            raise
        raise FieldError(names[error.field], str(error)) from None
