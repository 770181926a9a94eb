"""Signed, encrypted monthly bundles between communes and their receiving office (Qt-free).

See docs/bundle-format.md for the file format and the cryptography.
"""

from .errors import BundleError

__all__ = ["BundleError"]
