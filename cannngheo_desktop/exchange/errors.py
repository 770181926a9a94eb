"""The one error type of the bundle layer: every refusal names the file and the reason."""

from __future__ import annotations

from ..core.errors import AppError


class BundleError(AppError):
    """A bundle or key file was refused; nothing in the database changed.

    ``exit_code`` is what the command line returns (4: refused).
    """

    exit_code = 4

    def __init__(self, message: str, *, detail: str = "", file: str = "") -> None:
        super().__init__(message, detail=detail)
        self.file = file


def refuse(path: object, reason: str, *, detail: str = "") -> BundleError:
    """A BundleError whose message names the file (just its name) and the reason."""
    name = getattr(path, "name", None) or str(path)
    return BundleError(f"Tệp '{name}' bị từ chối: {reason}", detail=detail, file=str(path))
