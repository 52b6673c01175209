"""The bureau's back-office for projects and records (STYLE.md: the admin is split by concern).

- campaigns: campaigns, their opening dates, tracks and contact persons;
- records: projects with their units, records with every stage inline and their history;
- stages: each part of a record on its own page (stages, staff, units, persons, attachments);
- registry: the J3 registry of declared projects (import from Excel/CSV) and the number counters.
"""

from . import campaigns, records, registry, stages, versions

__all__ = ["campaigns", "records", "registry", "stages", "versions"]
