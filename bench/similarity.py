"""Benchmark for programmes.similarity on synthetic proposals.

Run with ``python -m bench.similarity [--n 10000] [--queries 20] [--pairs-n 1000]``.
Prints one JSON line per measurement: ``{"measure": ..., "n": ..., "seconds": ...}``.

The synthetic proposals are built from templates and a public-sector data science vocabulary so
that word and character n-gram statistics are roughly realistic: titles of about 8 words and
descriptions of 60-150 words. The target is a single query against 10,000 past proposals in well
under 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from programmes.similarity import Proposal, SimilarityIndex

METHODS = [
    "machine learning",
    "gradient boosting",
    "random forests",
    "time series forecasting",
    "probabilistic record linkage",
    "natural language processing",
    "topic modelling",
    "text classification",
    "anomaly detection",
    "network analysis",
    "small area estimation",
    "multilevel modelling",
    "Bayesian hierarchical models",
    "computer vision",
    "web scraping",
    "geospatial analysis",
    "synthetic data generation",
    "nowcasting",
    "clustering",
    "reproducible analytical pipelines",
]
DATA = [
    "census returns",
    "the patient register",
    "VAT returns",
    "card spending data",
    "satellite imagery",
    "mobile phone data",
    "online job adverts",
    "consultation responses",
    "smart meter readings",
    "web-scraped prices",
    "administrative tax records",
    "school census data",
    "hospital episode statistics",
    "business survey returns",
    "AIS shipping messages",
    "traffic sensor counts",
    "land registry transactions",
    "benefit claimant records",
    "energy performance certificates",
    "police recorded crime",
]
TOPICS = [
    "crop yields",
    "consumer price inflation",
    "A&E demand",
    "population estimates",
    "commuting flows",
    "skills shortages",
    "household energy use",
    "rental prices",
    "trade volumes",
    "persistent school absence",
    "grant fraud",
    "housing affordability",
    "labour market flows",
    "regional productivity",
    "loneliness",
    "air quality",
    "road congestion",
    "small business births and deaths",
    "international migration",
    "GP access",
]
VERBS = ["Estimating", "Forecasting", "Measuring", "Predicting", "Mapping", "Monitoring"]
AUDIENCES = [
    "policy teams",
    "local authorities",
    "the Treasury",
    "NHS trusts",
    "statistical producers",
    "transport planners",
    "regional analysts",
]
SENTENCES = [
    "We will use {method} on {data} to produce better estimates of {topic}.",
    "The current approach relies on manual processing of {data} and takes several weeks.",
    "A prototype will compare {method} with the existing survey-based method.",
    "Outputs will be quality assured against published statistics on {topic}.",
    "The project will document the pipeline so that it can be reused by {audience}.",
    "Data access will follow the five safes framework and the relevant data sharing agreement.",
    "Early results will be shared with {audience} for feedback before any publication.",
    "We expect the new {method} approach to reduce revisions to estimates of {topic}.",
    "The analysis will be written in Python with version control and peer review.",
    "Linking {data} with {data2} could improve coverage for hard to reach groups.",
    "Uncertainty will be quantified with prediction intervals and sensitivity analysis.",
    "A dashboard will let {audience} explore {topic} by region and over time.",
    "Known limitations of {data} include coverage gaps and changes in definitions.",
    "The mentee will learn {method} and good practice in reproducible analysis.",
]


def synthetic_proposal(rng: random.Random, pid: int) -> Proposal:
    method, method2 = rng.sample(METHODS, 2)
    data, data2 = rng.sample(DATA, 2)
    topic = rng.choice(TOPICS)
    audience = rng.choice(AUDIENCES)
    title_words = f"{rng.choice(VERBS)} {topic} using {method} and {data}".split()
    title = " ".join(title_words[:8])
    words: list[str] = []
    target = rng.randint(60, 150)
    while len(words) < target:
        sentence = rng.choice(SENTENCES).format(
            method=rng.choice([method, method2]),
            data=data,
            data2=data2,
            topic=topic,
            audience=audience,
        )
        words.extend(sentence.split())
    description = " ".join(words[:target])
    tags = rng.sample(["health", "prices", "nlp", "forecasting", "geography", "automation"], 2)
    return Proposal(pid, title, description, tags=tags, extra=f"Benefit for {audience}.")


def synthetic_corpus(n: int, seed: int = 20240601) -> list[Proposal]:
    rng = random.Random(seed)
    return [synthetic_proposal(rng, i) for i in range(n)]


def emit(measure: str, n: int, seconds: float) -> None:
    print(json.dumps({"measure": measure, "n": n, "seconds": round(seconds, 4)}), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="past proposals to index")
    parser.add_argument("--queries", type=int, default=20, help="queries to time")
    parser.add_argument("--pairs-n", type=int, default=1_000, help="size for duplicates_within")
    args = parser.parse_args(argv)

    corpus = synthetic_corpus(args.n)
    start = time.perf_counter()
    index = SimilarityIndex(corpus)
    emit("build_index", args.n, time.perf_counter() - start)

    rng = random.Random(7)
    new = [synthetic_proposal(rng, f"new-{i}") for i in range(args.queries)]
    index.similar(new[0].title, new[0].description)  # warm-up (analyser caches, imports)
    timings = []
    for p in new:
        start = time.perf_counter()
        index.similar(p.title, p.description, p.tags, extra=p.extra)
        timings.append(time.perf_counter() - start)
    emit("query_median", args.n, statistics.median(timings))
    emit("query_max", args.n, max(timings))

    small = SimilarityIndex(corpus[: args.pairs_n])
    start = time.perf_counter()
    small.duplicates_within()
    emit("duplicates_within", args.pairs_n, time.perf_counter() - start)


if __name__ == "__main__":
    main()
