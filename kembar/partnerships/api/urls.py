from django.urls import path

from kembar.partnerships.api import views

urlpatterns = [
    path("partnerships/", views.PartnershipListView.as_view(), name="api-partnership-list"),
    path(
        "partnerships/<slug:slug>/",
        views.PartnershipDetailView.as_view(),
        name="api-partnership-detail",
    ),
    path(
        "partnerships/<slug:slug>/transitions/",
        views.TransitionListView.as_view(),
        name="api-partnership-transitions",
    ),
    path(
        "partnerships/<slug:slug>/transitions/<int:pk>/approve/",
        views.TransitionDecisionView.as_view(decision="approve"),
        name="api-transition-approve",
    ),
    path(
        "partnerships/<slug:slug>/transitions/<int:pk>/reject/",
        views.TransitionDecisionView.as_view(decision="reject"),
        name="api-transition-reject",
    ),
    path(
        "partnerships/<slug:slug>/documents/",
        views.DocumentListView.as_view(),
        name="api-partnership-documents",
    ),
    path("lifecycle/", views.LifecycleView.as_view(), name="api-lifecycle"),
    path("inbound-requests/", views.InboundRequestListView.as_view(), name="api-inbound-list"),
    path(
        "inbound-requests/<int:pk>/review/",
        views.InboundRequestActionView.as_view(action="review"),
        name="api-inbound-review",
    ),
    path(
        "inbound-requests/<int:pk>/accept/",
        views.InboundRequestActionView.as_view(action="accept"),
        name="api-inbound-accept",
    ),
    path(
        "inbound-requests/<int:pk>/decline/",
        views.InboundRequestActionView.as_view(action="decline"),
        name="api-inbound-decline",
    ),
]
