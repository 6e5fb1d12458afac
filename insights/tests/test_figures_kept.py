"""What the dashboards keep in the cache (insights/figures.py): pairs at risk packed, by id, with
their reasons and scores intact; comments by answer id; names and text read when a page or an
export is produced, so the cache holds no personal data."""

import dataclasses
import datetime as dt
import pickle

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from insights import figures, presenters
from insights.definitions import PairFacts
from insights.tests.conftest import make_pairs
from pairing.tests.factories import CheckInFactory

scores = st.lists(st.integers(1, 5), max_size=3).map(tuple)
facts = st.builds(
    lambda pk, last, ratings, people: PairFacts(
        pk=pk,
        cohort_id=1,
        mentee_id=1,
        mentee_name="E",
        status="active",
        started_on=dt.date(2027, 1, 1),
        ended_on=None,
        end_reason="",
        checkins=0,
        first_met=None,
        last_met=last,
        ratings=ratings,
        wellbeing_by_person=people,
    ),  # fmt: skip
    st.integers(1, 2**62),
    st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
    scores,
    st.lists(scores, max_size=3).map(tuple),
)
reasons = st.lists(st.sampled_from(figures.REASONS), min_size=1, unique=True).map(
    lambda rs: sorted(rs, key=figures.REASONS.index)
)


@given(st.lists(st.tuples(facts, reasons), max_size=30))
def test_packed_pairs_read_back_as_they_went_in(items):
    packed = pickle.loads(pickle.dumps(figures.PairsAtRisk(items)))  # noqa: S301 (our own)
    assert len(packed) == len(items)
    got = list(packed)
    assert [(r.pk, r.last_met, r.ratings, r.wellbeing_by_person) for r in got] == [
        (p.pk, p.last_met, p.ratings, p.wellbeing_by_person) for p, _ in items
    ]
    assert [list(r.reasons) for r in got] == [rs for _, rs in items]
    assert packed[1:4] == got[1:4] and packed[::-1] == got[::-1]
    if items:
        assert packed[-1] == got[-1]


def test_packing_refuses_what_it_cannot_keep():
    p = PairFacts(1, 1, 1, "", "active", dt.date(2027, 1, 1), None, "", 0, None, None, (0,))
    with pytest.raises(ValueError):
        figures.PairsAtRisk([(p, ["falling rating"])])
    with pytest.raises(ValueError):
        figures.PairsAtRisk([(dataclasses.replace(p, ratings=(3,)), ["a new reason"])])
    with pytest.raises(IndexError):
        figures.PairsAtRisk([])[0]


def test_thousands_of_pairs_at_risk_are_kilobytes():
    """A national cohort's 6,000 pairs at risk: about 30 bytes each (as facts, names and
    all, they were 11 MB to read back: docs/performance.md)."""
    p = PairFacts(
        1, 1, 1, "Name " * 5, "active", dt.date(2027, 1, 1), None, "", 3,
        dt.date(2027, 1, 8), dt.date(2027, 2, 8), (4, 3, 2), ((3, 2, 1), (4, 4, 4)),
    )  # fmt: skip
    items = [
        (dataclasses.replace(p, pk=i), ["silent", "falling rating"]) for i in range(6000)
    ]  # fmt: skip
    assert len(pickle.dumps(figures.PairsAtRisk(items))) < 6000 * 32


@pytest.fixture
def cached(settings):
    settings.INSIGHTS_CACHE_SECONDS = 300
    cache.clear()


def _at_risk(cohort, n):
    """n pairs at risk (low wellbeing) with distinctive names."""
    pairs = make_pairs(cohort, n)
    for i, pair in enumerate(pairs):
        for enrolment in (pair.mentee, pair.mentor):
            enrolment.user.full_name = f"Zebedee Quillfeather {i} {enrolment.role}"
            enrolment.user.save()
        CheckInFactory(pair=pair, met_on=dt.date.today(), rating=4, wellbeing=1)
    return pairs


@pytest.mark.django_db
def test_cached_figures_hold_ids_not_names_and_pages_show_names(
    client, coordinator, cohort, cached, monkeypatch
):
    cohort.starts_on = dt.date.today() - dt.timedelta(days=30)
    cohort.save()
    pairs = _at_risk(cohort, 5)
    client.force_login(coordinator)
    args = [cohort.programme.slug, cohort.pk]
    page = client.get(reverse("insights:cohort", args=args)).content.decode()
    assert page.count("Zebedee Quillfeather") == 10  # each pair: mentee with mentor
    kept = cache.get(figures.cache.key("cohort", cohort.pk, dt.date.today(), None))
    assert b"Quillfeather" not in pickle.dumps(kept)
    assert isinstance(kept.pairs.at_risk, figures.PairsAtRisk) and len(kept.pairs.at_risk) == 5
    # A renamed person shows under their new name while the figures are still the cached ones.
    user = pairs[0].mentee.user
    user.full_name = "Renamed Person"
    user.save()
    page = client.get(reverse("insights:cohort", args=args)).content.decode()
    assert "Renamed Person with Zebedee Quillfeather 0 mentor" in page
    # The export names the pairs a chunk at a time, and its audit record counts every row.
    monkeypatch.setattr(presenters, "EXPORT_CHUNK", 2)
    response = client.get(reverse("insights:cohort_export", args=args))
    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    risky = [r for r in rows if ",Pairs at risk," in r]
    assert len(risky) == 5 and sum("Zebedee Quillfeather" in r for r in risky) == 5
    assert all(f"(pair {p.pk})" in "".join(risky) for p in pairs)
    from people.models import AuditEvent

    summary = AuditEvent.objects.get(action="export").summary
    assert summary.endswith(f": {len(rows) - 1} rows")


@pytest.mark.django_db
def test_a_pair_whose_names_are_gone_shows_its_number(client, coordinator, cohort, cached):
    cohort.starts_on = dt.date.today() - dt.timedelta(days=30)
    cohort.save()
    (pair,) = _at_risk(cohort, 1)
    rows = figures.cohort_figures(cohort).pairs.at_risk[:]
    pair.delete()
    assert (
        presenters.at_risk_rows(figures.cohort_figures(cohort), rows, figures.pair_names(rows))[0][
            "name"
        ]
        == f"Pair {rows[0].pk}"
    )


@pytest.mark.django_db
def test_naming_a_page_of_pairs_at_risk_is_one_query_whatever_their_number(
    client, coordinator, cohort, cached, django_assert_num_queries
):
    from insights.tests.test_cache import WARM_QUERIES

    cohort.starts_on = dt.date.today() - dt.timedelta(days=30)
    cohort.save()
    client.force_login(coordinator)
    url = reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk])
    for n in (2, 60):
        _at_risk(cohort, n)
        cache.clear()
        client.get(url)
        with django_assert_num_queries(WARM_QUERIES + 1):  # + the names of the page shown
            client.get(url)


def test_packed_pairs_compare_by_content():
    p = PairFacts(1, 1, 1, "", "active", dt.date(2027, 1, 1), None, "", 0, None, None, (3,))
    same = figures.PairsAtRisk([(p, ["falling rating"])])
    assert same == figures.PairsAtRisk([(p, ["falling rating"])])
    assert same != figures.PairsAtRisk([(p, ["silent"])])
    assert same != figures.PairsAtRisk([])
