"""The questionnaire page: a design's contributors (and staff) answer the current version of the questions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from catalog.models import Design
from marketplace.specs import selectors, services
from marketplace.specs.forms import AnswersForm


@login_required
def answer(request, slug):
    design = get_object_or_404(Design, slug=slug)
    question_set = selectors.current_question_set()
    if question_set is None:
        return render(request, "specs/refused.html", {"design": design, "no_questions": True})
    if not selectors.may_answer(request.user, design):
        waiting = selectors.contribution_waiting(request.user, design)
        return render(request, "specs/refused.html", {"design": design, "waiting": waiting}, status=403)
    here = reverse("specs:answer", kwargs={"slug": design.slug})
    if request.method == "POST" and request.POST.get("version") != str(question_set.version):
        messages.warning(
            request,
            f"Version {question_set.version} of the questions was published while you answered an older one; nothing "
            "was saved. Answer this version below (your answers to the same questions are kept only on the old one).",
        )
        return redirect(here)
    questions = selectors.questions(question_set)
    existing = selectors.answers(design, question_set)
    form = AnswersForm(request.POST or None, question_set=question_set, questions=questions, existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.save_answers(design=design, question_set=question_set, by=request.user,
                                            answers=form.answers())  # fmt: skip
        except services.SpecsError as error:
            return render(request, "specs/refused.html", {"design": design, "reason": str(error)}, status=403)
        if changed:
            messages.success(request, f"Thank you: {changed} answer{'s' if changed != 1 else ''} saved, and "
                                      f"{design.name}'s score is up to date.")  # fmt: skip
        else:
            messages.info(request, "Nothing changed: your answers were already saved.")
        return redirect(design.get_absolute_url() + "#specifications")
    score = selectors.scored(question_set, existing)
    return render(request, "specs/answer.html", {"design": design, "question_set": question_set, "form": form,
                                                  "score": score})  # fmt: skip
