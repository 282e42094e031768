"""Bodies over Werkzeug's limits: the whole body (MAX_CONTENT_LENGTH), one field
(MAX_FORM_MEMORY_SIZE) and the number of parts (MAX_FORM_PARTS) each get their own true
message, the step again from memory, never a 500 or a false "expired" (issue 15, class 4)."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from tests.adversarial.browsers import heading
from tests.helpers import PLACES, Wizard, receipt_form

# Werkzeug leaves the temporary files of a body it refused half-read to the garbage
# collector: collected here, inside the test, where their warning is ignored.
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(autouse=True)
def collect_refused_files() -> Iterator[None]:
    yield
    gc.collect()


WHOLE = "The files you chose add up to more than"
FIELD = "One field on this page held more than"
PARTS = "This page sent more than 1,000 fields and files at once"
FORM_MEMORY = "could not be read, so this page cannot show your answers"
BACK = "Back button returns to the page as you left it"


def photo(size: int) -> FileStorage:
    return FileStorage(io.BytesIO(b"\xff\xd8\xff" + b"0" * (size - 3)), "photo.jpg", "image/jpeg")


def at_receipts_with_memory(app: Flask, place: str) -> Wizard:
    """At Receipts, with memory holding "Remembered" (kept by Add)."""
    wizard = Wizard(app.test_client(), place, follow=True)
    wizard.start()
    wizard.fill_employee()
    page = wizard.post("receipts", {**receipt_form(0, merchant="Remembered"), "action": "add"})
    assert 'value="Remembered"' in page.text
    return wizard


def over_the_limit(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = receipt_form(0, merchant="Typed now")
    if kind == "whole":
        data.update({f"receipts-{i}-file": photo(400_000) for i in range(3)})
    elif kind == "field":
        data["receipts-0-description"] = "d" * 600_000
    else:
        data.update({f"extra-{i}": "x" for i in range(1_001)})
    return data


MESSAGES = {"whole": WHOLE, "field": FIELD, "parts": PARTS}


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1_000_000}])
@pytest.mark.parametrize("kind", ["whole", "field", "parts"])
@pytest.mark.parametrize("place", PLACES)
def test_each_limit_gets_its_own_true_message_and_the_step_again(
    app: Flask, place: str, kind: str
) -> None:
    wizard = at_receipts_with_memory(app, place)
    data = {"csrf_token": wizard.token(), "memory_state": wizard.state, **over_the_limit(kind)}
    page = wizard.client.post(wizard.url("receipts"), data=data, content_type="multipart/form-data")
    assert page.status_code == 413
    assert MESSAGES[kind] in page.text
    assert all(other not in page.text for other in MESSAGES.values() if other != MESSAGES[kind])
    assert "has expired" not in page.text
    if place == "form":  # its memory was in the body that was not read
        assert FORM_MEMORY in page.text and BACK in page.text
        return
    assert heading(page) == "Receipts" and 'value="Remembered"' in page.text
    assert BACK in page.text


def test_eleven_photos_of_five_megabytes_with_memory_in_the_form(app: Flask) -> None:
    wizard = at_receipts_with_memory(app, "form")
    data: dict[str, Any] = {"csrf_token": wizard.token(), "memory_state": wizard.state}
    for i in range(11):
        data.update(receipt_form(i))
        data[f"receipts-{i}-file"] = photo(5 * 1024 * 1024)
    page = wizard.client.post(wizard.url("receipts"), data=data)
    assert page.status_code == 413
    assert f"{WHOLE} 52.0 MB" in page.text and FORM_MEMORY in page.text
    wizard.state = wizard.state  # the page before is intact: Back, then fewer files
    assert heading(wizard.post("receipts", receipt_form(0))) == "Categories"


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1_000_000}])
def test_a_page_without_files_over_the_whole_limit_is_not_told_about_files(app: Flask) -> None:
    wizard = at_receipts_with_memory(app, "server")
    typed = {f"receipts-0-note{i}": "n" * 100_000 for i in range(11)}  # no file at all
    data = {"csrf_token": wizard.token(), **receipt_form(0, merchant="Typed now"), **typed}
    page = wizard.client.post(wizard.url("receipts"), data=data)  # urlencoded
    assert page.status_code == 413
    summary = page.text.split("There is a problem")[1].split("</div>")[0]
    assert "This page sent more than 976.6 KB, so nothing on it was sent." in summary
    assert "files" not in summary
    assert heading(page) == "Receipts" and 'value="Remembered"' in page.text


def test_a_page_other_than_a_step_says_which_limit_too(app: Flask) -> None:
    wizard = Wizard(app.test_client(), "server", follow=True)
    data = {"csrf_token": wizard.token(), **{f"extra-{i}": "x" for i in range(1_001)}}
    page = wizard.client.post("/memory", data=data, content_type="multipart/form-data")
    assert page.status_code == 413 and PARTS in page.text and WHOLE not in page.text
