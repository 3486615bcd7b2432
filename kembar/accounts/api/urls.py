from django.urls import path

from kembar.accounts.api import views

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="api-auth-token"),
    path("auth/logout/", views.TokenRevokeView.as_view(), name="api-auth-logout"),
    path("auth/logout-all/", views.TokenRevokeAllView.as_view(), name="api-auth-logout-all"),
    path("auth/me/", views.MeView.as_view(), name="api-auth-me"),
]
