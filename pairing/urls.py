"""Every page of the pairing app, with its full address (included at the root).

Participants' pages stay under /pairs/; coordinators' pages about a cohort live under
/programmes/<slug>/cohorts/<pk>/ and the programme's pairing settings under /programmes/<slug>/.
The old addresses answer a permanent redirect.
"""

from django.urls import path
from django.views.generic import RedirectView

from . import views

COHORT = "programmes/<slug:slug>/cohorts/<int:pk>/"
RUN = COHORT + "pairing/runs/<int:run_pk>/"
PROPOSAL = RUN + "proposals/<int:proposal_pk>/"

app_name = "pairing"
urlpatterns = [
    # Participants
    path("pairs/<int:pk>/", views.pair_detail, name="detail"),
    path("pairs/<int:pk>/checkins/<int:checkin_pk>/edit/", views.checkin_edit, name="checkin_edit"),
    path(
        "pairs/<int:pk>/checkins/<int:checkin_pk>/delete/",
        views.checkin_delete,
        name="checkin_delete",
    ),
    path("pairs/<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("pairs/<int:pk>/goals/<int:goal_pk>/", views.goal_progress, name="goal_progress"),
    path("pairs/choose/<int:cohort_pk>/", views.choose, name="choose"),
    # Coordinators: a cohort's pairs
    path(COHORT + "pairs/", views.cohort_pairs, name="cohort_pairs"),
    path(COHORT + "pairs/<int:pair_pk>/end/", views.pair_end, name="pair_end"),
    path(COHORT + "repair/<int:mentee_pk>/", views.repair, name="repair"),
    # Coordinators: pairing runs, one URL per change to a draft
    path(COHORT + "pairing/", views.cohort_pairing, name="cohort_pairing"),
    path(COHORT + "pairing/waiting/", views.pair_waiting, name="pair_waiting"),
    path(RUN, views.run_detail, name="run"),
    path(RUN + "reassign/", views.run_reassign, name="run_reassign"),
    path(RUN + "rerun/", views.run_rerun, name="run_rerun"),
    path(RUN + "publish/", views.run_publish, name="run_publish"),
    path(PROPOSAL + "lock/", views.proposal_lock, name="proposal_lock"),
    path(PROPOSAL + "unlock/", views.proposal_unlock, name="proposal_unlock"),
    path(PROPOSAL + "exclude/", views.proposal_exclude, name="proposal_exclude"),
    path(PROPOSAL + "swap/", views.proposal_swap, name="proposal_swap"),
    # Coordinators: the programme's weights and rules
    path("programmes/<slug:slug>/pairing-settings/", views.pairing_settings, name="settings"),
    # Old addresses
    path("pairs/runs/<int:run_pk>/", views.old_run, name="old_run"),
    path("pairs/runs/<int:run_pk>/action/", views.old_run_action, name="old_run_action"),
    path(
        "pairs/settings/<slug:slug>/",
        RedirectView.as_view(pattern_name="pairing:settings", permanent=True, query_string=True),
        name="old_settings",
    ),
]
