"""Why two people were paired, in words for whoever reads it.

The engine (``pairing/engine/``) stays pure and says what it found as plain data
(``explain()["facts"]``). This module, one layer above, phrases those facts for a reader:

- a participant reads about the other person by name, in the second person, without scores,
  grade arithmetic or engine names ("Sam teaches Python at the level you want to reach");
- a coordinator reads the same facts about both people by name, and the score's parts as named
  components on a 0-10 scale ("skills fit 8/10").

Rows written before facts existed hold the engine's strings; those are passed through for
coordinators and left out for participants (they were never meant for them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

LEVELS = {1: "aware", 2: "working", 3: "practitioner", 4: "expert"}
PRIORITY = {1: "low", 2: "medium", 3: "high"}

# The engine's score components, as a coordinator would name them (pairing/engine/scoring.py).
COMPONENT_LABELS = {
    "skill_fit": "skills fit",
    "mutual": "learning both ways",
    "interests": "shared interests",
    "project_fit": "project fit",
    "seniority": "seniority",
    "practicalities": "working hours and place",
}

# A coordinator reads hard rules in words (pairing/engine/scoring.py names them).
RULE_LABELS = {
    "same person": "the same person",
    "mentor is line manager": "the mentor is the mentee's line manager",
    "same team": "both in the same team",
    "same organisation": "both in the same organisation",
    "previous pair": "they were paired before",
    "excluded by coordinator": "a coordinator excluded this pair",
    "mentor capacity 0": "the mentor has no places",
}


def first_name(user) -> str:
    """How a participant is named to another: their first name, or their whole display name."""
    full = (getattr(user, "full_name", "") or "").strip()
    return full.split()[0] if full else user.display_name


def _level(n) -> str:
    return LEVELS.get(int(n), str(n)) if n is not None else ""


def _facts(items: Iterable) -> list:
    return list(items or [])


def for_participant(facts: Iterable, *, reader: str, other: str) -> list[str]:
    """Reasons for ``reader`` ("mentee" or "mentor") about the other person, named ``other``.

    Leaves out what would read as a verdict on the reader (grades, scores, broken rules) and
    engine strings from old rows."""
    out: list[str] = []
    for fact in _facts(facts):
        if not isinstance(fact, Mapping):
            continue
        kind = fact.get("kind")
        if kind == "teaches_wanted":
            skill = fact["skill"]
            high = fact.get("priority") == 3
            above = fact.get("mentor_level", 0) > fact.get("mentee_level", 0)
            if reader == "mentee":
                text = (
                    f"{other} teaches {skill} at the level you want to reach"
                    if above
                    else f"{other} teaches {skill}, which you want to learn"
                )
                out.append(text + (", one of your top priorities" if high else ""))
            else:
                out.append(f"{other} wants to learn {skill}, which you teach")
        elif kind == "mutual":
            skill = fact["skill"]
            if reader == "mentee":
                out.append(f"You can teach {other} some {skill}: {other} wants to learn it")
            else:
                out.append(f"{other} can teach you some {skill}, which you want to learn")
        elif kind == "interest":
            out.append(f"You are both interested in {fact['interest']}")
        elif kind == "project":
            skill = fact["skill"]
            if reader == "mentee":
                out.append(f"Your project involves {skill}, and {other} teaches it")
            else:
                out.append(f"{other}'s project involves {skill}, which you teach")
        elif kind == "overlap":
            hours = fact.get("hours") or 0
            if hours >= 1:
                out.append(f"Your working hours overlap by {_hours(hours)} a day")
        elif kind == "in_person" and fact.get("same_place"):
            out.append(f"You are both based in {fact.get('mentee_location')}")
    return out


def for_coordinator(facts: Iterable, *, mentee: str, mentor: str) -> list[str]:
    """Reasons for the coordinator reviewing a pair: both people by name, levels in words."""
    out: list[str] = []
    for fact in _facts(facts):
        if not isinstance(fact, Mapping):
            out.append(str(fact))  # a row from before facts existed
            continue
        kind = fact.get("kind")
        if kind == "blocked":
            rule = fact.get("rule", "")
            out.append(f"Breaks a rule: {RULE_LABELS.get(rule, rule.replace('_', ' '))}")
        elif kind == "teaches_wanted":
            skill = fact["skill"]
            line = (
                f"{mentor} teaches {skill} ({_level(fact.get('mentor_level'))}); {mentee} wants "
                f"it ({PRIORITY.get(fact.get('priority'), 'some')} priority, now "
                f"{_level(fact.get('mentee_level'))})"
            )
            if fact.get("mentor_level", 0) <= fact.get("mentee_level", 0):
                line += f", but {mentor} is not above {mentee}'s level"
            out.append(line)
        elif kind == "mutual":
            out.append(
                f"{mentee} can teach {mentor} {fact['skill']} ({_level(fact.get('mentee_level'))})"
            )
        elif kind == "interest":
            out.append(f"Both interested in {fact['interest']}")
        elif kind == "project":
            out.append(f"{mentee}'s project involves {fact['skill']}, which {mentor} teaches")
        elif kind == "grade":
            gap = fact.get("gap", 0)
            steps = f"{abs(gap)} grade{'s' if abs(gap) != 1 else ''}"
            where = (
                f"{mentor} is {steps} above {mentee}"
                if gap > 0
                else (f"{mentor} is {steps} below {mentee}" if gap < 0 else "Same grade")
            )
            wanted = f"{fact.get('min')} to {fact.get('max')} above"
            out.append(
                f"{where} (the settings prefer {wanted})"
                if not fact.get("within")
                else f"{where}, as the settings prefer"
            )
        elif kind == "overlap":
            out.append(f"Working hours overlap by {_hours(fact.get('hours') or 0)} a day")
        elif kind == "in_person":
            if fact.get("same_place"):
                out.append(f"Both based in {fact.get('mentee_location')} ({mentee} asked to meet)")
            else:
                out.append(
                    f"{mentee} asked to meet in person, but they are in different places "
                    f"({fact.get('mentee_location') or 'not given'} and "
                    f"{fact.get('mentor_location') or 'not given'})"
                )
    return out


def components(breakdown: Mapping | None) -> list[dict]:
    """The score's parts, named and on a 0-10 scale, with the weight as a percentage."""
    rows = []
    for name, part in (breakdown or {}).items():
        rows.append(
            {
                "label": COMPONENT_LABELS.get(name, name.replace("_", " ")),
                "score": out_of_ten(part.get("score")),
                "weight": round(100 * float(part.get("weight") or 0)),
            }
        )
    return rows


def out_of_ten(score) -> str:
    """A 0-1 score as "8/10" (empty for none)."""
    if score is None:
        return ""
    return f"{round(10 * float(score))}/10"


def _hours(hours: float) -> str:
    whole = round(hours)
    if abs(hours - whole) < 0.05:
        return f"{whole} hour{'s' if whole != 1 else ''}"
    return f"{hours:.1f} hours"
