"""Kebab-case names and how they are shown (crimecast.data.slugs)."""

import pytest

from crimecast.data.slugs import area_label, display_name, slugify


@pytest.mark.parametrize("slug,shown", [
    ("burglary-dwelling", "Burglary dwelling"),
    ("satisfaction-asb", "Satisfaction ASB"),
    ("anti-social-behaviour", "Anti-social behaviour"),
    ("violence-with-injury", "Violence with injury"),
    ("Total-Recorded-Crime", "Total recorded crime"),
    ("", ""),
])
def test_display_name_keeps_acronyms_and_a_words_own_hyphen(slug, shown):
    assert display_name(slug) == shown


@pytest.mark.parametrize("name", ["Anti-social behaviour", "Burglary in a Dwelling", "Satisfaction ASB"])
def test_a_shown_name_slugifies_back(name):
    assert slugify(display_name(slugify(name))) == slugify(name)


@pytest.mark.parametrize("slug,shown", [
    ("force", "force-wide"),
    ("solihull", "Solihull"),
    ("avon-and-somerset", "Avon and Somerset"),
    ("devon-cornwall", "Devon Cornwall"),
    ("metropolitan-police", "Metropolitan Police"),
    ("city-of-london", "City of London"),
    ("kingston-upon-thames", "Kingston upon Thames"),
    ("stoke-on-trent", "Stoke on Trent"),
    ("the-wrekin", "The Wrekin"),
])
def test_an_area_label_keeps_the_small_words_of_a_place_name_in_lower_case(slug, shown):
    assert area_label(slug) == shown
