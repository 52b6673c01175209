"""The review back-office (STYLE.md: the admin is split by concern).

- calendar: the working-day calendar staff enter (overrides and calendar years) and the transition log;
- credit: the credit file (诚信档案, G10), read-only, and the page that rejects a record for fraud (弄虚作假);
- queue: the review queue (审核队列) of the records waiting for a decision, with approve, reject and the Excel export.
"""

from . import calendar, credit, queue
from . import corrections as corrections  # 更正申请: the provincial office's queue of corrections (J7, issue 12)
from . import digest as digest  # the daily digest page, /admin/review/digest/ (issue 5 item 8)
from . import oversight as oversight  # 补录工作进度, /admin/review/progress/ (issue 11 item 5)
from . import pii as pii  # personal data: the 显示 endpoint and the log of reveals (issue 11 item 3)
from . import printing as printing  # 打印: a record as a PDF, /admin/review/records/<id>/print/ (issue 12)
from . import workbench as workbench  # the index as the reviewer's 审核工作台 (issue 11 item 2)

__all__ = ["calendar", "credit", "queue"]
