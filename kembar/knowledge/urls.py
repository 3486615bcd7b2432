"""Knowledge pages of the staff area, included by ``config.urls`` at ``/staff/knowledge/``.

The parameters are named after the record (``lesson``, ``policy``) so that a
route says what it expects.
"""

from django.urls import path

from kembar.knowledge import measures_views, views

app_name = "knowledge"
urlpatterns = [
    path("", views.lesson_list, name="lesson-list"),
    path("lessons/new/", views.lesson_create, name="lesson-create"),
    path("lessons/<int:lesson>/", views.lesson_detail, name="lesson-detail"),
    path("lessons/<int:lesson>/edit/", views.lesson_edit, name="lesson-edit"),
    path("lessons/<int:lesson>/review/", views.lesson_review, name="lesson-review"),
    path("lessons/<int:lesson>/apply/", views.lesson_apply, name="lesson-apply"),
    path("follow-ups/<int:pk>/advance/", views.followup_advance, name="followup-advance"),
    path("follow-ups/<int:pk>/drop/", views.followup_drop, name="followup-drop"),
    path("practices/", views.practice_list, name="practice-list"),
    path("practices/new/", views.practice_create, name="practice-create"),
    path("practices/<int:practice>/edit/", views.practice_edit, name="practice-edit"),
    path("practices/matches/", views.practice_matches, name="practice-matches"),
    path("policies/", views.policy_list, name="policy-list"),
    path("policies/new/", views.policy_create, name="policy-create"),
    path("policies/<int:policy>/", views.policy_detail, name="policy-detail"),
    path("policies/<int:policy>/publish/", views.policy_publish, name="policy-publish"),
    path("policies/<int:policy>/evidence/", views.policy_evidence, name="policy-evidence"),
    path("measures/", measures_views.measures, name="measures"),
    path("reflections/", views.reflection_queue, name="reflection-queue"),
    path("reflections/<int:pk>/review/", views.reflection_review, name="reflection-review"),
    path("activities/<slug:reference>/reflection/", views.reflection_form, name="reflection"),
]
