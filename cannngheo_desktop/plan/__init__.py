"""The yearly plan: pure rules (allocation, objectives catalogue, progress status, milestones) and
the records of its tables (plans.py, appendix.py, tracker_queries.py, support.py)."""

from .allocation import allocate, rate_percent

__all__ = ["allocate", "rate_percent"]
