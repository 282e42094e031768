"""The wizard on django-formtools, in both of its session flavours, and the pages around it.

ExpenseSessionWizard is the SessionWizardView SPEC §8 names: one URL, each valid POST
answers with the next step's page. ExpenseNamedUrlWizard is NamedUrlSessionWizardView:
one URL per step and a redirect after every POST, as the app does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.forms import BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlSessionWizardView, SessionWizardView, normalize_name

from . import summary
from .forms import CategoriesStepForm, EmployeeForm, ReceiptFormSet, ReviewForm
from .models import LineItem, Report
from .rules import CONTENT_SECURITY_POLICY, new_reference

STEPS = (
    ("employee", EmployeeForm),
    ("receipts", ReceiptFormSet),
    ("categories", CategoriesStepForm),
    ("review", ReviewForm),
)
TITLES = {
    "employee": "Employee details",
    "receipts": "Receipts",
    "categories": "Categories",
    "review": "Review and submit",
}
SUBMITTED = "submitted"  # the session's list of report references this browser submitted


class ExpenseWizardMixin:
    """Steps, templates, the review's summary and done(), shared by both flavours."""

    form_list = STEPS
    request: HttpRequest
    storage: Any
    steps: Any
    get_form: Callable[..., Any]

    def get_template_names(self) -> list[str]:
        return ["peer/review.html" if self.steps.current == "review" else "peer/step.html"]

    def valid_form(self, step: str) -> Any:
        """The step's form bound to its stored data if it validates, else None (cached:
        formtools keeps raw POST data, so every read validates it again)."""
        cache: dict[str, Any] = self.__dict__.setdefault("_valid_forms", {})
        if step not in cache:
            form = self.get_form(step=step, data=self.storage.get_step_data(step))
            cache[step] = form if form.is_valid() else None
        return cache[step]

    def process_step(self, form: Any) -> Any:
        """A valid POST changes stored data: forget the forms validated before it."""
        self.__dict__.pop("_valid_forms", None)
        return super().process_step(form)  # type: ignore[misc]

    def lines(self, with_categories: bool = False) -> list[summary.Line]:
        receipts = self.valid_form("receipts")
        categories = self.valid_form("categories") if with_categories else None
        return summary.lines_from_steps(
            [] if receipts is None else receipts.cleaned_data,
            None if categories is None else categories.cleaned_data,
        )

    def get_form_initial(self, step: str) -> Any:
        if step == "categories":
            receipts = self.valid_form("receipts")
            cleaned = [] if receipts is None else receipts.cleaned_data
            return [{"receipt_id": r["id"]} for r in cleaned]
        return {}

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(form=form, **kwargs)  # type: ignore[misc]
        step = self.steps.current
        context.update(title=TITLES[step], step=step, errors=error_list(form))
        if step == "categories":
            context["groups"] = list(zip(self.lines(), form.forms, strict=False))
        elif step == "review":
            context["summary"] = self.review_summary()
        return context

    def review_summary(self) -> summary.Summary | None:
        employee, categories = self.valid_form("employee"), self.valid_form("categories")
        if employee is None or categories is None:
            return None
        purpose = categories.purpose.cleaned_data["business_purpose"]
        return summary.from_steps(employee.cleaned_data, self.lines(True), purpose)

    def done(self, form_list: Any, form_dict: dict[str, Any], **kwargs: Any) -> HttpResponse:
        report = save_report(form_dict)
        session = self.request.session
        session[SUBMITTED] = [*session.get(SUBMITTED, []), report.reference]
        return redirect("confirmation", reference=report.reference)


class ExpenseSessionWizard(ExpenseWizardMixin, SessionWizardView):  # type: ignore[misc]
    pass


class ExpenseNamedUrlWizard(ExpenseWizardMixin, NamedUrlSessionWizardView):  # type: ignore[misc]
    pass


def prefix_of(wizard: type) -> str:
    """The name prefix of a wizard's ManagementForm field (current_step)."""
    name: str = ManagementForm(prefix=normalize_name(wizard.__name__))["current_step"].html_name
    return name


def save_report(form_dict: dict[str, Any]) -> Report:
    """Write the report and its line items in one transaction (a new reference on a clash)."""
    employee = form_dict["employee"].cleaned_data
    categories = form_dict["categories"]
    lines = summary.lines_from_steps(form_dict["receipts"].cleaned_data, categories.cleaned_data)
    purpose = categories.purpose.cleaned_data["business_purpose"]
    for _ in range(3):
        try:
            with transaction.atomic():
                report: Report = Report.objects.create(
                    reference=new_reference(),
                    submitted_at=timezone.now(),
                    business_purpose=purpose,
                    fields_typed=typed_fields(employee, lines, purpose),
                    **employee,
                )
                LineItem.objects.bulk_create(line_items(report, lines))
        except IntegrityError:
            continue
        return report
    raise RuntimeError("Could not store the report; please submit it again.")


def line_items(report: Report, lines: list[summary.Line]) -> list[LineItem]:
    return [
        LineItem(
            report=report,
            position=line.number - 1,
            receipt_date=line.date,
            merchant=line.merchant,
            amount_minor=line.amount_minor,
            currency=line.currency,
            description=line.description,
            category=line.category,
            details=line.details,
        )
        for line in lines
    ]


def typed_fields(employee: dict[str, Any], lines: list[summary.Line], purpose: str) -> int:
    """Every non-empty answer (memory is always "on" here: nothing is typed twice)."""
    per_line = (
        (line.date, line.merchant, line.amount_minor, line.currency, line.description)
        for line in lines
    )
    categories = ((line.category, line.details) for line in lines)
    answers = (v for group in (*per_line, *categories) for v in group)
    values = [*employee.values(), *answers, purpose]
    return sum(1 for value in values if value not in ("", None))


def error_list(form: Any) -> list[tuple[str, str]]:
    """(field id, first message) for every invalid field, in page order."""
    if not isinstance(form, BaseFormSet):
        return _form_errors(form)
    found = [("main-content", message) for message in form.non_form_errors()]
    found += [item for entry in form.forms for item in _form_errors(entry)]
    purpose = getattr(form, "purpose", None)
    return found + (_form_errors(purpose) if purpose is not None else [])


def _form_errors(form: Any) -> list[tuple[str, str]]:
    errors = form.errors
    top = [("main-content", message) for message in errors.get("__all__", [])]
    return top + [
        (form[name].auto_id, errs[0]) for name, errs in errors.items() if name != "__all__"
    ]


def start(request: HttpRequest, flavour: str) -> HttpResponse:
    """The start page; its button starts a new report on the given wizard flavour."""
    return render(request, "peer/start.html", {"flavour": flavour})


def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    """The submitted report, only for the browser that submitted it."""
    if reference not in request.session.get(SUBMITTED, []):
        raise Http404
    try:
        report = Report.objects.prefetch_related("items").get(reference=reference)
    except Report.DoesNotExist as e:
        raise Http404 from e
    context = {"report": report, "summary": summary.from_report(report)}
    return render(request, "peer/confirmation.html", context)


def switch_memory(request: HttpRequest) -> HttpResponseRedirect:
    """The header's switch (markup parity only: this peer has no memory to switch)."""
    return HttpResponseRedirect(reverse("session_start"), status=303)


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Any:
    """The app's after_request headers that Django's SecurityMiddleware does not add."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Cache-Control"] = "no-store"
        return response

    return middleware
