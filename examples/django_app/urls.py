"""URL configuration of the example."""

from __future__ import annotations

from django.urls import path

from examples.django_app.views import AdminView, MeView, OrdersView

urlpatterns = [
    path("me", MeView.as_view()),
    path("admin", AdminView.as_view()),
    path("orders", OrdersView.as_view()),
]
