"""Survey pages: participants under ``surveys/``; coordinators under their programme
(``programmes/<slug>/surveys/``) and cohort (``programmes/<slug>/cohorts/<pk>/surveys/``).

Included at the root of the project. The coordinators' pages used to live under
``surveys/<slug>/``: those addresses answer 301 to the new ones (``old_<name>``).
"""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "feedback"

PROGRAMME = "programmes/<slug:slug>/surveys/"
COHORT = "programmes/<slug:slug>/cohorts/<int:pk>/surveys/"


def _moved(route: str, name: str):
    """The old address of page ``name``: a permanent redirect that keeps the query string."""
    view = RedirectView.as_view(
        pattern_name=f"{app_name}:{name}", permanent=True, query_string=True
    )
    return path(route, view, name=f"old_{name}")


urlpatterns = [
    # Participants.
    path("surveys/", views.my_surveys, name="mine"),
    path("surveys/answer/<str:token>/", views.answer, name="answer"),
    # Coordinators, per programme.
    path(PROGRAMME, views.template_list, name="templates"),
    path(PROGRAMME + "<int:pk>/", views.builder, name="builder"),
    path(PROGRAMME + "<int:pk>/settings/", views.template_edit, name="template_edit"),
    path(PROGRAMME + "<int:pk>/publish/", views.template_publish, name="publish"),
    path(PROGRAMME + "<int:pk>/compare/", views.template_compare, name="compare"),
    path(
        PROGRAMME + "<int:pk>/questions/<int:question_pk>/",
        views.question_edit,
        name="question_edit",
    ),
    path(
        PROGRAMME + "<int:pk>/questions/<int:question_pk>/move/",
        views.question_move,
        name="question_move",
    ),
    path(
        PROGRAMME + "<int:pk>/questions/<int:question_pk>/remove/",
        views.question_remove,
        name="question_remove",
    ),
    # Coordinators, per cohort.
    path(COHORT, views.cohort_surveys, name="cohort"),
    path(COHORT + "schedules/<int:schedule_pk>/", views.schedule_edit, name="schedule_edit"),
    path(COHORT + "schedules/<int:schedule_pk>/results/", views.schedule_results, name="results"),
    path(COHORT + "schedules/<int:schedule_pk>/results.csv", views.schedule_export, name="export"),
    # Old addresses (before one URL tree per cohort).
    _moved("surveys/<slug:slug>/", "templates"),
    _moved("surveys/<slug:slug>/<int:pk>/", "builder"),
    _moved("surveys/<slug:slug>/<int:pk>/settings/", "template_edit"),
    _moved("surveys/<slug:slug>/<int:pk>/publish/", "publish"),
    _moved("surveys/<slug:slug>/<int:pk>/compare/", "compare"),
    _moved("surveys/<slug:slug>/<int:pk>/questions/<int:question_pk>/", "question_edit"),
    _moved("surveys/<slug:slug>/<int:pk>/questions/<int:question_pk>/move/", "question_move"),
    _moved("surveys/<slug:slug>/<int:pk>/questions/<int:question_pk>/remove/", "question_remove"),
    _moved("surveys/<slug:slug>/cohorts/<int:pk>/", "cohort"),
    _moved("surveys/<slug:slug>/cohorts/<int:pk>/schedules/<int:schedule_pk>/", "schedule_edit"),
    _moved("surveys/<slug:slug>/cohorts/<int:pk>/schedules/<int:schedule_pk>/results/", "results"),
    _moved(
        "surveys/<slug:slug>/cohorts/<int:pk>/schedules/<int:schedule_pk>/results.csv", "export"
    ),
]
