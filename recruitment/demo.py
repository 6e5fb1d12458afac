"""Demo project proposals for seed_demo: business priorities, a proposal for every mentee of the
recruiting cohort, and two near-duplicates so the duplicate detection has something to show."""

from django.db import transaction

from people.models import Skill
from programmes.models import Cohort, Role

from .models import BusinessPriority, Project

PRIORITIES = [
    "Net zero",
    "Better health outcomes",
    "Productivity in public services",
    "Levelling up the regions",
    "Trusted official statistics",
]

# (title, description, priorities, topics). The first two describe the same project in other
# words: the review page flags them as possible duplicates.
PROJECTS = [
    (
        "Forecasting A&E attendances with machine learning",
        "Build a machine learning model that forecasts weekly A&E attendances for each hospital "
        "trust from past attendance, weather and school holidays, so rotas can be planned ahead.",
        ["Better health outcomes", "Productivity in public services"],
        ["Forecasting", "Machine learning", "Python"],
    ),
    (
        "Predicting A&E attendance with machine learning models",
        "Use machine learning on historical A&E attendance, weather and school holiday data to "
        "predict weekly attendances per hospital trust, so that staff rotas are planned ahead.",
        ["Better health outcomes"],
        ["Forecasting", "Machine learning", "Python"],
    ),
    (
        "Mapping heat-pump take-up by local authority",
        "Link installation records with housing stock data to map where heat pumps are taken up "
        "and where grants are not reaching people.",
        ["Net zero", "Levelling up the regions"],
        ["Geospatial analysis", "Data linkage", "Data visualisation"],
    ),
    (
        "Routing ministerial correspondence to the right team",
        "Suggest which policy team should answer each incoming letter, from its wording, so "
        "replies are drafted sooner.",
        ["Trusted official statistics", "Productivity in public services"],
        ["Natural language processing", "Machine learning"],
    ),
    (
        "Automating the monthly trade bulletin",
        "Turn the spreadsheet steps of the trade bulletin into a tested, reproducible pipeline.",
        ["Trusted official statistics"],
        ["Reproducible analysis", "Python", "Software testing"],
    ),
    (
        "Nowcasting regional unemployment",
        "Combine job adverts and claimant counts to estimate regional unemployment weeks before "
        "the survey results arrive.",
        ["Levelling up the regions"],
        ["Time series", "Statistics", "Web scraping"],
    ),
    (
        "Finding duplicate business records",
        "Match business register entries that describe the same company with probabilistic "
        "record linkage.",
        ["Trusted official statistics"],
        ["Data linkage", "SQL"],
    ),
    (
        "Dashboard of school transport emissions",
        "Estimate the emissions of home-to-school transport per council and publish an "
        "accessible dashboard.",
        ["Net zero"],
        ["Data visualisation", "Geospatial analysis"],
    ),
    (
        "Summarising consultation responses with a language model",
        "Test whether a large language model can draft summaries of consultation responses that "
        "analysts then check, and measure the time saved.",
        ["Productivity in public services"],
        ["Large language models", "Natural language processing"],
    ),
    (
        "Predicting waiting-list growth for planned care",
        "Model referrals and treatments to project waiting-list sizes per specialty.",
        ["Better health outcomes"],
        ["Forecasting", "Statistics", "R"],
    ),
    (
        "Satellite images to count new housing",
        "Detect newly built homes from satellite imagery to check the housing supply statistics.",
        ["Levelling up the regions", "Trusted official statistics"],
        ["Computer vision", "Deep learning"],
    ),
    (
        "Moving the price index pipeline to the cloud",
        "Rebuild the price index processing on the cloud platform with Spark.",
        ["Productivity in public services"],
        ["Cloud computing", "Spark", "Data engineering"],
    ),
]


@transaction.atomic
def projects_demo_seed(*, cohort: Cohort) -> int:
    """The programme's business priorities and a proposal for the first mentees of ``cohort``
    (one per entry of PROJECTS, in the order of their enrolment); idempotent. Returns how many
    were created."""
    programme = cohort.programme
    priorities = {
        name: BusinessPriority.objects.get_or_create(programme=programme, name=name)[0]
        for name in PRIORITIES
    }
    skills = {s.name: s for s in Skill.objects.all()}
    mentees = cohort.enrolments.filter(role=Role.MENTEE).select_related("user").order_by("pk")
    created = 0
    for enrolment, (title, description, tags, topics) in zip(mentees, PROJECTS, strict=False):
        if Project.objects.filter(enrolment=enrolment).exists():
            continue
        project = Project.objects.create(
            enrolment=enrolment,
            title=title[:150],
            description=description,
            expected_benefit="Saves analyst time and gives decision makers earlier evidence.",
        )
        project.priorities.set([priorities[t] for t in tags])
        project.topics.set([skills[t] for t in topics if t in skills])
        created += 1
    return created
