"""/guide (which kind of session memory fits you?) and the "How it works" diagram."""

from __future__ import annotations

import html
import itertools
import re
from collections import Counter
from urllib.parse import urlencode

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient

from tests.helpers import Wizard, errors_of

pytestmark = pytest.mark.demo  # the demonstration layer's own pages

ANSWERS = {
    "sensitive": "no",
    "size": "small",
    "servers": "several",
    "survive": "yes",
}
H1 = "<h1>Which kind of session memory fits you?</h1>"
NO_SCRIPT = "All three work without JavaScript: they use plain forms and cookies."
# The names of the places memory can live, as the pages show them (SPEC.md has no wording for them).
PLACES = {
    "server": "On the server",
    "cookie": "In a browser cookie",
    "form": "Passed through the form",
}
# The common mistakes on /guide: anchor id and heading (SPEC.md has no wording for them).
MISTAKES = {
    "too-much": "Storing too much",
    "never-expiring": "Never expiring",
    "database": "Treating session memory as the database",
}


def guide(client: FlaskClient, **args: str) -> str:
    response = client.get(f"/guide?{urlencode(args)}")
    assert response.status_code == 200
    return response.text


def text_of(page: str) -> str:
    """The page's text, tags dropped and white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def caption(page: str) -> str:
    found = re.search(r'<figcaption id="diagram-caption"[^>]*>(.*?)</figcaption>', page, re.S)
    assert found, "no diagram caption"
    return text_of(found[1])


def checked(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(\w+)" value="(\w+)" checked', page))


def test_the_guide_asks_four_questions_and_no_errors_at_first(client: FlaskClient) -> None:
    page = guide(client)
    assert H1 in page
    assert "<title>Which kind of session memory fits you?" in page
    assert page.count("<fieldset") == 4 and page.count("<legend") == 4
    assert "Answer four questions" in page and ">Four questions</h2>" in page
    assert "JavaScript?" not in page  # it changed nothing, so it is no longer asked
    assert text_of(page).count(NO_SCRIPT) == 1  # said once, near the intro
    assert '<form method="get" action="/guide#recommendation"' in page
    assert "Show my recommendation" in page
    assert "There is a problem" not in page and "Our recommendation" not in page


def test_answers_in_the_query_give_a_recommendation_with_reasons(client: FlaskClient) -> None:
    page = guide(client, **ANSWERS, show="yes")
    text = text_of(page)
    assert "Our recommendation: In a browser cookie" in text
    assert "several servers need no shared store" in text
    assert "Passed through the form: ruled out" in text
    assert text.count(NO_SCRIPT) == 1  # on the page once, not as a reason of the result
    assert "It works without JavaScript" not in text
    assert checked(page) == ANSWERS  # the answers stay chosen, to change one
    assert "There is a problem" not in page


def test_sensitive_data_is_recommended_on_the_server_with_redis(client: FlaskClient) -> None:
    page = guide(client, **{**ANSWERS, "sensitive": "yes"})
    text = text_of(page)
    assert "Our recommendation: On the server" in text
    assert "signed is not encrypted" in text
    assert "Redis" in text


def test_warnings_link_to_the_common_mistakes_on_the_page(client: FlaskClient) -> None:
    page = guide(client, **{**ANSWERS, "size": "large"})
    for mistake, title in MISTAKES.items():
        assert re.search(rf'<h3 id="mistake-{mistake}"[^>]*>{title}</h3>', page), title
    anchors = re.findall(r'href="#([\w-]+)"', page)
    assert {"mistake-too-much", "mistake-never-expiring"} <= set(anchors)
    assert all(f'id="{anchor}"' in page for anchor in anchors), "a link to nowhere"
    # The database mistake is always shown below: no warning repeats it.
    assert "mistake-database" not in anchors


def test_a_mistake_is_linked_once_when_two_warnings_belong_to_it(client: FlaskClient) -> None:
    page = guide(client, **ANSWERS)  # a cookie that survives the tab: old copies, and expiry
    result = page[page.index('id="recommendation"') : page.index('id="questions"')]
    assert "Surviving the tab is not living forever" in result
    assert "an old copy stays validly signed" in result
    assert result.count('href="#mistake-never-expiring"') == 1


def test_the_mistakes_link_only_to_pages_that_exist(client: FlaskClient) -> None:
    page = guide(client)
    mistakes = page[page.index('id="mistakes"') : page.index('id="how-it-works"')]
    targets = set(re.findall(r'href="(/[^"#]*)"', mistakes))
    assert targets == {"/", "/compare"}
    assert all(client.get(target).status_code == 200 for target in targets)
    assert "16 KB" in mistakes and "30 minutes" in mistakes and "8 hours" in mistakes


@pytest.mark.parametrize(
    ("args", "wrong"),
    [
        ({"show": "yes"}, ["sensitive", "size", "servers", "survive"]),
        ({**ANSWERS, "size": "huge"}, ["size"]),
        ({**ANSWERS, "servers": "<script>"}, ["servers"]),
        ({"sensitive": "yes", "survive": ""}, ["size", "servers", "survive"]),
    ],
)
def test_missing_or_bad_answers_show_the_form_again_with_an_error_summary(
    client: FlaskClient, args: dict[str, str], wrong: list[str]
) -> None:
    response = client.get(f"/guide?{urlencode(args)}")
    assert response.status_code == 200
    page = response.text
    assert "<title>Error: Which kind of session memory fits you?" in page
    assert "There is a problem" in page and H1 in page
    assert [field for field, _ in errors_of(response)] == wrong
    for field in wrong:
        assert f'id="{field}"' in page  # the summary's link has a target: the first radio
        assert f'id="{field}-error"' in page
        assert f'aria-describedby="{field}-hint {field}-error"' in page
    kept = {k: v for k, v in args.items() if k not in wrong and k != "show"}
    assert checked(page) == kept
    assert "Our recommendation" not in page
    assert "<script>" not in page


def test_repeated_and_unknown_parameters_do_no_harm(client: FlaskClient) -> None:
    response = client.get("/guide?utm_source=x")  # not the form: just the questions
    assert response.status_code == 200 and "There is a problem" not in response.text
    response = client.get(f"/guide?{urlencode(ANSWERS)}&size=large")  # the first value counts
    assert response.status_code == 200
    assert "Our recommendation: In a browser cookie" in response.text


RADIO = r'<input[^>]* type="radio"[^>]* name="(\w+)" value="(\w+)"'


def the_form(page: str) -> dict[str, list[str]]:
    """Each question's field name and values, read from the guide's radios as a browser would."""
    form: dict[str, list[str]] = {}
    for name, value in re.findall(RADIO, page):
        form.setdefault(name, []).append(value)
    return form


def every_combination(client: FlaskClient) -> list[dict[str, str]]:
    """Every complete set of answers the guide's form can send."""
    form = the_form(guide(client))
    assert set(form) >= set(ANSWERS), form  # every question read; any other is judged too
    return [dict(zip(form, values, strict=True)) for values in itertools.product(*form.values())]


def recommended(page: str) -> str:
    found = re.search(r'<h2 id="recommendation-title">Our recommendation: ([^<]+)</h2>', page)
    assert found, "no recommendation"
    return found[1]


BLOCK = r"</?(?:p|ul|li|dl|dt|dd|div|h[1-6]|section|form|fieldset|legend|button)\b[^>]*>"


def sentences_of_main(page: str) -> list[str]:
    """The sentences in the page's main part, case folded: a heading, paragraph, list item, term
    or description ends a sentence, and so does ".", "?" or "!" within one. The diagram is left
    out (it shows each part's description twice on purpose, in a panel and in a list), and so
    are the radios' labels (two questions are answered "Yes" or "No")."""
    main = re.search(r"<main\b.*?</main>", page, re.S)
    assert main, "no main"
    part, diagrams = re.subn(r'<figure class="diagram\b.*?</figure>', "", main[0], flags=re.S)
    part, lists = re.subn(r'<dl class="diagram-parts">.*?</dl>', "", part, flags=re.S)
    assert (diagrams, lists) == (1, 1), "the diagram was not found"
    part = re.sub(r'<label class="radio-label".*?</label>', "", part, flags=re.S)
    blocks = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(BLOCK, "\n", part))).split("\n")
    return [
        sentence.casefold()
        for block in blocks
        for sentence in re.split(r"(?<=[.?!])\s+", " ".join(block.split()))
        if sentence
    ]


def test_no_result_of_the_guide_says_a_sentence_twice(client: FlaskClient) -> None:
    said_twice: dict[str, list[str]] = {}
    for answers in every_combination(client):
        page = guide(client, **answers, show="yes")
        recommended(page)  # a result, not the questions again
        counts = Counter(sentences_of_main(page))
        repeated = sorted(sentence for sentence, times in counts.items() if times > 1)
        if repeated:
            said_twice[urlencode(answers)] = repeated
    assert said_twice == {}


def test_every_question_changes_the_recommendation_for_some_answers(client: FlaskClient) -> None:
    combinations = every_combination(client)
    shown = {urlencode(answers): recommended(guide(client, **answers)) for answers in combinations}
    assert set(shown.values()) == set(PLACES.values())
    for name, values in the_form(guide(client)).items():
        # Answers that differ in this question only, and are recommended differently.
        changes = [
            (answers, value)
            for answers in combinations
            for value in values
            if shown[urlencode({**answers, name: value})] != shown[urlencode(answers)]
        ]
        assert changes, f"the answer to {name!r} never changes the recommendation: drop it"


def test_using_the_recommendation_chooses_it_in_the_app(wizard: Wizard) -> None:
    page = guide(wizard.client, **ANSWERS)
    assert 'name="strategy" value="cookie"' in page
    response = wizard.client.post(
        "/memory/strategy", data={"strategy": "cookie", "next": "/", "csrf_token": wizard.token()}
    )
    assert response.status_code == 303
    page = guide(wizard.client, **ANSWERS)
    assert "This app already keeps the memory of your drafts this way" in page


def test_the_pages_with_the_diagram_load_its_styles(client: FlaskClient) -> None:
    for path in ("/how-it-works", "/guide"):
        page = client.get(path).text
        assert '<link rel="stylesheet" href="/static/css/diagram.css">' in page
    with client.get("/static/css/diagram.css") as response:  # closes the file it streams
        assert response.status_code == 200


def choose(wizard: Wizard, strategy: str) -> None:
    data = {"strategy": strategy, "next": "/", "csrf_token": wizard.token()}
    assert wizard.client.post("/memory/strategy", data=data).status_code == 303


@pytest.mark.parametrize(("strategy", "name"), list(PLACES.items()))
@pytest.mark.parametrize("path", ["/how-it-works", "/guide"])
def test_the_diagram_captions_the_strategy_in_use(
    wizard: Wizard, strategy: str, name: str, path: str
) -> None:
    choose(wizard, strategy)
    page = wizard.client.get(path).text
    assert caption(page).startswith(f"Highlighted path: {name}.")
    assert "nothing carried" not in page


@pytest.mark.parametrize("path", ["/how-it-works", "/guide"])
def test_with_memory_off_the_diagram_shows_the_path_broken(wizard: Wizard, path: str) -> None:
    wizard.switch_memory(on=False)
    page = wizard.client.get(path).text
    assert caption(page).startswith("Memory off: nothing carried.")
    assert "memory off: nothing carried</text>" in page
    assert "link-broken" in page and not re.search(r"\blink-on\b", page)
    wizard.switch_memory(on=True)
    assert caption(wizard.client.get(path).text).startswith("Highlighted path:")


def render_diagram(app: Flask, strategy: str, memory_on: bool | None) -> str:
    with app.test_request_context("/"):  # the app's own context names the places
        return render_template("demo/diagram.html", strategy=strategy, memory_on=memory_on)


# The parts on each strategy's path (the Cookie part is drawn for every strategy).
PATHS = {
    "server": {"browser", "cookie", "app", "store"},
    "cookie": {"browser", "cookie", "app"},
    "form": {"browser", "field", "app"},
}
PARTS = {"browser", "cookie", "field", "app", "store", "database", "files"}


@pytest.mark.parametrize("strategy", list(PATHS))
def test_every_strategy_highlights_its_own_path(app: Flask, strategy: str) -> None:
    page = render_diagram(app, strategy, memory_on=True)
    assert caption(page).startswith(f"Highlighted path: {PLACES[strategy]}.")
    on = set(re.findall(r'class="part part-(\w+) part-on', page))
    assert on == PATHS[strategy]
    named = re.findall(r'aria-label="([^"]+)" aria-describedby="part-(\w+)-desc"', page)
    assert {part for _, part in named} == PARTS
    assert {part for label, part in named if label.endswith("on the highlighted path")} == on


def test_every_part_is_described_in_a_list_below_the_picture(app: Flask) -> None:
    page = render_diagram(app, "server", memory_on=True)
    svg_end = page.index("</svg>")
    for part in PARTS:
        assert f'href="#part-{part}"' in page[:svg_end]
        assert f'<dt id="part-{part}" tabindex="-1">' in page[svg_end:]
        assert f'<dd id="part-{part}-desc">' in page[svg_end:]
    assert 'role="group"' in page and 'role="img"' not in page


def test_with_the_store_down_the_diagram_says_nothing_is_carried(app: Flask) -> None:
    page = render_diagram(app, "server", memory_on=None)
    assert caption(page).startswith("Session store unavailable: nothing carried.")
    assert "link-broken" in page
