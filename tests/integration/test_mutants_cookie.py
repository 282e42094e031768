"""A cookie draft's page refused because it would not fit in the cookie leaves the draft
writable at once: the person shortens it and continues, and is not told that another tab
changed the draft (each write of the one cookie claims a copy number; a failed one gives
its claim back)."""

from __future__ import annotations

import secrets

from tests.helpers import Wizard, errors_of, receipt_form

ERROR_FULL = "This report no longer fits in a browser cookie"
CHANGED_ELSEWHERE = "This draft was changed in another tab"


def use_cookie(wizard: Wizard) -> None:
    assert wizard.choose("cookie").status_code == 303


def test_after_a_page_too_large_for_the_cookie_a_shorter_one_is_accepted_at_once(
    wizard: Wizard,
) -> None:
    use_cookie(wizard)
    wizard.start()
    assert wizard.draft_id.startswith("c.")
    assert wizard.fill_employee().location == wizard.url("receipts")
    too_many: dict[str, str] = {}
    for i in range(20):
        too_many.update(receipt_form(i, description=secrets.token_urlsafe(150)))
    refused = wizard.post("receipts", too_many)
    assert refused.status_code == 200 and ERROR_FULL in errors_of(refused)[0][1]
    shorter = wizard.post("receipts", receipt_form(0))  # at once: the same second
    assert CHANGED_ELSEWHERE not in shorter.text
    assert shorter.status_code == 303 and shorter.location == wizard.url("categories")
    assert 'value="Merchant 1"' in wizard.get("receipts").text
