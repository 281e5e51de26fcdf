"""Version 1 of the OSE Specifications Metric's questions, published: 45 questions in 15 groups, written from the
metric's public description (Open Source Ecology's wiki). Staff edit them in the admin and start new versions from
them; this migration only seeds the first."""

import datetime

from django.db import migrations

# (group, code, question), in the questionnaire's order
QUESTIONS_V1 = [
    ("economic-significance", "ES1",
     "Does the design meet a basic need (food, shelter, energy, materials, tools, transport, communication)?"),
    ("economic-significance", "ES2",
     "Is the product's market large: would a sizeable share of households or enterprises use it?"),
    ("distributive-economics", "DE1",
     "Can small, independent producers make it profitably, rather than only large factories?"),
    ("distributive-economics", "DE2",
     "Does making it locally keep most of the value (wages, margins) in the community that makes and uses it?"),
    ("distributive-economics", "DE3",
     "Does it lower the capital a person needs to start producing (tools, premises, stock)?"),
    ("transformative-nature", "TN1",
     "Does it do the job at a fraction (a quarter or less) of the cost of the usual product?"),
    ("transformative-nature", "TN2",
     "Does it replace a product or process that depends on centralised production or proprietary control?"),
    ("transformative-nature", "TN3",
     "Does it give its users new capability: to produce food, energy, materials or other goods for themselves?"),
    ("systems-design", "SD1",
     "Does it share modules, parts or interfaces with other designs in the store (common motors, controllers, "
     "frames)?"),
    ("systems-design", "SD2",
     "Is it a component of, or a tool for making, other designs in the store (technological recursion)?"),
    ("systems-design", "SD3",
     "Is it designed as part of a whole system (inputs, outputs and waste considered with the designs around it)?"),
    ("ecology", "EC1",
     "Are its materials renewable, recycled or abundant and non-toxic?"),
    ("ecology", "EC2",
     "Does it use less energy, in making and in use, than the usual product?"),
    ("ecology", "EC3",
     "At the end of its life can its materials be recovered, recycled or returned to the soil?"),
    ("development-process", "DP1",
     "Is it developed in the open, with its work in progress public and anyone able to take part?"),
    ("development-process", "DP2",
     "Is there a working prototype, tested and documented?"),
    ("development-process", "DP3",
     "Does it follow a repeatable process (design, prototype, test, document, improve) with a public log?"),
    ("simplicity", "SI1",
     "Low cost: can it be built for a low cost of materials and labour, with the full cost published?"),
    ("simplicity", "SI2",
     "Long life: is it built to last (a lifetime design), with parts that can be repaired or replaced?"),
    ("simplicity", "SI3",
     "Modular: is it made of modules that can be combined, swapped and upgraded?"),
    ("simplicity", "SI4",
     "Design for disassembly: can it be taken apart with common tools for repair, reuse or recycling?"),
    ("scalability", "SC1",
     "Does the design scale from one unit made by hand to batches in a small factory?"),
    ("scalability", "SC2",
     "Does it scale in size or capacity (larger or smaller versions from the same design)?"),
    ("scalability", "SC3",
     "Can the number of producers grow without a central bottleneck (no single supplier, licence or tool)?"),
    ("localization", "LO1",
     "Local materials: can it be made mostly from materials available within the region?"),
    ("localization", "LO2",
     "Local production: can it be made in a local workshop or microfactory rather than shipped from afar?"),
    ("localization", "LO3",
     "Open and local production machinery: are the machines needed to make it themselves open source and "
     "buildable locally?"),
    ("economic-feasibility", "EF1",
     "Can a producer sell it at a price that covers the full cost and pays a fair wage?"),
    ("economic-feasibility", "EF2",
     "Has someone other than the original developers replicated it from the documentation alone?"),
    ("economic-feasibility", "EF3",
     "Is there a proven way to earn a living from it (an enterprise that makes, sells or services it)?"),
    ("product-evolution", "PE1",
     "Do improvements from users and producers flow back into the design, with versions recorded?"),
    ("product-evolution", "PE2",
     "Is there a public list of known problems and planned improvements?"),
    ("product-evolution", "PE3",
     "Can the design be adapted to other climates, materials or uses without starting over?"),
    ("fabrication-facilities", "FF1",
     "Can it be made with the machines of a typical fab lab, makerspace or farm workshop?"),
    ("fabrication-facilities", "FF2",
     "Is the production process documented for a facility (tooling, jigs, steps, build times)?"),
    ("fabrication-facilities", "FF3",
     "Could a facility be set up to produce it for a modest investment (a microfactory)?"),
    ("open-business-model", "OB1",
     "Is there a published business model others may copy (costs, prices, markets, margins)?"),
    ("open-business-model", "OB2",
     "Does the business model work without secrets, patents or exclusive rights?"),
    ("open-business-model", "OB3",
     "Does it leave room for many competing enterprises (non-producers selling, training, servicing too)?"),
    ("open-documentation", "OD1",
     "Are its design files, bill of materials and instructions published under open licences?"),
    ("open-documentation", "OD2",
     "Is the documentation complete enough to build it without asking the developers?"),
    ("open-documentation", "OD3",
     "Are the source files editable in open source tools?"),
    ("enterprise-assistance", "EA1",
     "Is production training available (a workshop, curriculum or video course)?"),
    ("enterprise-assistance", "EA2",
     "Is there help for starting an enterprise around it: templates, a website, a supply list, mentors?"),
    ("enterprise-assistance", "EA3",
     "Do existing producers share their experience with new ones (a network, a forum, a call)?"),
]  # fmt: skip


def seed(apps, schema_editor):
    QuestionSet = apps.get_model("specs", "QuestionSet")
    Question = apps.get_model("specs", "Question")
    question_set, _ = QuestionSet.objects.get_or_create(
        version=1, defaults={"published": datetime.date(2026, 12, 1), "notes": "The first version: 45 questions."}
    )
    if not question_set.questions.exists():
        Question.objects.bulk_create(
            Question(question_set=question_set, group=group, code=code, text=text, order=order)
            for order, (group, code, text) in enumerate(QUESTIONS_V1, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("specs", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
