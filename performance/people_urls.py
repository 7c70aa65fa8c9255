"""URLs of 1:1s, feedback and goals, included into performance/urls.py (same namespace)."""

from django.urls import path

from . import people_views as views

urlpatterns = [
    path("people/one-on-ones/", views.one_on_one_overview, name="one-on-one-overview"),
    path("people/me/one-on-ones/", views.my_one_on_ones, name="my-one-on-ones"),
    path("people/me/feedback/", views.my_feedback, name="my-feedback"),
    path("people/me/goals/", views.my_goals, name="my-goals"),
    path(
        "people/associates/<int:associate_id>/one-on-ones/",
        views.associate_one_on_ones,
        name="associate-one-on-ones",
    ),
    path("people/associates/<int:associate_id>/cadence/", views.cadence_set, name="cadence-set"),
    path(
        "people/associates/<int:associate_id>/one-on-ones/plan/",
        views.one_on_one_plan,
        name="one-on-one-plan",
    ),
    path(
        "people/associates/<int:associate_id>/feedback/",
        views.associate_feedback,
        name="associate-feedback",
    ),
    path(
        "people/associates/<int:associate_id>/goals/",
        views.associate_goals,
        name="associate-goals",
    ),
    path("people/teams/<int:team_id>/goals/", views.team_goals, name="team-goals"),
    path("people/goals/<int:goal_id>/", views.goal_detail, name="goal-detail"),
    path(
        "people/one-on-ones/<int:one_on_one_id>/",
        views.one_on_one_detail,
        name="one-on-one-detail",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/agenda/",
        views.agenda_add,
        name="one-on-one-agenda-add",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/notes/",
        views.notes_save,
        name="one-on-one-notes",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/private-note/",
        views.private_note_save,
        name="one-on-one-private-note",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/action-items/",
        views.action_item_add,
        name="action-item-add",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/held/",
        views.one_on_one_held,
        name="one-on-one-held",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/cancel/",
        views.one_on_one_cancel,
        name="one-on-one-cancel",
    ),
    path(
        "people/action-items/<int:item_id>/toggle/",
        views.action_item_toggle,
        name="action-item-toggle",
    ),
]
