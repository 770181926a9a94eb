"""Plan logic without Qt or SQL: target allocation, rates, objectives, progress, milestones."""

from .allocation import allocate, rate_percent

__all__ = ["allocate", "rate_percent"]
