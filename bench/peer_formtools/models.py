"""A submitted report and its line items, as app/flows/expenses/models.py has them."""

from __future__ import annotations

from django.db import models


class Report(models.Model):  # type: ignore[misc]  # Django ships no types
    reference = models.CharField(max_length=12, unique=True)
    submitted_at = models.DateTimeField()
    full_name = models.CharField(max_length=100)
    work_email = models.CharField(max_length=320)
    employee_id = models.CharField(max_length=20)
    department = models.CharField(max_length=40)
    manager_email = models.CharField(max_length=320)
    business_purpose = models.CharField(max_length=200)
    fields_typed = models.IntegerField()


class LineItem(models.Model):  # type: ignore[misc]
    report = models.ForeignKey(Report, related_name="items", on_delete=models.CASCADE)
    position = models.IntegerField()
    receipt_date = models.DateField()
    merchant = models.CharField(max_length=100)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200)
    category = models.CharField(max_length=40)
    details = models.CharField(max_length=200)

    class Meta:
        ordering = ("position",)
