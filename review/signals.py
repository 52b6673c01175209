"""What review/ tells the layers above it, inside the transaction of the decision (sync/ fills its outbox there).

- `records_approved(ids, at)`: records approved, by a person or by the nightly job (one signal for a whole run).
- `record_marked_fraud(record, at)`: a record found fraudulent (G10).
"""

from django.dispatch import Signal

records_approved = Signal()
record_marked_fraud = Signal()
