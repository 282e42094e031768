"""Bodies over Werkzeug's limits: the whole body (MAX_CONTENT_LENGTH), one field
(MAX_FORM_MEMORY_SIZE) and the number of parts (MAX_FORM_PARTS) each get their own true
message, the step again from memory, never a 500 or a false "expired" (issue 15, class 4).
On every flow: the step with files (receipts, the problem's attachments)."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from tests.adversarial.browsers import heading
from tests.adversarial.flows import after_items, before_items, item_field, shown, title, typed
from tests.helpers import PLACES, Wizard

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


def at_items_with_memory(app: Flask, driver: type[Wizard], place: str) -> Wizard:
    """At the items step, with memory holding "Remembered" (kept by Add)."""
    wizard = driver(app.test_client(), place, follow=True)
    before_items(wizard)
    page = wizard.post(wizard.items_step, {**typed(wizard, "Remembered"), "action": "add"})
    assert shown(page, wizard) == "Remembered"
    return wizard


def over_the_limit(wizard: Wizard, kind: str) -> dict[str, Any]:
    data: dict[str, Any] = typed(wizard, "Typed now")
    if kind == "whole":
        data.update({item_field(wizard, i, "file"): photo(400_000) for i in range(3)})
    elif kind == "field":
        data.update(typed(wizard, "d" * 600_000))
    else:
        data.update({f"extra-{i}": "x" for i in range(1_001)})
    return data


MESSAGES = {"whole": WHOLE, "field": FIELD, "parts": PARTS}


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1_000_000}])
@pytest.mark.parametrize("kind", ["whole", "field", "parts"])
@pytest.mark.parametrize("place", PLACES)
def test_each_limit_gets_its_own_true_message_and_the_step_again(
    app: Flask, place: str, kind: str, driver: type[Wizard]
) -> None:
    wizard = at_items_with_memory(app, driver, place)
    data = {"csrf_token": wizard.token(), "memory_state": wizard.state,
            **over_the_limit(wizard, kind)}  # fmt: skip
    url = wizard.url(wizard.items_step)
    page = wizard.client.post(url, data=data, content_type="multipart/form-data")
    assert page.status_code == 413
    assert MESSAGES[kind] in page.text
    assert all(other not in page.text for other in MESSAGES.values() if other != MESSAGES[kind])
    assert "has expired" not in page.text
    if place == "form":  # its memory was in the body that was not read
        assert FORM_MEMORY in page.text and BACK in page.text
        return
    assert heading(page) == title(wizard, wizard.items_step)
    assert shown(page, wizard) == "Remembered" and BACK in page.text


def test_eleven_photos_of_five_megabytes_with_memory_in_the_form(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = at_items_with_memory(app, driver, "form")
    data: dict[str, Any] = {"csrf_token": wizard.token(), "memory_state": wizard.state}
    data.update(wizard.items_page([{} for _ in range(11)]))
    data.update({item_field(wizard, i, "file"): photo(5 * 1024 * 1024) for i in range(11)})
    page = wizard.client.post(wizard.url(wizard.items_step), data=data)
    assert page.status_code == 413
    assert f"{WHOLE} 52.0 MB" in page.text and FORM_MEMORY in page.text
    # the page before is intact (the state it carries): Back, then fewer files
    next_step = (*after_items(wizard), wizard.steps[-1])[0]
    page = wizard.post(wizard.items_step, wizard.page_data(wizard.items_step))
    assert heading(page) == title(wizard, next_step)


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1_000_000}])
def test_a_page_without_files_over_the_whole_limit_is_not_told_about_files(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = at_items_with_memory(app, driver, "server")
    notes = {item_field(wizard, 0, f"note{i}"): "n" * 100_000 for i in range(11)}  # no file
    data = {"csrf_token": wizard.token(), **typed(wizard, "Typed now"), **notes}
    page = wizard.client.post(wizard.url(wizard.items_step), data=data)  # urlencoded
    assert page.status_code == 413
    summary = page.text.split("There is a problem")[1].split("</div>")[0]
    assert "This page sent more than 976.6 KB, so nothing on it was sent." in summary
    assert "files" not in summary
    assert heading(page) == title(wizard, wizard.items_step)
    assert shown(page, wizard) == "Remembered"


def test_a_page_other_than_a_step_says_which_limit_too(app: Flask) -> None:
    wizard = Wizard(app.test_client(), "server", follow=True)
    data = {"csrf_token": wizard.token(), **{f"extra-{i}": "x" for i in range(1_001)}}
    page = wizard.client.post("/memory", data=data, content_type="multipart/form-data")
    assert page.status_code == 413 and PARTS in page.text and WHOLE not in page.text


def test_a_limit_on_every_page_set_in_the_configuration_still_counts(tmp_path: Any) -> None:
    """The app checks only its limited views (ratelimit.check_only_limited_views); a default
    limit configured by hand keeps Flask-Limiter's check before every request."""
    from tests.conftest import make_app

    app = make_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
