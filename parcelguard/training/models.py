"""Training and exams for key positions (关键岗位培训考核): positions with their required courses and renewal
period, courses with material, training sessions with attendance, the question bank, exam papers drawn per
candidate, and the certificates (上岗证) a passed exam earns."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Position(models.Model):
    """A key position (关键岗位) as data: its required courses, how long a certificate stays valid, the
    exam's mix of questions, time limit and pass mark."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)
    staff_position = models.CharField(_("staff position in the registry"), max_length=20, blank=True)
    renewal_months = models.PositiveIntegerField(_("renewal period (months)"))
    pass_mark = models.PositiveIntegerField(_("pass mark (%)"))
    exam_minutes = models.PositiveIntegerField(_("time limit (minutes)"))
    mix = models.JSONField(default=dict)  # {"single": 5, "multiple": 2, "truefalse": 3, "image": 2}
    courses = models.ManyToManyField("Course", blank=True, related_name="positions", verbose_name=_("required courses"))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=120)
    hours = models.PositiveIntegerField(_("hours"), default=1)
    material = models.JSONField(default=list)  # [{"title": "…", "file": "law-basics.pdf"}] in training/material/

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    """One session of a course (培训班次), held by an enterprise for its staff or by the bureau."""

    scope_path = "jurisdiction_path"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course"))
    enterprise = models.ForeignKey("registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("held by enterprise"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120)
    trainer = models.CharField(_("trainer"), max_length=40)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"))
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[TrainingSession], user: object) -> models.QuerySet[TrainingSession]:
        from parcelguard.accounts.roles import Role

        if getattr(user, "role", None) == Role.ENTERPRISE:
            enterprise_id = getattr(user, "enterprise_id", None)
            if not enterprise_id:
                return qs.none()
            # its own sessions and the bureau's sessions its staff attended
            return qs.filter(models.Q(enterprise_id=enterprise_id)
                             | models.Q(attendance__staff__site__enterprise_id=enterprise_id)).distinct()
        jurisdiction = getattr(user, "jurisdiction", None)
        if jurisdiction is None:
            return qs.none()
        return qs.filter(jurisdiction_path__startswith=jurisdiction.path)


class Attendance(models.Model):
    scope_path = "staff__site__jurisdiction_path"
    scope_enterprise = "staff__site__enterprise_id"

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="attendance")
    staff = models.ForeignKey("registry.Staff", on_delete=models.PROTECT, related_name="training_attendance")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "staff"], name="training_attend_once")]


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUEFALSE = "truefalse", _("True or false")
    IMAGE = "image", _("Image question")


POINTS = {QuestionKind.SINGLE: 2, QuestionKind.MULTIPLE: 3, QuestionKind.TRUEFALSE: 1, QuestionKind.IMAGE: 3}


class Question(models.Model):
    """One question of the bank. `answer` is the key: the option indexes that are right (never shown to a
    candidate). `positions` empty = asked for every position."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    options = models.JSONField(default=list)
    answer = models.JSONField(default=list)
    image = models.CharField(_("image"), max_length=60, blank=True)
    positions = models.JSONField(default=list)
    points = models.PositiveIntegerField(_("points"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class AttemptState(models.TextChoices):
    ISSUED = "issued", _("Not started")
    STARTED = "started", _("In progress")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Time over, not submitted")


class Attempt(models.Model):
    """One exam paper for one candidate (a staff member) and position. The paper (question ids in order) is
    drawn from `seed` at issue; the candidate opens it with the secret `token` (the link or QR code the
    trainer hands over), the time runs from the start."""

    scope_path = "staff__site__jurisdiction_path"
    scope_enterprise = "staff__site__enterprise_id"

    staff = models.ForeignKey("registry.Staff", on_delete=models.PROTECT, related_name="exam_attempts",
                              verbose_name=_("candidate"))
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+", verbose_name=_("position"))
    token = models.CharField(max_length=64, unique=True)
    seed = models.CharField(_("seed"), max_length=64)
    questions = models.JSONField(default=list)  # question ids, in paper order
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    answers = models.JSONField(default=dict)  # {question id: [option indexes]}
    score = models.PositiveIntegerField(_("score"), null=True, blank=True)
    total = models.PositiveIntegerField(_("total"), default=0)
    state = models.CharField(_("status"), max_length=10, choices=AttemptState.choices, default=AttemptState.ISSUED)

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.position_id}"

    @property
    def percent(self) -> int | None:
        return None if self.score is None or not self.total else round(100 * self.score / self.total)


class Certificate(models.Model):
    """上岗合格证: earned by a passed exam after the required courses; valid for the position's renewal
    period. Verified by anyone through its QR code (`verify_token`)."""

    scope_path = "staff__site__jurisdiction_path"
    scope_enterprise = "staff__site__enterprise_id"

    number = models.CharField(_("certificate no."), max_length=30, unique=True)
    staff = models.ForeignKey("registry.Staff", on_delete=models.PROTECT, related_name="training_certificates",
                              verbose_name=_("holder"))
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="certificates",
                                 verbose_name=_("position"))
    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="certificate")
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    verify_token = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["staff", "position", "valid_until"], name="training_cert_valid")]

    def __str__(self) -> str:
        return self.number
