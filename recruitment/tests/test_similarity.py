"""Tests for recruitment.similarity (pure Python; no database or Django needed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitment.similarity import (
    DEFAULT_THRESHOLD,
    Match,
    Proposal,
    SimilarityIndex,
)

# A realistic mix of public-sector data science proposals. Three pairs are planted near
# duplicates written in different words (ids ending in "a"/"b"); everything else is distinct
# work, including some projects that share a method or a topic without being the same project.
CORPUS = [
    Proposal(
        "crop-a",
        "Using satellite imagery to estimate crop yields",
        "Train a model on Sentinel-2 satellite imagery and historical harvest surveys to "
        "estimate crop yields for wheat and barley at county level before the official "
        "farm survey results are available.",
        tags=("agriculture", "earth observation"),
        extra="Earlier yield estimates for DEFRA and fewer survey questions for farmers.",
    ),
    Proposal(
        "inflation-a",
        "Automating the monthly inflation report with Python",
        "The monthly consumer prices inflation bulletin is assembled by hand from spreadsheets. "
        "Rewrite the pipeline in Python so the tables, charts and commentary figures are "
        "produced automatically and reproducibly each month.",
        tags=("automation", "prices"),
        extra="Saves two analyst days per month and reduces the risk of errors.",
    ),
    Proposal(
        "linkage-a",
        "Linking census records to the patient register",
        "Develop a probabilistic record linkage method (Fellegi-Sunter with Splink) to match "
        "census person records to the NHS patient register using names, dates of birth and "
        "postcodes, and measure false match rates.",
        tags=("record linkage", "health"),
        extra="Better population estimates between censuses.",
    ),
    Proposal(
        "hr-chatbot",
        "Chatbot for HR policy questions",
        "Build a retrieval-augmented chatbot that answers staff questions about leave, flexible "
        "working and expenses using the published HR policy documents, with links to the source "
        "paragraphs.",
        tags=("nlp", "internal services"),
        extra="Fewer routine tickets to the HR helpdesk.",
    ),
    Proposal(
        "ae-forecast",
        "Forecasting A&E attendances for winter planning",
        "Build weekly forecasts of emergency department attendances for each NHS trust using "
        "historical attendance data, weather and school holidays, with prediction intervals "
        "for winter pressure planning.",
        tags=("forecasting", "health"),
        extra="Hospitals can plan staffing ahead of winter peaks.",
    ),
    Proposal(
        "web-prices",
        "Web-scraped clothing prices as an alternative data source",
        "Collect daily prices of clothing and footwear from retailer websites, classify the "
        "products and build experimental price indices to compare with the survey-based "
        "consumer price index.",
        tags=("prices", "web scraping"),
        extra="Larger sample of prices at lower collection cost.",
    ),
    Proposal(
        "consultation-nlp",
        "Topic modelling of public consultation responses",
        "Use natural language processing to group thousands of free-text responses to a "
        "government consultation into themes, summarise each theme and flag duplicate "
        "campaign responses for analysts.",
        tags=("nlp", "policy"),
        extra="Analysts read and summarise responses in days instead of weeks.",
    ),
    Proposal(
        "sic-coding",
        "Automatic industry classification of business descriptions",
        "Train a text classifier to assign Standard Industrial Classification codes to "
        "free-text descriptions of business activity from survey returns, sending low "
        "confidence cases to expert coders.",
        tags=("nlp", "classification"),
        extra="Reduces manual coding effort for business surveys.",
    ),
    Proposal(
        "address-matching",
        "Matching messy addresses to AddressBase",
        "Standardise free-text addresses from administrative datasets and match them to "
        "unique property reference numbers in AddressBase using fuzzy string matching.",
        tags=("record linkage", "geography"),
        extra="Lets other teams join datasets on a common property identifier.",
    ),
    Proposal(
        "tax-forecast",
        "Forecasting monthly VAT receipts",
        "Compare ARIMA, gradient boosting and Prophet models for nowcasting and forecasting "
        "value added tax receipts using card spending data as a leading indicator.",
        tags=("forecasting", "public finance"),
        extra="More accurate fiscal forecasts for the Treasury.",
    ),
    Proposal(
        "dashboard-labour",
        "Interactive labour market dashboard",
        "Build a public-facing dashboard showing employment, unemployment and vacancies by "
        "region and age group, refreshed automatically from the labour force survey tables.",
        tags=("dissemination", "labour market"),
        extra="Users can explore the data without downloading spreadsheets.",
    ),
    Proposal(
        "sdc",
        "Statistical disclosure control for small area tables",
        "Evaluate cell key perturbation and targeted record swapping to protect respondents' "
        "confidentiality in small area census tables while keeping the outputs useful.",
        tags=("methodology", "confidentiality"),
        extra="Safer publication of detailed local statistics.",
    ),
    Proposal(
        "synthetic-data",
        "Generating synthetic microdata for training",
        "Create synthetic versions of the labour force survey microdata using generative "
        "models so that new analysts can practise analysis without access to sensitive data.",
        tags=("methodology", "confidentiality"),
        extra="Faster onboarding for new analysts.",
    ),
    Proposal(
        "mobility",
        "Mobile phone data to measure commuting flows",
        "Use aggregated mobile network data to estimate daily commuting flows between local "
        "authorities and compare them with census travel-to-work statistics.",
        tags=("mobility", "geography"),
        extra="Timelier commuting statistics for transport planners.",
    ),
    Proposal(
        "survey-nonresponse",
        "Modelling non-response in household surveys",
        "Fit multilevel models of household survey non-response using paradata and area "
        "characteristics to improve weighting and target fieldwork follow-up visits.",
        tags=("methodology", "surveys"),
        extra="Less biased estimates and cheaper fieldwork.",
    ),
    Proposal(
        "ship-tracking",
        "Shipping activity from AIS vessel tracking",
        "Process automatic identification system messages from ships to produce faster "
        "indicators of port activity and trade volumes.",
        tags=("trade", "faster indicators"),
        extra="Early signal of changes in trade.",
    ),
    Proposal(
        "energy-smart-meter",
        "Household energy use from smart meter data",
        "Analyse half-hourly smart meter readings to describe how household electricity and "
        "gas use changed with energy prices, by dwelling type and region.",
        tags=("energy", "households"),
        extra="Evidence for energy support policy.",
    ),
    Proposal(
        "fraud-grants",
        "Detecting fraudulent grant applications",
        "Use anomaly detection and network analysis on company registration data to flag "
        "potentially fraudulent applications to a business support grant scheme.",
        tags=("fraud", "public finance"),
        extra="Reduce losses to fraud in grant schemes.",
    ),
    Proposal(
        "accessibility",
        "Travel time to GP surgeries",
        "Compute public transport and walking travel times from every output area to the "
        "nearest GP surgery using open timetable data and a routing engine.",
        tags=("health", "geography"),
        extra="Identify areas with poor access to primary care.",
    ),
    Proposal(
        "reproducible-pipelines",
        "Reproducible analytical pipeline for crime statistics",
        "Move the quarterly crime statistics production from SAS to a version-controlled R "
        "pipeline with automated tests, peer review and continuous integration.",
        tags=("automation", "crime"),
        extra="Quicker, auditable quarterly publication.",
    ),
    Proposal(
        "image-classification-roofs",
        "Detecting solar panels on roofs from aerial photographs",
        "Train a convolutional neural network on aerial photography to detect rooftop solar "
        "panels and estimate installed capacity by local authority.",
        tags=("earth observation", "energy"),
        extra="Better estimates of small-scale renewable generation.",
    ),
    Proposal(
        "job-adverts",
        "Skills demand from online job adverts",
        "Extract skills from online job advertisements with named entity recognition and map "
        "them to a skills taxonomy to track changing demand for digital skills.",
        tags=("nlp", "labour market"),
        extra="Evidence for skills policy and training providers.",
    ),
    Proposal(
        "housing-rents",
        "Private rental prices from letting agent data",
        "Combine administrative letting agent data with the rental survey to produce monthly "
        "private rent indices for small areas.",
        tags=("prices", "housing"),
        extra="More granular rental price statistics.",
    ),
    Proposal(
        "data-quality",
        "Automated data quality checks for survey returns",
        "Build validation rules and outlier detection that run when survey returns arrive, so "
        "that suspicious values are queried with businesses straight away.",
        tags=("automation", "surveys"),
        extra="Fewer late revisions to published figures.",
    ),
    Proposal(
        "covid-wastewater",
        "Estimating infection prevalence from wastewater",
        "Model viral concentrations in wastewater samples alongside survey positivity to "
        "estimate infection prevalence in sewer catchment areas.",
        tags=("health", "modelling"),
        extra="Cheaper surveillance of infection levels.",
    ),
    Proposal(
        "school-absence",
        "Predicting persistent school absence",
        "Use pupil-level administrative data to understand the drivers of persistent "
        "absence and identify schools where attendance support would help most.",
        tags=("education", "modelling"),
        extra="Target attendance support to the schools that need it.",
    ),
    Proposal(
        "crop-b",
        "Estimating agricultural crop yield from satellite images",
        "Use Sentinel satellite images together with past harvest survey data to estimate the "
        "yield of wheat and barley crops for each county ahead of the official agricultural "
        "survey.",
        tags=("earth observation",),
        extra="DEFRA gets yield figures sooner and the farm survey can be shortened.",
    ),
    Proposal(
        "inflation-b",
        "Python automation of the monthly CPI/inflation publication",
        "Replace the manual spreadsheet process behind the monthly consumer price inflation "
        "publication with an automated Python pipeline that generates the tables and charts "
        "every month.",
        tags=("automation", "prices"),
        extra="Frees up analyst time each month and cuts manual errors.",
    ),
    Proposal(
        "linkage-b",
        "Probabilistic linkage of the census and NHS patient register",
        "Match census records to the NHS patient register with probabilistic record linkage "
        "on name, date of birth and postcode, using Splink, and estimate the false match rate.",
        tags=("record linkage", "health"),
        extra="Improves population estimates in years between censuses.",
    ),
    Proposal(
        "greenspace",
        "Access to green space in urban areas",
        "Combine OS open greenspace data with population estimates to measure how far people "
        "live from parks and public gardens in each city.",
        tags=("environment", "geography"),
        extra="Evidence for levelling up and health policy.",
    ),
]

PLANTED = {("crop-a", "crop-b"), ("inflation-a", "inflation-b"), ("linkage-a", "linkage-b")}


@pytest.fixture(scope="module")
def index() -> SimilarityIndex:
    return SimilarityIndex(CORPUS)


BY_ID = {p.id: p for p in CORPUS}


def query(index: SimilarityIndex, proposal: Proposal, **kwargs) -> list[Match]:
    return index.similar(
        proposal.title, proposal.description, proposal.tags, extra=proposal.extra, **kwargs
    )


def test_corpus_is_realistic_size():
    assert len(CORPUS) == 30
    assert len({p.id for p in CORPUS}) == 30


@pytest.mark.parametrize(("new", "existing"), sorted(PLANTED) + [(b, a) for a, b in PLANTED])
def test_reworded_duplicate_is_the_top_match(index, new, existing):
    matches = query(index, BY_ID[new], exclude_ids={new})
    assert matches, f"nothing found for {new}"
    assert matches[0].id == existing
    assert matches[0].score >= DEFAULT_THRESHOLD
    # ... and it is the only match above the default threshold.
    assert [m.id for m in matches] == [existing]


@pytest.mark.parametrize(
    ("title", "existing"),
    [
        ("Using satellite imagery to estimate crop yields", "crop-b"),
        ("Estimating agricultural crop yield from satellite images", "crop-a"),
        ("Automating the monthly inflation report with Python", "inflation-b"),
        ("Python automation of the monthly CPI/inflation publication", "inflation-a"),
    ],
)
def test_title_alone_finds_the_reworded_duplicate(index, title, existing):
    own = "crop-a" if existing == "crop-b" else "crop-b"
    if existing.startswith("inflation"):
        own = "inflation-a" if existing == "inflation-b" else "inflation-b"
    matches = index.similar(title, exclude_ids={own})
    assert [m.id for m in matches] == [existing]


def test_duplicate_against_a_small_index_of_past_cohorts():
    past = SimilarityIndex([BY_ID["crop-a"], BY_ID["hr-chatbot"], BY_ID["web-prices"]])
    matches = past.similar("Estimating agricultural crop yield from satellite images")
    assert [m.id for m in matches] == ["crop-a"]


def test_unrelated_projects_are_not_matched(index):
    assert index.score_pair("hr-chatbot", "crop-a") < 0.1
    assert query(index, BY_ID["hr-chatbot"], exclude_ids={"hr-chatbot"}) == []
    small = SimilarityIndex([BY_ID["crop-a"]])
    assert small.similar("Chatbot for HR policy questions", threshold=0.0) == [] or (
        small.similar("Chatbot for HR policy questions", threshold=0.0)[0].score < 0.1
    )


def test_same_method_different_subject_is_below_threshold(index):
    # Both are forecasting projects in the public sector, but different work.
    assert index.score_pair("ae-forecast", "tax-forecast") < DEFAULT_THRESHOLD
    # Both are about prices, but different data and outputs.
    assert index.score_pair("web-prices", "housing-rents") < DEFAULT_THRESHOLD


def test_unknown_words_dilute_rather_than_inflate_the_score(index):
    # Only "policy" is known to the corpus; the rest must still count against the match.
    matches = index.similar("Quantum blockchain policy for fish stocks", threshold=0.0, limit=1)
    assert matches[0].score < 0.15


def test_an_indexed_proposal_matches_itself_with_score_one(index):
    matches = query(index, BY_ID["sdc"], threshold=0.0, limit=1)
    assert matches == [Match("sdc", 1.0)]


def test_results_are_sorted_by_score_descending(index):
    matches = query(index, BY_ID["crop-a"], threshold=0.0, limit=None)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert len(matches) == len(CORPUS)  # every proposal shares at least some character n-grams
    assert matches[0].id == "crop-a"
    assert matches[1].id == "crop-b"


def test_limit(index):
    assert len(query(index, BY_ID["crop-a"], threshold=0.0, limit=3)) == 3
    assert len(query(index, BY_ID["crop-a"], threshold=0.0, limit=1)) == 1
    assert query(index, BY_ID["crop-a"], threshold=0.0, limit=0) == []
    top = query(index, BY_ID["crop-a"], threshold=0.0, limit=None)
    assert query(index, BY_ID["crop-a"], threshold=0.0, limit=4) == top[:4]
    with pytest.raises(ValueError):
        query(index, BY_ID["crop-a"], limit=-1)


def test_threshold_filters(index):
    everything = query(index, BY_ID["crop-a"], threshold=0.0, limit=None)
    for t in (0.05, 0.2, 0.5, 0.99):
        kept = query(index, BY_ID["crop-a"], threshold=t, limit=None)
        assert kept == [m for m in everything if m.score >= t]


def test_exclude_ids(index):
    matches = query(index, BY_ID["crop-a"], exclude_ids=["crop-a", "crop-b", "no-such-id"])
    assert all(m.id not in {"crop-a", "crop-b"} for m in matches)
    assert query(index, BY_ID["crop-a"], exclude_ids=iter(["crop-a"]))[0].id == "crop-b"


def test_title_counts_more_than_description():
    base = Proposal(
        1,
        "Forecasting A&E attendances for winter planning",
        "Weekly forecasts of emergency department attendances for each trust.",
    )
    same_title = Proposal(
        2, base.title, "Survey of staff wellbeing in the civil service with open text analysis."
    )
    same_body = Proposal(3, "Civil service staff wellbeing survey", base.description)
    index = SimilarityIndex([same_title, same_body])
    matches = index.similar(base.title, base.description, threshold=0.0)
    assert [m.id for m in matches] == [2, 3]


def test_shared_tags_give_a_small_bounded_boost():
    a = Proposal("a", "Forecasting A&E attendances", "Weekly hospital demand.", tags=["Health"])
    b = Proposal("b", "Forecasting A&E attendances", "Weekly hospital demand.", tags=[])
    index = SimilarityIndex([a, b])
    with_tags = index.similar("Forecasting A&E demand", tags=["health "], threshold=0.0)
    assert with_tags[0].id == "a"
    assert with_tags[0].score > with_tags[1].score
    assert with_tags[0].score - with_tags[1].score <= 0.1 + 1e-9

    # Identical tags on otherwise unrelated proposals cannot reach the default threshold.
    unrelated = SimilarityIndex(
        [
            Proposal("x", "Chatbot for HR policy", "Answers staff questions.", tags=["nlp"]),
            Proposal("y", "Crop yields from satellites", "Sentinel imagery.", tags=["nlp"]),
        ]
    )
    assert unrelated.score_pair("x", "y") < DEFAULT_THRESHOLD
    assert unrelated.duplicates_within() == []


def test_duplicates_within_finds_the_planted_pairs_only(index):
    pairs = index.duplicates_within()
    assert {(a, b) for a, b, _ in pairs} == PLANTED
    scores = [s for _, _, s in pairs]
    assert scores == sorted(scores, reverse=True)
    assert all(DEFAULT_THRESHOLD <= s <= 1.0 for s in scores)


def test_duplicates_within_agrees_with_similar(index):
    for a, b, score in index.duplicates_within(threshold=0.1):
        assert score == pytest.approx(index.score_pair(a, b), abs=1e-6)
        from_query = {m.id: m.score for m in query(index, BY_ID[a], threshold=0.0, limit=None)}
        assert from_query[b] == pytest.approx(score, abs=1e-6)
        # Each pair once, in index order.
        assert CORPUS.index(BY_ID[a]) < CORPUS.index(BY_ID[b])


def test_duplicates_within_is_the_same_in_small_chunks(index, monkeypatch):
    expected = index.duplicates_within(threshold=0.1)
    monkeypatch.setattr("recruitment.similarity._MAX_CHUNK_CELLS", 7 * len(CORPUS))
    assert index.duplicates_within(threshold=0.1) == expected


def test_empty_corpus():
    index = SimilarityIndex([])
    assert len(index) == 0
    assert index.similar("Using satellite imagery to estimate crop yields") == []
    assert index.duplicates_within() == []
    assert index.duplicates_within(threshold=0.0) == []


def test_single_proposal():
    index = SimilarityIndex([BY_ID["crop-a"]])
    assert index.duplicates_within(threshold=0.0) == []
    assert [m.id for m in query(index, BY_ID["crop-b"])] == ["crop-a"]
    assert query(index, BY_ID["crop-a"]) == [Match("crop-a", 1.0)]


def test_empty_query_matches_nothing(index):
    assert index.similar("") == []
    assert index.similar("", "", threshold=0.0) == []
    assert index.similar("   \n\t ", threshold=0.0) == []
    assert index.similar("the and of", threshold=0.0, limit=1)[0].score < 0.2


def test_empty_and_stop_word_only_proposals_in_the_corpus():
    corpus = [
        Proposal(1, "", ""),
        Proposal(2, "The", "and of the"),
        Proposal(3, "Using satellite imagery to estimate crop yields", ""),
        Proposal(4, "", "Crop yields from satellite imagery"),
    ]
    index = SimilarityIndex(corpus)
    matches = index.similar("Estimating agricultural crop yield from satellite images")
    assert [m.id for m in matches] == [3]
    # 3 and 4 share no part (title vs description only), so they cannot be compared.
    assert index.duplicates_within(threshold=0.0) == []
    assert [m.id for m in index.similar("", "crop yields from satellites")] == [4]
    # A corpus with no usable words at all still works (character n-grams only, or nothing).
    assert SimilarityIndex([Proposal(1, "", "")]).similar("anything") == []
    # One-letter text has no word tokens but still has a character n-gram (" a ").
    assert SimilarityIndex([Proposal(1, "a", "")]).similar("a") == [Match(1, 1.0)]
    assert SimilarityIndex([Proposal(1, "a", "")]).similar("b", threshold=0.0) == []


def test_description_missing_on_one_side_compares_titles_only():
    index = SimilarityIndex([Proposal(1, "Forecasting monthly VAT receipts", "")])
    matches = index.similar("Forecasting monthly VAT receipts", "A long description " * 5)
    assert matches == [Match(1, 1.0)]


def test_duplicate_ids_are_rejected():
    with pytest.raises(ValueError, match="unique"):
        SimilarityIndex([Proposal(1, "a b c"), Proposal(1, "d e f")])


def test_bad_weights_are_rejected():
    with pytest.raises(ValueError):
        SimilarityIndex(CORPUS, weights={"title_words": 1.0})
    with pytest.raises(ValueError):
        SimilarityIndex(CORPUS, tag_boost=2)


def test_custom_weights_are_normalised():
    weights = {"title_words": 3, "title_chars": 3, "body_words": 2, "body_chars": 2}
    index = SimilarityIndex(CORPUS, weights=weights)
    assert index.weights.sum() == pytest.approx(1.0)
    assert query(index, BY_ID["crop-a"], threshold=0.0, limit=1)[0] == Match("crop-a", 1.0)


def test_index_can_be_pickled(index):
    import pickle

    clone = pickle.loads(pickle.dumps(index))  # noqa: S301 - our own object
    assert query(clone, BY_ID["crop-b"]) == query(index, BY_ID["crop-b"])


def test_scores_are_plain_floats(index):
    match = query(index, BY_ID["crop-b"])[0]
    assert type(match.score) is float
    assert isinstance(match, Match)


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)


@settings(max_examples=60, deadline=None)
@given(
    corpus=st.lists(st.tuples(text, text, st.lists(text, max_size=3)), max_size=6),
    q=st.tuples(text, text, st.lists(text, max_size=3)),
)
def test_scores_are_always_within_zero_and_one(corpus, q):
    index = SimilarityIndex([Proposal(i, t, d, tags=tags) for i, (t, d, tags) in enumerate(corpus)])
    matches = index.similar(q[0], q[1], q[2], threshold=0.0, limit=None)
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    for _, _, s in index.duplicates_within(threshold=0.0):
        assert 0.0 <= s <= 1.0 and np.isfinite(s)


def test_char_ngrams_are_the_same_as_sklearn_char_wb():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from recruitment.similarity import _CharNgramVectoriser

    texts = [p.title + " " + p.description for p in CORPUS[:5]] + [
        "a to I x",
        "Café naïve   résumé\tA&E",
        "CPI/inflation e-mail 2024-25",
    ]
    ours = _CharNgramVectoriser()
    mine = ours.fit_transform(texts).toarray()
    ref = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        strip_accents="unicode",
        use_idf=False,
        sublinear_tf=True,
        norm=None,
    )
    theirs = ref.fit_transform(texts).toarray()
    assert set(ours.vocabulary_) == set(ref.vocabulary_)
    order = [ours.vocabulary_[g] for g in ref.get_feature_names_out()]
    np.testing.assert_allclose(mine[:, order], theirs)
    np.testing.assert_allclose(ours.transform(texts).toarray(), mine)


def test_word_variants_share_a_stem():
    from recruitment.similarity import _word_analyzer

    def same(a: str, b: str) -> bool:
        return _word_analyzer(a) == _word_analyzer(b)

    assert same("estimate", "estimating")
    assert same("estimates", "estimated")
    assert same("images", "image")
    assert same("yields", "yield")
    assert same("automation", "automating")
    assert same("agricultural", "agriculture")
    assert same("planning", "plan")
    assert _word_analyzer("the and of") == []
    assert _word_analyzer("crop yields") == ["crop", "yield", "crop yield"]
