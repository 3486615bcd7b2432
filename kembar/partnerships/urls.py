"""The staff area, included by ``config.urls`` at ``/staff/``."""

from django.urls import path

from kembar.partnerships import views

app_name = "staff"
urlpatterns = [
    path("", views.partnership_list, name="partnership-list"),
    path("partnerships/<slug:slug>/", views.partnership_detail, name="partnership-detail"),
    path("partnerships/<slug:slug>/edit/", views.partnership_edit, name="partnership-edit"),
    path(
        "partnerships/<slug:slug>/transition/",
        views.partnership_transition_view,
        name="partnership-transition",
    ),
    path(
        "partnerships/<slug:slug>/confirm/",
        views.partnership_confirm_view,
        name="partnership-confirm",
    ),
    path(
        "partnerships/<slug:slug>/conditions/",
        views.partnership_conditions,
        name="partnership-conditions",
    ),
    path("partnerships/<slug:slug>/plan/", views.partnership_plan, name="partnership-plan"),
    path("partnerships/<slug:slug>/documents/", views.document_upload, name="document-upload"),
    path("documents/<int:pk>/download/", views.document_download, name="document-download"),
    path("approvals/", views.approval_list, name="approvals"),
    path("transitions/<int:pk>/approve/", views.transition_approve, name="transition-approve"),
    path("transitions/<int:pk>/reject/", views.transition_reject, name="transition-reject"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/review/", views.request_review, name="request-review"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request-accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request-decline"),
]
