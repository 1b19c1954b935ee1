"""One exception hierarchy; `exit_code_for` maps it to the process exit code in one place.

Exit codes are part of the public interface:
0 success; 1 a check or an operation failed; 2 bad input or usage (nothing was changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_BAD_INPUT: Final = 2


@dataclass(frozen=True)
class SourceLocation:
    """Where in a user's file a problem is, for annotations (`::error file=,line=`)."""

    file: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based


class HubimageError(Exception):
    """Base of every error hubimage reports on purpose.

    `hint` says what the user should change; `location` points into a user's file.
    Messages must never contain secrets: build them from names, not values.
    """

    exit_code: int = EXIT_FAILED

    def __init__(
        self, message: str, *, hint: str | None = None, location: SourceLocation | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


# --- bad input: exit 2, and nothing was changed -------------------------------------------


class BadInputError(HubimageError):
    """The user's input is wrong; nothing was built, pushed or written."""

    exit_code = EXIT_BAD_INPUT


class UsageError(BadInputError):
    """Wrong command-line usage or action input (names the flag or input)."""


class ImageReferenceError(BadInputError):
    """An image reference or tag that is not valid."""


class ConfigError(BadInputError):
    """A hub config that cannot be read or does not contain what was asked for."""


class UnsafeEditError(ConfigError):
    """A config edit that, re-read, changes more (or other) than planned; nothing is written."""


class BuildInputError(BadInputError):
    """A build context that no builder can build (empty, ambiguous, syntax error)."""


class ImageNotFoundError(BadInputError):
    """An image that exists neither locally nor in its registry."""


class RegistryCredentialsError(BadInputError):
    """Registry credentials that are missing, malformed or of the wrong kind for the registry."""


# --- operation failures: exit 1 -------------------------------------------------------------


class OperationError(HubimageError):
    """An operation was attempted and failed (build, push, GitHub call)."""


class EngineError(OperationError):
    """The container engine failed or cannot be reached."""


class BuildError(OperationError):
    """The image build failed; `log_tail` holds the last lines of the failing step."""

    def __init__(self, message: str, *, log_tail: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.log_tail = log_tail


class RegistryError(OperationError):
    """A registry refused or failed an operation."""


class RegistryAuthError(RegistryError):
    """The registry rejected the credentials (or has none for us)."""


class TransientRegistryError(RegistryError):
    """A registry failure worth retrying: 5xx, a timeout, a dropped connection."""


class PrivateRepositoryError(RegistryError):
    """Anonymous pulls of the pushed image are refused, so hubs could not pull it."""


class GitHubError(OperationError):
    """The GitHub API failed or refused a request."""


class ConflictError(GitHubError):
    """The file changed under us more often than we retry."""


class InventoryFormatError(OperationError):
    """A package-inventory label that cannot be read (damaged, or of another format)."""


class ChecksFailedError(HubimageError):
    """One or more image checks failed; the image must not be pushed."""


def exit_code_for(error: BaseException) -> int:
    """The one place that maps exceptions to exit codes."""
    if isinstance(error, HubimageError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return 130
    return EXIT_FAILED
