"""The one exception type for mistakes in what a user asked for.

The command line prints a :class:`UserError` as one line naming the offending value (exit
status 2); every other exception is a bug and keeps its traceback.
"""


class UserError(Exception):
    """A bad command line, configuration or problem specification (not a bug in gsbench)."""


class UsageError(UserError):
    """A bad command line (unknown flag, malformed value)."""


class ConfigError(UserError, ValueError):
    """An invalid study configuration; the message names the key and the value."""


class ProblemError(UserError, ValueError):
    """An impossible or ill-specified problem; the message names the offending value.

    ``key`` is the argument of :func:`gsbench.problems.make_problem` at fault (the CLI maps it
    to its flag, the study configuration to its key), or None.
    """

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key
