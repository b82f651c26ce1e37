"""Why the server's jobs refuse a request: raised by the manager, mapped to HTTP once."""


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
    """One spec of several (an experiment's) is bad: `index` says which, the message why."""

    def __init__(self, index: int, error: ValueError) -> None:
        super().__init__(str(error))
        self.index = index
