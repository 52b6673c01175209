"""The review back-office (STYLE.md: the admin is split by concern).

- calendar: the working-day calendar staff enter (overrides and calendar years) and the transition log;
- queue: the review queue (审核队列) of the records waiting for a decision, with approve, reject and the Excel export.
"""

from . import calendar, queue

__all__ = ["calendar", "queue"]
