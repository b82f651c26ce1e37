"""Why the server's jobs refuse a request: raised by the manager, mapped to HTTP once."""

import dataclasses

from app.jobs.spec import JobSpec


class JobNotFoundError(KeyError):
    """No job has this id."""


class JobFinishedError(Exception):
    """The job has ended; it takes no more commands."""


class TooManyJobsError(Exception):
    """Every slot is taken; `retry_after` seconds is a fair time to wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SpecError(ValueError):
    """A job spec the engine refuses, the message says why: `field` is the spec's field it
    concerns (None: the spec as a whole), `index` which of several specs (an experiment's)
    it is, or None for a spec alone.

    The field is the one the engine's error names (app.nn.errors.FieldError), never read
    from the message, and only when it is a field of the spec.
    """

    def __init__(self, error: ValueError, index: int | None = None) -> None:
        super().__init__(str(error))
        field = getattr(error, "field", None)
        self.field: str | None = field if field in SPEC_FIELDS else None
        self.index = index


SPEC_FIELDS = frozenset(field.name for field in dataclasses.fields(JobSpec))
