"""OSE Certified in the demo: two certifiers, contributions and performance results for three designs, two designs
certified (the D3D printer and the CEB press) and one application (the Power Cube) still waiting for its second
approval, so the certification dashboard has work in it. Contributors who run a storefront hold the mark there, so
one storefront shows it and another does not; and a design's distribution licence goes on sale only once it is
certified, through the campus.
"""

from decimal import Decimal

from django.contrib.auth.models import Group

from catalog.models import Design, Product
from certification import services as cert_services
from certification.models import CertificationApplication, Contribution, PerformanceCriterion
from marketplace.demo.designs import DESIGNS
from marketplace.demo.storefronts import CAMPUS
from marketplace.demo.users import demo_user
from marketplace.storefronts.models import Storefront
from marketplace.storefronts.services import save_offer

CERTIFIERS = ["certifier@demo.opensource.store", "certifier2@demo.opensource.store"]

# design slug: contributions (author, kind, description), criteria (metric, unit, comparison, threshold, measured)
CERTIFICATION = {
    "d3d-printer": (
        [
            ("apartment@demo.opensource.store", "improvement", "Self-packaging print profile for shipping parts."),
            ("campus@demo.opensource.store", "design", "Universal axis redesign for 30 % fewer printed parts."),
        ],
        [("Print speed", "mm/s", ">=", "60", "72"), ("Positioning error", "mm", "<=", "0.1", "0.06")],
    ),
    "ceb-press": (
        [
            ("homestead@demo.opensource.store", "production-engineering", "Jig set that halves frame welding time."),
            ("campus@demo.opensource.store", "design", "Soil-sensing hopper for consistent brick density."),
        ],
        [("Throughput", "bricks/hour", ">=", "40", "52")],
    ),
    "power-cube": (
        [("garage@demo.opensource.store", "testing", "500-hour endurance test log.")],
        [("Power output", "hp", ">=", "20", "27")],
    ),
}
CERTIFIED = ["d3d-printer", "ceb-press"]  # power-cube's application stays pending, with one approval


def load_certification() -> None:
    """The first certifier accepts the contributions, the second the performance results; both approve the certified
    designs' applications and their certificates are issued, power-cube's keeps one approval. Then the campus offers
    the certified designs' distribution licences."""
    group = Group.objects.get(name=cert_services.CERTIFIERS)
    certifiers = [demo_user(email) for email in CERTIFIERS]
    for certifier in certifiers:
        certifier.groups.add(group)
    for slug, (contributions, criteria) in CERTIFICATION.items():
        design = Design.objects.get(slug=slug)
        for email, kind, description in contributions:
            contribution, _ = Contribution.objects.get_or_create(
                design=design, author=demo_user(email), kind=kind, design_version=design.version,
                defaults={"description": description, "evidence_links": f"https://wiki.opensourceecology.org/wiki/{slug}"},
            )  # fmt: skip
            if contribution.status == Contribution.PENDING:
                cert_services.review_contribution(contribution=contribution, certifier=certifiers[0], accept=True)
        for metric, unit, comparison, threshold, measured in criteria:
            criterion, _ = PerformanceCriterion.objects.get_or_create(
                design=design,
                metric=metric,
                defaults={"unit": unit, "comparison": comparison, "threshold": Decimal(threshold)},
            )
            if not criterion.results.exists():
                result = cert_services.submit_result(
                    criterion=criterion, submitted_by=demo_user(contributions[0][0]), measured_value=Decimal(measured),
                    evidence_url=f"https://wiki.opensourceecology.org/wiki/{slug}/results",
                )  # fmt: skip
                cert_services.review_result(result=result, certifier=certifiers[1], accept=True)
        if CertificationApplication.objects.filter(design=design, design_version=design.version).exists():
            continue
        application = cert_services.apply_for_certification(design=design, applicant=demo_user(contributions[0][0]))
        approvers = certifiers if slug in CERTIFIED else certifiers[:1]
        for certifier in approvers:
            cert_services.review_application(application=application, certifier=certifier, verdict="approve",
                                             note="Documentation, results and quality control checked.")  # fmt: skip
        if slug in CERTIFIED:
            cert_services.issue_certificate(application_id=application.pk)  # the task finds it issued
    campus = Storefront.objects.get(slug=CAMPUS[0])
    for row in DESIGNS:
        if row[0] in CERTIFIED:  # only mark holders may sell a design's distribution licence
            save_offer(storefront=campus, product=Product.objects.get(upc=f"{row[0]}-L3"), price=Decimal(row[10][0]))
