"""``/api/v1/knowledge/…``: search, and writes of lessons, practices, policies, reflections."""

from django.urls import path

from kembar.knowledge.api import views

urlpatterns = [
    path("knowledge/", views.KnowledgeSearchView.as_view(), name="api-knowledge-search"),
    path("knowledge/lessons/", views.LessonListView.as_view(), name="api-lesson-list"),
    path(
        "knowledge/lessons/<int:lesson>/",
        views.LessonDetailView.as_view(),
        name="api-lesson-detail",
    ),
    path("knowledge/practices/", views.PracticeListView.as_view(), name="api-practice-list"),
    path(
        "knowledge/practices/<int:practice>/",
        views.PracticeDetailView.as_view(),
        name="api-practice-detail",
    ),
    path("knowledge/policies/", views.PolicyListView.as_view(), name="api-policy-list"),
    path(
        "knowledge/policies/<int:policy>/",
        views.PolicyDetailView.as_view(),
        name="api-policy-detail",
    ),
    path("knowledge/reflections/", views.ReflectionListView.as_view(), name="api-reflection-list"),
    path(
        "knowledge/reflections/<int:reflection>/review/",
        views.ReflectionReviewView.as_view(),
        name="api-reflection-review",
    ),
]
