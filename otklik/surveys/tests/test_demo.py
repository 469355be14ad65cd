import io
import random

from otklik.accounts import demo as accounts_demo
from otklik.core.demo import DemoContext
from otklik.orgs import demo as orgs_demo
from otklik.surveys import demo, selectors
from otklik.surveys.models import Response, Survey


def test_demo_surveys_are_labelled_synthetic_and_have_hundreds_of_answers(db):
    ctx = DemoContext(rng=random.Random(2026), stdout=io.StringIO())
    for module in (orgs_demo, accounts_demo, demo):
        module.seed(ctx)
    surveys = {s.kind: s for s in Survey.objects.all()}
    assert {k: (s.status, s.responses.count()) for k, s in surveys.items()} == {
        "satisfaction": ("open", 220),
        "poll": ("open", 300),
        "vote": ("closed", 250),
    }
    assert not Response.objects.filter(is_synthetic=False).exists()
    assert all(s.is_synthetic and "вымышлены" in s.description for s in surveys.values())
    assert (
        selectors.satisfaction_survey_for(organization=surveys["poll"].organization)
        == surveys["satisfaction"]
    )
    first = selectors.survey_results(survey=surveys["poll"])["questions"][0]
    roles = next(t for t in first.breakdowns if t.header[0] == "Кто отвечал")
    parents = next(row for row in roles.rows if row[0] == "родитель")
    assert isinstance(parents[1], int) and parents[1] > 100
