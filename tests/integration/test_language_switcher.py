"""The language switcher names each language in itself (简体中文, English), whatever the language of the page,
so a reader who cannot read the page still finds their own."""

import re

import pytest


def options(html):
    """[(value, lang, selected, label)] of the switcher's options."""
    switcher = re.search(r'<select name="language" id="language">(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]+)" lang="([^"]+)"( selected)?>([^<]+)</option>', switcher)


@pytest.mark.parametrize(
    ("language", "selected"),
    [(None, "zh-hans"), ("zh-hans", "zh-hans"), ("en", "en")],
    ids=["default", "chinese", "english"],
)
def test_each_language_is_named_in_itself_in_every_ui_language(viewer_client, seed, language, selected):
    if language:
        viewer_client.cookies["django_language"] = language

    html = viewer_client.get("/org/").content.decode()

    assert [(value, lang, label) for value, lang, _selected, label in options(html)] == [
        ("zh-hans", "zh-hans", "简体中文"),
        ("en", "en", "English"),
    ]
    assert [value for value, _lang, chosen, _label in options(html) if chosen] == [selected]
    assert "英语" not in html and "Simplified Chinese" not in html


def test_the_login_page_names_the_languages_in_themselves_too(client, db):
    client.cookies["django_language"] = "en"

    html = client.get("/accounts/login/").content.decode()

    assert [label for _value, _lang, _selected, label in options(html)] == ["简体中文", "English"]


def test_switching_to_english_and_back_keeps_the_names(viewer_client, seed):
    viewer_client.post("/i18n/setlang/", {"language": "en", "next": "/org/"})
    english = viewer_client.get("/org/").content.decode()
    viewer_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/org/"})
    chinese = viewer_client.get("/org/").content.decode()

    assert "Org chart" in english and "组织架构图" in chinese
    assert [label for *_rest, label in options(english)] == [label for *_rest, label in options(chinese)]
