"""The mails of review/ (issue 5 item 8): decision notices and the officials' daily digest.

Decision notices: the e-mail that tells an enterprise of a decision on its record
(审核通过 / 审核不通过 / 弄虚作假, by a person or 逾期视为审核通过 by the nightly job) or on its correction request
(更正已受理 with the new version and the fields changed / 更正未予受理 with the reason: J7), and the portal's "read"
mark.

The states are Amsterdam/signals' "to send / sent / failed", on the decision's row itself (the DecisionNotice fields
of RecordTransition and of CorrectionRequest; KINDS says how each is sent): `review.services.write_transition`,
`auto_approve_overdue` and `review.corrections`' decisions write them TO_SEND and, after commit, queue
`review.tasks.send_decision_mails` with the new rows' ids in batches of NOTICE_BATCH (one message per batch, never
one per row: the nightly job may approve 100,000 records). Sending claims the rows still to send with
`SELECT … FOR UPDATE SKIP LOCKED`, so two senders of the same ids at once send each mail once; a mail is sent at
least once (a worker dying between the SMTP answer and the commit sends it again on the next attempt).
The periodic `retry_failed_mails` sends again what failed (up to MAX_ATTEMPTS attempts) and what was never sent
because its message was lost (TO_SEND for more than STALE_AFTER).

Recipients: the enterprise's active clerk accounts with an e-mail address (the Enterprise has no e-mail of its
own); none: NO_ADDRESS, and the portal still shows the notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.errors import DomainError
from accounts.models import Role, User
from projects.models import RecordStatus

from .digest import REVIEWER, digest_for
from .models import CorrectionRequest, CorrectionStatus, DigestMail, NoticeMail, RecordTransition, TransitionBy
from .selectors import correction_notices_for, notices_for
from .workdays import SHANGHAI

log = logging.getLogger("review.notices")

#: How many notices one task sends (one SMTP connection, a bounded number of queries).
NOTICE_BATCH = 200
#: After this many attempts a failed mail is left FAILED for good (the portal still shows the notice).
MAX_ATTEMPTS = 5
#: A notice still TO_SEND this long after its decision lost its message (broker down at commit): the retry sends it.
STALE_AFTER = dt.timedelta(minutes=10)
#: The retry job sends at most this many mails per run (the next run takes the rest).
RETRY_LIMIT = 2000


def batches(ids: Iterable[int], size: int | None = None) -> list[list[int]]:
    ids, size = list(ids), size or NOTICE_BATCH
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def queue_decision_mails(transition_ids: Iterable[int] = (), *, correction_ids: Iterable[int] = ()) -> None:
    """Queue `review.tasks.send_decision_mails` for the rows `transition_ids` (RecordTransition) and `correction_ids`
    (CorrectionRequest), one message per NOTICE_BATCH rows.

    Called after commit (`transaction.on_commit`). A broker that cannot be reached loses nothing: the rows stay
    TO_SEND and the periodic retry sends them once STALE_AFTER has passed.
    """
    from .tasks import send_decision_mails  # tasks import the services: import them when queueing

    for batch in batches(transition_ids):
        try:
            send_decision_mails.delay(batch)
        except Exception:  # the decision is committed; the retry job sends what stays TO_SEND
            log.exception("Could not queue the decision mails of transitions %s…; the retry job sends them.", batch[:5])
    for batch in batches(correction_ids):
        try:
            send_decision_mails.delay([], correction_ids=batch)
        except Exception:
            log.exception("Could not queue the decision mails of corrections %s…; the retry job sends them.", batch[:5])


def queue_correction_mail(request_id: int) -> None:
    """After the commit of a correction's decision: queue its notice's mail (review.corrections)."""
    queue_decision_mails(correction_ids=[request_id])


# ------------------------------------------------------------------------------------------------------------------
# Sending
# ------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeKind:
    """A kind of decision notice (a model with the DecisionNotice fields and a `record`): when it was decided (the
    field the retry's STALE_AFTER reads), what the sender joins, and its mail."""

    model: type
    at: str
    related: tuple[str, ...]
    render: Callable[..., tuple[str, str]]


def _kinds() -> dict[str, NoticeKind]:
    return {
        "transition": NoticeKind(
            RecordTransition,
            "at",
            ("record__project", "record__enterprise", "record__responsible_authority"),
            render_decision_mail,
        ),
        "correction": NoticeKind(
            CorrectionRequest,
            "decided_at",
            ("record__project", "record__enterprise", "version"),
            render_correction_mail,
        ),
    }


def send_decision_mails(*, transition_ids: Iterable[int] = (), correction_ids: Iterable[int] = ()) -> int:
    """Send the notices of the transitions `transition_ids` and the correction decisions `correction_ids` that are
    still TO_SEND; return how many were sent.

    Safe twice at once and again later: the rows are claimed with FOR UPDATE SKIP LOCKED and only those still
    TO_SEND are sent; each ends SENT, NO_ADDRESS or FAILED (with the attempt counted and the error kept).
    """
    kinds = _kinds()
    sent = 0
    for key, ids in (("transition", transition_ids), ("correction", correction_ids)):
        for batch in batches(ids):
            sent += _send_batch(kinds[key], batch, Q(mail_status=NoticeMail.TO_SEND))
    return sent


def retry_failed_mails(*, now: dt.datetime | None = None, limit: int = RETRY_LIMIT) -> int:
    """The periodic job: send again the notices (of every kind) that FAILED fewer than MAX_ATTEMPTS times, and those
    left TO_SEND for more than STALE_AFTER (their message was lost); oldest first, at most `limit` in all. Returns
    how many were sent."""
    now = now or timezone.now()
    sent = 0
    for kind in _kinds().values():
        due = Q(mail_status=NoticeMail.FAILED, mail_attempts__lt=MAX_ATTEMPTS) | Q(
            mail_status=NoticeMail.TO_SEND, **{f"{kind.at}__lt": now - STALE_AFTER}
        )
        ids = list(kind.model.objects.filter(due).order_by(kind.at, "id").values_list("id", flat=True)[:limit])
        limit -= len(ids)
        for batch in batches(ids):
            sent += _send_batch(kind, batch, due)
        if limit <= 0:
            break
    return sent


def _send_batch(kind: NoticeKind, ids: list[int], claimable: Q) -> int:
    """Claim, render, send and mark one batch of one kind; a bounded number of queries whatever its size."""
    sent = 0
    with transaction.atomic():
        rows = list(
            kind.model.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(claimable, pk__in=ids)
            .select_related(*kind.related)
            .order_by("id")
        )
        if not rows:
            return 0
        addresses = _addresses({row.record.enterprise_id for row in rows})
        now = timezone.now()
        to_mail = []
        for row in rows:
            if addresses.get(row.record.enterprise_id):
                row.mail_attempts += 1
                to_mail.append(row)
            else:
                row.mail_status, row.mail_error = NoticeMail.NO_ADDRESS, ""
        if to_mail:
            sent = _send_rows(to_mail, addresses, now, kind.render)
        kind.model.objects.bulk_update(rows, ["mail_status", "mail_attempts", "mail_error", "mailed_at"])
    return sent


def _send_rows(rows: list, addresses: dict[int, list[str]], now: dt.datetime, render) -> int:
    """Send the mails of `rows` over one connection, setting each row's state; a connection that cannot be opened
    fails them all at once (not one timeout per row)."""
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception as error:  # the server is down: every row of the batch FAILED, retried later
        _failed(rows, error)
        return 0
    sent = 0
    try:
        for row in rows:
            try:
                subject, body = render(row)
                to = addresses[row.record.enterprise_id]
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection).send()
            except Exception as error:  # any failure of the backend is this row's FAILED
                _failed([row], error)
            else:
                row.mail_status, row.mail_error, row.mailed_at = NoticeMail.SENT, "", now
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # the mails are handed over; a failing QUIT changes nothing
            log.warning("Closing the mail connection failed", exc_info=True)
    return sent


def _failed(rows: list, error: Exception) -> None:
    text = f"{type(error).__name__}: {error}"[:300]
    for row in rows:
        row.mail_status, row.mail_error = NoticeMail.FAILED, text
    log.warning("Decision mails of %s %s failed: %s", rows[0]._meta.model_name, [row.pk for row in rows][:20], text)


def _addresses(enterprise_ids: set[int]) -> dict[int, list[str]]:
    """The e-mail addresses of the active clerks of each enterprise (one query)."""
    found: dict[int, list[str]] = defaultdict(list)
    clerks = (
        User.objects.filter(enterprise_id__in=enterprise_ids, role=Role.ENTERPRISE, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("enterprise_id", "email")
    )
    for enterprise_id, email in clerks:
        if email not in found[enterprise_id]:
            found[enterprise_id].append(email)
    return found


# ------------------------------------------------------------------------------------------------------------------
# The mail itself
# ------------------------------------------------------------------------------------------------------------------


def site_url(path: str) -> str:
    """An absolute link to `path` on the platform (settings.SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


def decided_by(row: RecordTransition) -> str:
    """Who decided: the authority and department of the official, or 逾期视为审核通过 with the responsible authority
    (P1: never a person's name)."""
    if row.by == TransitionBy.NIGHTLY_JOB:
        from .services import AUTO_APPROVED

        authority = row.record.responsible_authority
        return f"{AUTO_APPROVED}（{authority.name}）" if authority is not None else AUTO_APPROVED
    return "".join(part for part in (row.actor_authority, row.actor_department) if part) or row.actor_name


def render_decision_mail(row: RecordTransition) -> tuple[str, str]:
    """The subject and text of the notice of `row`, in the platform's language (Chinese)."""
    project = row.record.project
    with translation.override(settings.LANGUAGE_CODE):
        names = {"project": " ".join(project.prj_name.split())}
        if row.to_status == RecordStatus.APPROVED:
            subject = _("[Performance backfill] Your record “%(project)s” was approved") % names
        elif row.to_status == RecordStatus.REJECTED:
            subject = _("[Performance backfill] Your record “%(project)s” was rejected") % names
        else:
            subject = _("[Performance backfill] Your record “%(project)s” was rejected for fraud") % names
        if row.by == TransitionBy.NIGHTLY_JOB:
            intro = _("Your record was not decided within the review window and is deemed approved (P1).")
        else:
            intro = _("The authority has decided on your record.")
        lines = [
            _("%(enterprise)s:") % {"enterprise": row.record.enterprise.name},
            "",
            intro,
            "",
            _("Project: %(name)s") % {"name": project.prj_name},
            _("Project number: %(number)s") % {"number": project.prj_num or "—"},
            _("Decision: %(decision)s") % {"decision": RecordStatus(row.to_status).label},
            _("Decided by: %(who)s") % {"who": decided_by(row)},
            _("Decided at: %(at)s") % {"at": f"{row.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"},
        ]
        if row.to_status == RecordStatus.REJECTED and row.reason:
            lines.append(_("Reason: %(reason)s") % {"reason": row.reason})
        elif row.to_status == RecordStatus.FRAUD and row.reason:
            lines.append(_("Facts: %(facts)s") % {"facts": row.reason})
            lines.append(_("The record is locked for good and the facts are recorded in your credit file (G10)."))
        lines += [
            "",
            _("Open the record: %(url)s") % {"url": site_url(reverse("portal:record", args=[row.record_id]))},
            _("All your notices: %(url)s") % {"url": site_url(reverse("portal:notices"))},
            "",
            _("This e-mail was sent by the Performance Backfill Platform; do not reply to it."),
        ]
    return subject.replace("\n", " ").replace("\r", " "), "\n".join(str(line) for line in lines) + "\n"


def correction_changes(request: CorrectionRequest) -> list:
    """The fields an accepted correction changed, as the version records them (the province's grading of the
    changed stages included), personal data masked; the request's own list when no version is linked."""
    from projects.versions import change_rows

    changes = request.version.changes if request.version_id and request.version.changes else request.changes
    return change_rows(changes or [])


def render_correction_mail(request: CorrectionRequest) -> tuple[str, str]:
    """The subject and text of the notice of a correction's decision (J7), in the platform's language: accepted,
    the new version's number and every field changed (原值 → 新值); refused, the reason."""
    record, project = request.record, request.record.project
    with translation.override(settings.LANGUAGE_CODE):
        names = {"project": " ".join(project.prj_name.split())}
        accepted = request.status == CorrectionStatus.ACCEPTED
        if accepted:
            subject = _("[Performance backfill] Your correction of “%(project)s” was accepted") % names
            intro = _("The provincial office has accepted your correction request (J7).")
        else:
            subject = _("[Performance backfill] Your correction of “%(project)s” was refused") % names
            intro = _("The provincial office has refused your correction request (J7); the record is unchanged.")
        decided_at = request.decided_at.astimezone(SHANGHAI) if request.decided_at else None
        lines = [
            _("%(enterprise)s:") % {"enterprise": record.enterprise.name},
            "",
            intro,
            "",
            _("Project: %(name)s") % {"name": project.prj_name},
            _("Project number: %(number)s") % {"number": project.prj_num or "—"},
            _("Correction filed at: %(at)s") % {"at": f"{request.filed_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"},
            _("Decision: %(decision)s") % {"decision": CorrectionStatus(request.status).label},
            _("Decided by: %(who)s") % {"who": request.decider_department or request.decider_name or "—"},
            _("Decided at: %(at)s") % {"at": f"{decided_at:%Y-%m-%d %H:%M}" if decided_at else "—"},
        ]
        if accepted:
            number = request.version.number if request.version_id else record.edition
            lines += ["", _("The record is now published as version %(n)d. Fields changed:") % {"n": number}]
            for row in correction_changes(request):
                place = " ".join(part for part in (str(row.part), str(row.row)) if part)
                lines.append(
                    _("- %(place)s · %(field)s: %(old)s → %(new)s")
                    % {
                        "place": place,
                        "field": row.field,
                        "old": row.old or _("(empty)"),
                        "new": row.new or _("(empty)"),
                    }
                )
        elif request.decision_reason:
            lines.append(_("Reason: %(reason)s") % {"reason": request.decision_reason})
        record_url = site_url(reverse("portal:record", args=[request.record_id]))
        lines += [
            "",
            _("Open the record and its versions: %(url)s") % {"url": f"{record_url}#s-versions"},
            _("All your notices: %(url)s") % {"url": site_url(reverse("portal:notices"))},
            "",
            _("This e-mail was sent by the Performance Backfill Platform; do not reply to it."),
        ]
    return subject.replace("\n", " ").replace("\r", " "), "\n".join(str(line) for line in lines) + "\n"


# ------------------------------------------------------------------------------------------------------------------
# Read in the portal
# ------------------------------------------------------------------------------------------------------------------


def mark_notices_read(
    *,
    user,
    ids: Iterable[int] | None = None,
    correction_ids: Iterable[int] | None = None,
    record_id: int | None = None,
    all: bool = False,
) -> int:
    """Mark decision notices of `user`'s enterprise read: the transitions `ids` and the correction decisions
    `correction_ids`, those of the record `record_id` (its page was opened), or `all` of them. Notices of other
    enterprises are never touched; already read ones keep their first reading time. Returns how many were marked
    (one query per kind)."""
    if getattr(user, "role", None) != Role.ENTERPRISE or not user.enterprise_id:
        raise DomainError(_("Only the enterprise's clerks read its decision notices."), code="forbidden")
    transitions = notices_for(user).filter(read_at__isnull=True)
    requests = correction_notices_for(user).filter(read_at__isnull=True)
    if ids is not None or correction_ids is not None:
        transitions = transitions.filter(pk__in=[int(pk) for pk in ids or []])
        requests = requests.filter(pk__in=[int(pk) for pk in correction_ids or []])
    elif record_id is not None:
        transitions, requests = transitions.filter(record_id=record_id), requests.filter(record_id=record_id)
    elif not all:
        return 0
    now = timezone.now()
    marked = transitions.order_by().update(read_at=now)
    if ids is None or correction_ids is not None:  # marking transitions by id leaves the corrections alone
        marked += requests.order_by().update(read_at=now)
    return marked


# ------------------------------------------------------------------------------------------------------------------
# The daily digest of officials (review.digest is the read side)
# ------------------------------------------------------------------------------------------------------------------


def send_daily_digests(*, today: dt.date | None = None, force: bool = False) -> int:
    """Mail each active reviewer, provincial staff member and superuser with an e-mail address the digest of
    `today` (default: today in Asia/Shanghai) when it is worth a mail (review.digest.Digest.worth_mailing); return
    how many were sent.

    Once per user and day (a DigestMail row written before sending, removed again when the sending fails; its
    unique constraint makes two runs at once send one mail); `force` sends again. A failing mail is logged and does
    not stop the others.
    """
    today = today or timezone.now().astimezone(SHANGHAI).date()
    officials = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(role__in=[Role.REVIEWER, Role.PROVINCIAL], authority__isnull=False))
        .select_related("authority")
        .order_by("pk")
    )
    sent = 0
    for user in officials:
        digest = digest_for(user, today)
        if not digest.worth_mailing:
            continue
        mark, created = DigestMail.objects.get_or_create(user=user, day=today, defaults={"sent_at": timezone.now()})
        if not created and not force:
            continue  # already sent today
        subject, body = render_digest_mail(digest)
        try:
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
        except Exception:
            if created:
                mark.delete()  # not sent: the next run tries again
            log.exception("The daily digest of %s to user %s could not be sent", today, user.pk)
            continue
        sent += 1
    return sent


def _row_line(record) -> str:
    deadline = record.review_deadline.astimezone(SHANGHAI) if record.review_deadline else None
    return "- " + _("%(project)s (%(number)s), %(enterprise)s, %(authority)s, due %(deadline)s") % {
        "project": record.project.prj_name,
        "number": record.project.prj_num or "—",
        "enterprise": record.enterprise.name,
        "authority": record.responsible_authority.name if record.responsible_authority_id else "—",
        "deadline": f"{deadline:%Y-%m-%d %H:%M}" if deadline else "—",
    }


def _due_lines(title: str, due) -> list[str]:
    if due.day is None:
        return [title, due.unknown, ""]
    lines = [title]
    lines += [_row_line(record) for record in due.rows]
    if due.more:
        lines.append(_("… and %(count)s more: see the review queue.") % {"count": due.more})
    return [*lines, ""]


def render_digest_mail(digest) -> tuple[str, str]:
    """The subject and text of `digest` (review.digest.Digest), in the platform's language (Chinese)."""
    user = digest.user
    day = digest.today.isoformat()
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Performance backfill] Daily review digest of %(day)s") % {"day": day}
        lines = [
            _("%(name)s:") % {"name": user.real_name or user.get_full_name() or user.username},
            "",
            _("This is the review digest of %(day)s.") % {"day": day},
            "",
        ]
        if digest.cannot_decide:
            lines += [digest.cannot_decide, ""]
        # Staff's due sections (their direct reviews) only when something is due; a reviewer's always.
        shown = [due for due in (digest.due_today, digest.due_next) if due is not None]
        if digest.kind != REVIEWER and not any(due.count or due.day is None for due in shown):
            shown = []
        if digest.overdue is not None and digest.overdue.count:
            title = ngettext(
                "Past their deadline (已逾期), still pending: %(count)s record",
                "Past their deadline (已逾期), still pending: %(count)s records",
                digest.overdue.count,
            ) % {"count": digest.overdue.count}
            lines += _due_lines(title, digest.overdue)
        if digest.due_today in shown:
            title = ngettext(
                "Due today (%(day)s): %(count)s record",
                "Due today (%(day)s): %(count)s records",
                digest.due_today.count,
            ) % {"day": day, "count": digest.due_today.count}
            lines += _due_lines(title, digest.due_today)
        if digest.due_next in shown:
            if digest.due_next.day is None:
                title = _("Due on the next working day:")
            else:
                title = ngettext(
                    "Due on the next working day (%(day)s): %(count)s record",
                    "Due on the next working day (%(day)s): %(count)s records",
                    digest.due_next.count,
                ) % {"day": digest.due_next.day.isoformat(), "count": digest.due_next.count}
            lines += _due_lines(title, digest.due_next)
        if digest.since is not None:
            since = f"{digest.since.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
            if digest.overruns:
                lines.append(
                    ngettext(
                        "Approved by the nightly job since %(since)s (逾期视为审核通过): %(count)s record. "
                        "Responsible authorities that let records run over their review window:",
                        "Approved by the nightly job since %(since)s (逾期视为审核通过): %(count)s records. "
                        "Responsible authorities that let records run over their review window:",
                        digest.overrun_count,
                    )
                    % {"since": since, "count": digest.overrun_count}
                )
                lines += [f"- {o.name}: {o.count}" for o in digest.overruns]
            elif digest.overdue_now:
                lines.append(_("No record was approved by the nightly job since %(since)s.") % {"since": since})
            else:
                lines.append(
                    _("No record was approved by the nightly job since %(since)s: every bureau decided in time.")
                    % {"since": since}
                )
            if digest.overdue_now:
                lines.append(
                    ngettext(
                        "Pending past their deadline right now: %(count)s record, by responsible authority:",
                        "Pending past their deadline right now: %(count)s records, by responsible authority:",
                        digest.overdue_now_count,
                    )
                    % {"count": digest.overdue_now_count}
                )
                lines += [f"- {o.name}: {o.count}" for o in digest.overdue_now]
            lines.append("")
        if digest.calendar_warning:
            lines += [_("Calendar warning: %(warning)s") % {"warning": digest.calendar_warning}, ""]
        for section in digest.sections:
            lines += [section.title, *(f"- {line}" for line in section.lines)]
            if section.link_url:
                lines.append(f"{section.link_text}: {site_url(section.link_url)}")
            lines.append("")
        lines += [
            _("The review queue: %(url)s") % {"url": site_url(reverse("admin:review_reviewqueueitem_changelist"))},
            _("This digest in the admin: %(url)s") % {"url": site_url(reverse("admin:review_digest"))},
            "",
            _("This e-mail was sent by the Performance Backfill Platform; do not reply to it."),
        ]
    return subject, "\n".join(str(line) for line in lines) + "\n"
