"""What review/ tells the layers above it, inside the transaction of the decision (sync/ fills its outbox there).

- `records_approved(ids, at)`: records approved, by a person or by the nightly job (one signal for a whole run).
- `record_marked_fraud(record, at)`: a record found fraudulent (G10).
- `record_revised(ids, at)`: published records changed as a new version (a correction accepted, a completion
  merged: J7, P4); they are pushed again under the same national numbers.
"""

from django.dispatch import Signal

records_approved = Signal()
record_marked_fraud = Signal()
record_revised = Signal()
