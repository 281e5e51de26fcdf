"""The OSE Specifications Metric: a versioned question set, contributors' answers per design, and each design's
score."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The question groups of OSE's Specifications Metric, in its order.
GROUPS = [
    ("economic-significance", _("Economic significance")),
    ("distributive-economics", _("Distributive economics")),
    ("transformative-nature", _("Transformative nature")),
    ("systems-design", _("Systems design")),
    ("ecology", _("Ecology")),
    ("development-process", _("Development process")),
    ("simplicity", _("Simplicity")),
    ("scalability", _("Scalability")),
    ("localization", _("Localization")),
    ("economic-feasibility", _("Economic feasibility and replicability")),
    ("product-evolution", _("Product evolution")),
    ("fabrication-facilities", _("Fabrication facilities")),
    ("open-business-model", _("Open business model")),
    ("open-documentation", _("Open documentation")),
    ("enterprise-assistance", _("Distributive enterprise assistance")),
]


class QuestionSet(models.Model):
    """One version of the questionnaire. Contributors answer the newest published one; answers stay with the
    version they answered."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    published = models.DateField(
        _("published"), null=True, blank=True, help_text=_("Leave empty while drafting; contributors answer the newest "
                                                            "version published on or before today."),
    )  # fmt: skip
    notes = models.TextField(_("notes"), blank=True, help_text=_("What changed from the version before."))
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("copied from")
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("question set")

    def __str__(self):
        return f"v{self.version}"


class Question(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="questions")
    group = models.CharField(_("group"), max_length=32, choices=GROUPS)
    code = models.CharField(_("code"), max_length=16, help_text=_("Short and unique in its set, e.g. ECO2."))
    text = models.CharField(_("question"), max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["question_set", "code"], name="specs_one_code_per_set")]

    def __str__(self):
        return f"{self.code}: {self.text}"


class Answer(models.Model):
    """A contributor's (or staff's) answer to one question of one version, for one design."""

    YES, PARTIAL, NO = "yes", "partial", "no"
    VALUES = [(YES, _("Yes")), (PARTIAL, _("Partly")), (NO, _("No"))]

    design = models.ForeignKey("catalogue.Design", on_delete=models.CASCADE, related_name="spec_answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.CharField(_("answer"), max_length=8, choices=VALUES)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        ordering = ["question__order", "question__pk"]
        constraints = [
            models.UniqueConstraint(fields=["design", "question"], name="specs_one_answer_per_question"),
            models.CheckConstraint(condition=Q(value__in=["yes", "partial", "no"]), name="specs_answer_value"),
        ]

    def __str__(self):
        return f"{self.design_id} {self.question.code}: {self.value}"


class DesignScore(models.Model):
    """A design's score on the version it was last answered on, kept so the directory filters and sorts in SQL.
    Written only by ``services.rescore``."""

    design = models.OneToOneField("catalogue.Design", on_delete=models.CASCADE, related_name="spec_score")
    question_set = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2)
    answered = models.PositiveSmallIntegerField(_("questions answered"))
    questions = models.PositiveSmallIntegerField(_("questions"))
    date_updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=Decimal("0")) & Q(score__lte=Decimal("100")),
                                   name="specs_score_is_a_percentage"),
            models.CheckConstraint(condition=Q(answered__lte=models.F("questions")), name="specs_answered_le_asked"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["score"], name="specs_score")]

    def __str__(self):
        return f"{self.design_id}: {self.score}% on {self.question_set}"
