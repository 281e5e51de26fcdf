"""Catalogue writes that carry a rule (the rest is plain form saving in the dashboard)."""

from django.db import transaction
from django.utils import timezone

from catalog import standards
from catalog.models import Design, DesignDocument


def ensure_documentation_areas(*, design: Design) -> list[DesignDocument]:
    """Every design has one row per documentation area of the product standards (missing until documented)."""
    existing = set(design.documents.values_list("area", flat=True))
    DesignDocument.objects.bulk_create(
        [DesignDocument(design=design, area=code) for code, _ in standards.AREAS if code not in existing],
        ignore_conflicts=True,
    )
    order = {code: index for index, (code, _) in enumerate(standards.AREAS)}
    return sorted(design.documents.all(), key=lambda doc: order[doc.area])


@transaction.atomic
def save_documentation(*, formset, reviewer) -> list[DesignDocument]:
    """Save changed documentation areas. Marking an area complete (or changing a complete area's link) records the
    staff member who did it as its reviewer; an area that is no longer complete loses its review."""
    saved = []
    for form in formset.forms:
        if not form.has_changed():
            continue
        document = form.save(commit=False)
        if document.status == standards.COMPLETE:
            document.reviewer, document.reviewed_at = reviewer, timezone.now()
        else:
            document.reviewer, document.reviewed_at = None, None
        document.save()
        saved.append(document)
    return saved
