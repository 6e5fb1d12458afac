"""The surveys every programme starts with. Plain data: services.survey_defaults_ensure() turns
it into templates (per programme) and schedules (per cohort), once."""

from .models import Audience, QuestionType, Trigger

Q = QuestionType

DEFAULT_TEMPLATES: list[dict] = [
    {
        "key": "relationship-check",
        "name": "30-day relationship check",
        "description": "A short check on how your mentoring relationship is going. Your "
        "coordinator sees your answers, so they can help if something is not working.",
        "anonymous": False,
        "audience": Audience.BOTH,
        "questions": [
            (
                Q.SCALE_1_5,
                "How well is your mentoring relationship working? (1 = not at all, 5 = very well)",
                True,
                [],
            ),
            (
                Q.SINGLE_CHOICE,
                "How often have you met in the last month?",
                True,
                ["Not yet", "Once", "Two or three times", "Every week"],
            ),
            (
                Q.WELLBEING_1_5,
                "How are you doing overall? (1 = struggling, 5 = thriving)",
                True,
                [],
            ),
            (Q.FREE_TEXT, "Is there anything your coordinator should know?", False, []),
        ],
    },
    {
        "key": "mid-point",
        "name": "Mid-point survey",
        # Whether it is anonymous is said by the email and the answer page (``anonymous``),
        # from the flag: the description does not say it again.
        "description": "Half way through: what is working and what would help.",
        "anonymous": True,
        "audience": Audience.BOTH,
        "questions": [
            (
                Q.SCALE_1_5,
                "How useful has the programme been so far? (1 = not useful, 5 = very useful)",
                True,
                [],
            ),
            (Q.WELLBEING_1_5, "How is your wellbeing? (1 = struggling, 5 = thriving)", True, []),
            (
                Q.SINGLE_CHOICE,
                "Are you getting your protected learning time?",
                True,
                ["Always", "Mostly", "Sometimes", "Rarely"],
            ),
            (
                Q.MULTIPLE_CHOICE,
                "What has helped most?",
                False,
                [
                    "Meetings with my mentor or mentee",
                    "Hub stand-ups",
                    "Protected time",
                    "Learning materials",
                    "Other participants",
                ],
            ),
            (Q.FREE_TEXT, "What one thing would make the second half better?", False, []),
        ],
    },
    {
        "key": "end-of-programme",
        "name": "End-of-programme survey",
        "description": "Looking back on the programme.",
        "anonymous": True,
        "audience": Audience.BOTH,
        "questions": [
            (
                Q.NPS_0_10,
                "How likely are you to recommend this programme to a colleague? (0 = "
                "not at all likely, 10 = extremely likely)",
                True,
                [],
            ),
            (
                Q.SINGLE_CHOICE,
                "Would you mentor / be mentored again?",
                True,
                ["Yes", "Maybe", "No"],
            ),
            (
                Q.SCALE_1_5,
                "How much did the programme help you reach your goals? (1 = not at "
                "all, 5 = completely)",
                True,
                [],
            ),
            (
                Q.WELLBEING_1_5,
                "How is your wellbeing now? (1 = struggling, 5 = thriving)",
                False,
                [],
            ),
            (Q.FREE_TEXT, "What should we keep, and what should we change?", False, []),
        ],
    },
]

# How each cohort schedules the default templates. "offset_days" None = half the cohort's length.
DEFAULT_SCHEDULES: list[dict] = [
    {
        "key": "relationship-check",
        "trigger": Trigger.PAIR_START,
        "offset_days": 30,
        "close_after_days": 14,
    },
    {
        "key": "mid-point",
        "trigger": Trigger.COHORT_START,
        "offset_days": None,
        "close_after_days": 14,
    },
    {
        "key": "end-of-programme",
        "trigger": Trigger.COHORT_END,
        "offset_days": 0,
        "close_after_days": 21,
    },
]
