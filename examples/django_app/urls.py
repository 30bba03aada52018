"""URL configuration of the example."""

from __future__ import annotations

from django.urls import path

from examples.django_app.views import admin, me, orders

urlpatterns = [path("me", me), path("admin", admin), path("orders", orders)]
