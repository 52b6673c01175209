"""The JSON of the API: the record in the shape `projects.services.record_save` takes, nothing invented here.

Every section's fields come from `projects.services.editable_fields(model)`, the list the portal's forms and the
save service use, so the API and the portal cannot drift: a field added to a stage model appears here, in the
OpenAPI schema and in the portal at once.

Two families of serializers:
* read (`…SectionSerializer`, `…RowSerializer`, `RecordDetailSerializer`): stored values, typed (dates ISO, amounts
  as decimal strings, codes of the national standard as enums), plus the read-only numbers and grades;
* write (`…WriteSerializer`): values *as typed* (修改保存 keeps what cannot be stored yet in `draft_inputs` and the
  submit check reports it), so a value is never refused for its type here; an unknown field name is refused, so a
  typo never loses what was typed. What GET returns can be sent back as it is: its read-only keys are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Authority
from grading.checks import entry_problems, not_saved_message, place_of
from projects.models import Attachment, AttachmentKind, Campaign, Project, Record, RecordStatus
from projects.selectors import PROJECT_IDENTITY_FIELDS, SHARED_PARTS, SharedAccess, shared_access
from projects.services import ONE_TO_ONE_STAGES, ROW_SETS, editable_fields
from review.reasons import DirectReviewReason
from review.selectors import QUEUE_LOCAL, QUEUE_PROVINCIAL, waiting_for

#: The one-to-one sections of the data shape, in the notice's order (project first).
SECTIONS: dict[str, type[models.Model]] = {"project": Project, **ONE_TO_ONE_STAGES}
#: The row sets of the data shape.
ROWS: dict[str, type[models.Model]] = dict(ROW_SETS)
#: Read-only fields of every business-stage table (set by review and grading, never by the clerk).
STAGE_READ_ONLY = ("national_num", "data_source", "data_level", "check_depart_name", "check_person_name")

_COMPONENT = {
    "project": "ProjectSection",
    "tender": "TenderSection",
    "contract": "ContractSection",
    "censor": "CensorSection",
    "licence": "LicenceSection",
    "finish_check": "FinishCheckSection",
    "finish_record": "FinishRecordSection",
    "units": "UnitRow",
    "corps": "CorpRow",
    "persons": "PersonRow",
    "censor_staff": "CensorStaffRow",
}


def _read_only_extra(key: str, model: type[models.Model]) -> list[str]:
    names = {f.name for f in model._meta.concrete_fields}
    extra = ["id"] if key in ROWS else []
    if key == "project":
        extra.append("prj_num")
    extra += [name for name in STAGE_READ_ONLY if name in names]
    return extra


# --------------------------------------------------------------------------------------------------------------
# Read
# --------------------------------------------------------------------------------------------------------------


def _read_serializer(key: str, model: type[models.Model]) -> type[serializers.ModelSerializer]:
    fields = [*_read_only_extra(key, model), *(f.name for f in editable_fields(model))]
    # Not marked read-only field by field (the whole serializer is, where it is nested): DRF drops allow_blank and
    # allow_null of read-only model fields, and the schema would then deny the "" and null that GET returns.
    meta = type("Meta", (), {"model": model, "fields": fields})
    name = f"{_COMPONENT[key]}Serializer"
    return type(name, (serializers.ModelSerializer,), {"Meta": meta, "__module__": __name__, "__doc__": model.__doc__})


READ_SERIALIZERS = {key: _read_serializer(key, model) for key, model in {**SECTIONS, **ROWS}.items()}


class AuthoritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Authority
        fields = ["id", "name", "level"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.SerializerMethodField(help_text=_("Where the file is downloaded (GET)."))

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "kind_display",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        return reverse("api:record-attachment", kwargs={"pk": attachment.record_id, "att_id": attachment.pk})


class CampaignSerializer(serializers.ModelSerializer):
    province_name = serializers.CharField(source="province.name", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "province",
            "province_name",
            "notice_number",
            "notice_title",
            "notice_date",
            "scope_completed_before",
            "close_date",
        ]
        read_only_fields = fields


class RecordListSerializer(serializers.ModelSerializer):
    """A row of 我的业绩: reads only what `portal.selectors.record_list` loads (one query per page)."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    prj_name = serializers.CharField(source="project.prj_name", read_only=True)
    prj_num = serializers.CharField(source="project.prj_num", read_only=True)
    grade = serializers.CharField(source="project.data_level", read_only=True)
    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    responsible_authority_name = serializers.CharField(
        source="responsible_authority.name", read_only=True, allow_null=True, default=None
    )
    completed_on = serializers.DateField(source="finish_check.e_date", read_only=True, allow_null=True, default=None)
    rejection_reason = serializers.CharField(read_only=True, allow_null=True, default=None)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Record
        fields = [
            "id",
            "url",
            "status",
            "status_display",
            "version",
            "prj_name",
            "prj_num",
            "grade",
            "campaign",
            "campaign_name",
            "responsible_authority_name",
            "submitted_at",
            "review_deadline",
            "completed_on",
            "rejection_reason",
            "updated_at",
        ]
        read_only_fields = fields

    def get_url(self, record: Record) -> str:
        return reverse("api:record-detail", kwargs={"pk": record.pk})


class ProblemSerializer(serializers.Serializer):
    section = serializers.CharField()
    path = serializers.CharField(help_text=_('The field, as in the record\'s JSON ("corps[1].corp_code").'))
    message = serializers.CharField()
    rule = serializers.CharField(help_text=_('The rule: "M", "code", "check-digit", "date-order", "G1"…, "J3".'))
    rule_id = serializers.CharField(
        help_text=_('The rule as DOMAIN.md numbers it: "J8.M", "J8.check-digit" … (the national standard), "G1", "J3".')
    )


class WaitingSerializer(serializers.Serializer):
    """What a submitted or direct-review record waits for (review.selectors.Waiting)."""

    queue = serializers.ChoiceField(
        choices=[
            (QUEUE_LOCAL, _("the responsible authority (G5)")),
            (QUEUE_PROVINCIAL, _("the provincial office (G6)")),
        ],
        help_text=_("“local”: the authority of the project's region reviews it; “provincial”: direct review (G6)."),
    )
    authority_name = serializers.CharField(help_text=_("The authority that decides."))
    text = serializers.CharField(source="sentence", help_text=_("What the record waits for, in words."))
    deadline = serializers.DateTimeField(source="left.deadline", allow_null=True, default=None)
    working_days_left = serializers.IntegerField(
        source="left.days",
        allow_null=True,
        default=None,
        help_text=_("Working days after today up to the deadline (0: due today); null when past it or unknown."),
    )
    overdue = serializers.BooleanField(source="left.overdue", default=False)
    reason_code = serializers.ChoiceField(
        choices=[("", "—"), *DirectReviewReason.choices],
        help_text=_("Direct review only: the reason the enterprise picked."),
    )
    reason = serializers.CharField(help_text=_("Direct review only: the reason as logged, label and own words."))
    words = serializers.CharField(help_text=_("Direct review only: the enterprise's own words."))
    requested_at = serializers.DateTimeField(allow_null=True, help_text=_("Direct review only: when it was asked."))

    def to_representation(self, waiting) -> dict:
        data = super().to_representation(waiting)
        if waiting.left is not None and waiting.left.overdue:
            data["working_days_left"] = None
        return data


class NotSavedSerializer(serializers.Serializer):
    """A value sent that its field could not hold, kept as typed, with what the field expects."""

    path = serializers.CharField(help_text=_('The field, as in the record\'s JSON ("tender.tender_money").'))
    value = serializers.JSONField(help_text=_("The value as it was sent."))
    message = serializers.CharField(help_text=_("In words: the field, the value and the format the field expects."))


class RecordDetailSerializer(serializers.ModelSerializer):
    """The whole record: its state, and every section in the shape PUT/PATCH take."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    prj_num = serializers.CharField(source="project.prj_num", read_only=True)
    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    responsible_authority = AuthoritySerializer(read_only=True, allow_null=True)
    rejection_reason = serializers.SerializerMethodField(
        help_text=_("The reason of the latest rejection, while the record is rejected.")
    )
    waiting = serializers.SerializerMethodField(
        help_text=_(
            "While the record is submitted or in direct review: the queue (local or provincial), the authority, the "
            "deadline and working days left and, for a direct review (G6), the reason. Null otherwise."
        )
    )
    draft_inputs = serializers.DictField(
        child=serializers.JSONField(),
        read_only=True,
        help_text=_('What was sent but could not be stored in its field yet, by path ("tender.tender_money").'),
    )
    not_saved = serializers.SerializerMethodField(
        help_text=_(
            "The values of `draft_inputs`, each with a message naming its field and the format the field expects "
            "(\"总投资须为数字，单位万元，例如 6800\"). They are not saved until sent again in a form the field takes."
        )
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    project = READ_SERIALIZERS["project"](read_only=True)
    tender = READ_SERIALIZERS["tender"](read_only=True, allow_null=True)
    contract = READ_SERIALIZERS["contract"](read_only=True, allow_null=True)
    censor = READ_SERIALIZERS["censor"](read_only=True, allow_null=True)
    licence = READ_SERIALIZERS["licence"](read_only=True, allow_null=True)
    finish_check = READ_SERIALIZERS["finish_check"](read_only=True, allow_null=True)
    finish_record = READ_SERIALIZERS["finish_record"](read_only=True, allow_null=True)
    units = READ_SERIALIZERS["units"](source="project.units", many=True, read_only=True)
    corps = READ_SERIALIZERS["corps"](many=True, read_only=True)
    persons = READ_SERIALIZERS["persons"](many=True, read_only=True)
    censor_staff = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField(
        help_text=_(
            "Values saved that submit will refuse whatever else is filled in (a negative or zero amount, a negative "
            "area): told at every save, as the portal does. Empty once the record is submitted."
        )
    )
    project_editable = serializers.SerializerMethodField(
        help_text=_(
            "Whether this record may change the project's basic information and unit projects (shared by every "
            "enterprise that declares the project: entered by the first one, fixed once any record is submitted)."
        )
    )

    class Meta:
        model = Record
        fields = [
            "id",
            "status",
            "status_display",
            "version",
            "prj_num",
            "campaign",
            "campaign_name",
            "responsible_authority",
            "submitted_at",
            "review_deadline",
            "decided_at",
            "rejection_reason",
            "waiting",
            "created_at",
            "updated_at",
            "draft_inputs",
            "not_saved",
            "warnings",
            "attachments",
            "project_editable",
            *SECTIONS,
            *ROWS,
        ]
        read_only_fields = fields

    def _shared(self, record: Record) -> SharedAccess:
        shared = self.context.get("shared")
        return shared if shared is not None else shared_access(record)

    @extend_schema_field(serializers.BooleanField())
    def get_project_editable(self, record: Record) -> bool:
        return record.is_editable_by_enterprise and self._shared(record).editable

    def to_representation(self, record: Record) -> dict:
        data = super().to_representation(record)
        if not self._shared(record).visible:
            # Another firm's entries (ADR 0008): the project's identity only, every other field empty.
            blank = Project(
                **{
                    f"{name}_id" if name == "county" else name: getattr(
                        record.project, f"{name}_id" if name == "county" else name
                    )
                    for name in PROJECT_IDENTITY_FIELDS
                }
            )
            data["project"] = READ_SERIALIZERS["project"](blank, context=self.context).data
            data["units"] = []
        return data

    @extend_schema_field(ProblemSerializer(many=True))
    def get_warnings(self, record: Record) -> list[dict]:
        if not record.is_editable_by_enterprise:
            return []
        problems = entry_problems(record)
        if not self._shared(record).visible:  # nothing of another firm's entries (ADR 0008)
            problems = [p for p in problems if p.section not in SHARED_PARTS]
        return ProblemSerializer(problems, many=True).data

    @extend_schema_field(WaitingSerializer(allow_null=True))
    def get_waiting(self, record: Record) -> dict | None:
        waiting = waiting_for(record)
        return WaitingSerializer(waiting).data if waiting is not None else None

    @extend_schema_field(NotSavedSerializer(many=True))
    def get_not_saved(self, record: Record) -> list[dict]:
        kept = record.draft_inputs or {}
        return [
            {"path": path, "value": value, "message": not_saved_message(place_of(path), path, value)}
            for path, value in kept.items()
        ]

    def get_rejection_reason(self, record: Record) -> str | None:
        if record.status not in (RecordStatus.REJECTED, RecordStatus.FRAUD):  # G10: the facts of the fraud
            return None
        return self.context.get("rejection_reason") or None

    @extend_schema_field(READ_SERIALIZERS["censor_staff"](many=True))
    def get_censor_staff(self, record: Record) -> list[dict]:
        try:
            censor = record.censor
        except ObjectDoesNotExist:
            return []
        return READ_SERIALIZERS["censor_staff"](censor.staff.all(), many=True, context=self.context).data


# --------------------------------------------------------------------------------------------------------------
# Write: values as typed
# --------------------------------------------------------------------------------------------------------------


class AsTypedField(serializers.Field):
    """A value as the clerk typed it: text, number, true/false or null (clears the field). Never refused for its
    content; the save service keeps what cannot be stored yet and the submit check reports it."""

    default_error_messages = {"invalid": _("Send a text, a number, true or false, or null.")}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str | int | float | bool):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "string"})
class TextInput(AsTypedField):
    pass


@extend_schema_field({"type": "string", "format": "date", "description": "YYYY-MM-DD"})
class DateInput(AsTypedField):
    pass


@extend_schema_field({"oneOf": [{"type": "string", "format": "decimal"}, {"type": "number"}]})
class DecimalInput(AsTypedField):
    pass


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class IntegerInput(AsTypedField):
    pass


@extend_schema_field({"oneOf": [{"type": "boolean"}, {"type": "string"}]})
class BooleanInput(AsTypedField):
    pass


def _input_field(field: models.Field) -> AsTypedField:
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        cls = TextInput if isinstance(target, models.CharField) else IntegerInput
    elif isinstance(field, models.BooleanField):
        cls = BooleanInput
    elif isinstance(field, models.DateField):
        cls = DateInput
    elif isinstance(field, models.DecimalField):
        cls = DecimalInput
    elif isinstance(field, models.IntegerField):
        cls = IntegerInput
    else:
        cls = TextInput
    help_text = field.verbose_name
    if field.help_text:
        help_text = format_lazy("{}. {}", help_text, field.help_text)
    if field.choices:
        help_text = format_lazy("{} ({})", help_text, _("a code of the national data standard"))
    return cls(help_text=help_text)


def _asked(name: str, what) -> dict:
    """A field of a request that was not sent, null or blank, said naming it and what it is."""
    message = format_lazy(_("Send “{name}”: {what}."), name=name, what=what)
    return {"required": message, "null": message, "blank": message}


class SectionWriteSerializer(serializers.Serializer):
    """A section of the data shape; a field name it does not know is refused (a typo must not lose a value)."""

    ignored: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields) - self.ignored)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("There is no such field in this section.")] for name in unknown}
                )
        return super().to_internal_value(data)


def _write_serializer(key: str, model: type[models.Model]) -> type[SectionWriteSerializer]:
    attrs: dict = {"__module__": __name__, "__doc__": model.__doc__}
    for field in editable_fields(model):
        attrs[field.name] = _input_field(field)
    if key in ROWS:
        attrs["id"] = IntegerInput(help_text=_("The id of an existing row to update; none to add a row."))
    if model is ROWS["corps"]:
        attrs["unit"] = TextInput(
            help_text=_('The unit project: its id, or "#<index>" of a new row of "units" in the same request.')
        )
    attrs["ignored"] = frozenset(_read_only_extra(key, model)) - set(attrs)
    return type(f"{_COMPONENT[key]}WriteSerializer", (SectionWriteSerializer,), attrs)


WRITE_SERIALIZERS = {key: _write_serializer(key, model) for key, model in {**SECTIONS, **ROWS}.items()}


class RecordWriteSerializer(SectionWriteSerializer):
    """修改保存: any subset of the sections, with the version read last. Absent sections stay as they are; a list
    replaces the rows (a row with "id" updates it, one without adds one, a missing one is removed)."""

    version = serializers.IntegerField(
        min_value=1,
        help_text=_("The version the client read; a save over a newer version is refused (409)."),
        error_messages=_asked("version", _("the version of the record you read (GET returns it)")),
    )
    ignored = frozenset(RecordDetailSerializer.Meta.fields) - {"version", *SECTIONS, *ROWS}

    # PATCH is PUT here: every field is optional by nature and "version" is always required; a serializer that is
    # never partial keeps DRF and the OpenAPI schema (no "PatchedRecordWrite" without "version") saying so.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass

    def get_fields(self):
        fields = super().get_fields()
        for key in SECTIONS:
            fields[key] = WRITE_SERIALIZERS[key](required=False, allow_null=True)
        for key in ROWS:
            fields[key] = WRITE_SERIALIZERS[key](many=True, required=False)
        return fields

    def service_data(self) -> dict:
        """The validated body as `record_save(data=…)` takes it (plain dicts and lists, sections sent only)."""
        validated = self.validated_data
        data: dict = {}
        for key in SECTIONS:
            if validated.get(key) is not None:
                data[key] = dict(validated[key])
        for key in ROWS:
            if key in validated:
                data[key] = [dict(row) for row in validated[key]]
        return data


class RecordCreateSerializer(serializers.Serializer):
    """新增报建: the campaign, the project's name and county; its 项目编号 or 施工许可证编号 to join a known project."""

    campaign = serializers.IntegerField(
        help_text=_("The id of an open campaign (GET /api/v1/campaigns/)."),
        error_messages=_asked("campaign", _("the id of an open campaign (GET /api/v1/campaigns/)")),
    )
    prj_name = serializers.CharField(
        max_length=250, help_text=_("project name"), error_messages=_asked("prj_name", _("the project name"))
    )
    county = serializers.CharField(
        max_length=6,
        help_text=_("The GB/T 2260 code of the county-level region where the project is located."),
        error_messages=_asked("county", _("the 6-digit code of the county where the project is located")),
    )
    prj_num = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The 16-digit project number when the project already has one."),
    )
    licence_cert_no = serializers.CharField(
        max_length=18,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The 18-digit construction permit number when known."),
    )


class DirectReviewRequestSerializer(serializers.Serializer):
    """申请直接审核 (G6): why the record needs the provincial office's direct review."""

    reason_code = serializers.ChoiceField(
        choices=DirectReviewReason.choices,
        help_text=_("“owner_deregistered”: the owner (建设单位) has been deregistered; “other”: say why in `reason`."),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=_("The enterprise's own words; required with “other”."),
    )


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=AttachmentKind.choices, error_messages=_asked("kind", _("the kind of attachment"))
    )
    file = serializers.FileField(
        error_messages=_asked("file", _("the file, PDF, JPG or PNG")),
        allow_empty_file=True,  # the service refuses an empty file with its own message
        help_text=_("PDF, JPG or PNG (checked by content), at most ATTACHMENT_MAX_BYTES."),
    )


class ErrorSerializer(serializers.Serializer):
    """Every refusal of the API has this shape."""

    code = serializers.CharField(help_text=_('What refused: "invalid", "locked", "stale", "refused", "not_found"…'))
    detail = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = serializers.DictField(required=False, help_text=_("Per field, what was refused in the request."))
    problems = ProblemSerializer(many=True, required=False)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(error_messages=_asked("username", _("the account of your enterprise")))
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, error_messages=_asked("password", _("the password"))
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_('Send it as the header "Authorization: Token <token>".'))
