"""The peer of SPEC §8's speed target: Expense Wizard's four steps on django-formtools.

A minimal Django project configured in code (project.py), with the same steps, fields and
validation rules as app/flows/expenses/forms.py (no receipt files: formtools would need a
file_storage), templates with the same markup as templates/, and a done() that writes the
report and its line items through the Django ORM. bench/drafts.py times it against
the app. Import project first and call configure(); the other modules need settings.
"""
