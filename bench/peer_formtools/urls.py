"""URLs: the SessionWizardView under /report/, the NamedUrlSessionWizardView under /named/."""

from __future__ import annotations

from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from .views import (
    ExpenseNamedUrlWizard,
    ExpenseSessionWizard,
    confirmation,
    start,
    switch_memory,
)

named = ExpenseNamedUrlWizard.as_view(url_name="named_step", done_step_name="done")

urlpatterns = [
    path("", require_GET(start), {"flavour": "session"}, name="session_start"),
    path("named/", require_GET(start), {"flavour": "named"}, name="named_start"),
    path("report/", ExpenseSessionWizard.as_view(), name="session_wizard"),
    path("named/report/", named, name="named_wizard"),
    path("named/report/<str:step>/", named, name="named_step"),
    path("report/<str:reference>/confirmation/", require_GET(confirmation), name="confirmation"),
    path("memory/", require_POST(switch_memory), name="memory"),
]
