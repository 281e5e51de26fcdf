"""Staff edit the Specifications questions here: a version with its questions inline, and "new version from this
one" to start the next version as a draft copy (answers stay with the version they answered)."""

from django.contrib import admin, messages
from django.db.models import Count

from marketplace.admin import ReadOnlyAdmin
from marketplace.specs import services
from marketplace.specs.models import Answer, DesignScore, Question, QuestionSet


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "code", "group", "text"]


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "published", "question_count", "notes"]
    fields = ["version", "published", "notes", "based_on"]
    readonly_fields = ["based_on"]
    inlines = [QuestionInline]
    actions = ["new_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, obj):
        return obj.question_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            rescored = services.rescore_version(question_set=form.instance)
            if rescored:
                self.message_user(request, f"{rescored} design score(s) on v{form.instance.version} computed again.")

    @admin.action(description="New version from this one (a draft copy of its questions)", permissions=["add"])
    def new_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose one version to copy.", messages.WARNING)
            return
        copy = services.new_version_from(question_set=queryset.get())
        self.message_user(
            request, f"v{copy.version} created as a draft: edit its questions, then give it a published date to have "
            "contributors answer it.",
        )  # fmt: skip


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    """Answers are written through the questionnaire, by the design's contributors or staff."""

    list_display = ["design", "question", "value", "answered_by", "answered_at"]
    list_filter = ["question__question_set", "value"]
    search_fields = ["design__name", "question__code"]


@admin.register(DesignScore)
class DesignScoreAdmin(ReadOnlyAdmin):
    list_display = ["design", "question_set", "score", "answered", "questions", "date_updated"]
    ordering = ["-score"]
