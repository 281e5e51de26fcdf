import pytest

from certification.models import Contribution
from marketplace.specs.models import QuestionSet
from tests import factories


@pytest.fixture
def v1():
    """The seeded version 1: 45 questions in 15 groups."""
    return QuestionSet.objects.get(version=1)


@pytest.fixture
def press():
    return factories.design(name="CEB press", category_name="Houses")


@pytest.fixture
def contributor(press):
    """Someone whose contribution to the press was accepted."""
    user = factories.UserFactory(email="welder@example.com", first_name="Wendy", last_name="Welder")
    Contribution.objects.create(design=press, design_version=press.version, author=user, kind="production-engineering",
                                description="A welding jig.", status=Contribution.ACCEPTED)  # fmt: skip
    return user


def answers_form(question_set, values: dict[str, str], notes: dict[str, str] | None = None) -> dict:
    """The questionnaire's POST: ``values`` by question code ("yes", "partial", "no"), others not answered."""
    notes = notes or {}
    data = {"version": question_set.version}
    for question in question_set.questions.all():
        data[f"q{question.pk}"] = values.get(question.code, "")
        data[f"note{question.pk}"] = notes.get(question.code, "")
    return data


def codes(question_set) -> list[str]:
    return list(question_set.questions.order_by("order", "pk").values_list("code", flat=True))
