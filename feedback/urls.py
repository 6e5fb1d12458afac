from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    # Participants' pages first: these words are never programme slugs.
    path("", views.my_surveys, name="mine"),
    path("answer/<str:token>/", views.answer, name="answer"),
    # Coordinators, per programme.
    path("<slug:slug>/", views.template_list, name="templates"),
    path("<slug:slug>/<int:pk>/", views.builder, name="builder"),
    path("<slug:slug>/<int:pk>/settings/", views.template_edit, name="template_edit"),
    path("<slug:slug>/<int:pk>/publish/", views.template_publish, name="publish"),
    path("<slug:slug>/<int:pk>/compare/", views.template_compare, name="compare"),
    path(
        "<slug:slug>/<int:pk>/questions/<int:question_pk>/",
        views.question_edit,
        name="question_edit",
    ),
    path(
        "<slug:slug>/<int:pk>/questions/<int:question_pk>/move/",
        views.question_move,
        name="question_move",
    ),
    path(
        "<slug:slug>/<int:pk>/questions/<int:question_pk>/remove/",
        views.question_remove,
        name="question_remove",
    ),
    # Coordinators, per cohort.
    path("<slug:slug>/cohorts/<int:pk>/", views.cohort_surveys, name="cohort"),
    path(
        "<slug:slug>/cohorts/<int:pk>/schedules/<int:schedule_pk>/",
        views.schedule_edit,
        name="schedule_edit",
    ),
    path(
        "<slug:slug>/cohorts/<int:pk>/schedules/<int:schedule_pk>/results/",
        views.schedule_results,
        name="results",
    ),
    path(
        "<slug:slug>/cohorts/<int:pk>/schedules/<int:schedule_pk>/results.csv",
        views.schedule_export,
        name="export",
    ),
]
