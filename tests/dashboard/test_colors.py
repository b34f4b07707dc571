"""A category, country, channel or segment keeps its colour on every chart, on every page and
under any filter: colours come from fixed maps (dashboard.formats.Colors), not from the names
that happen to be on screen."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from dashboard.formats import CHANNEL_COLORS, OTHER_COLOR, PALETTE, Colors
from salesdw.services import filter_options
from tests.dashboard.conftest import OpenPage, assert_clean, figures, trace_colors


@pytest.fixture(scope="module")
def colors(trained: Engine) -> Colors:
    return Colors.of(filter_options(trained))


def treemap_colors(figure: dict) -> dict[str, str]:
    """Label -> colour of a treemap's sectors."""
    trace = figure["data"][0]
    return {label: color.upper() for label, color
            in zip(trace["labels"], trace["marker"]["colors"], strict=True)}  # fmt: skip


def test_the_maps_follow_ids_and_ranks_not_what_is_on_screen(trained: Engine) -> None:
    options = filter_options(trained)
    colors = Colors.of(options)
    by_id = sorted(options.categories)
    assert colors.categories[by_id[0][1]] == PALETTE[0]
    assert colors.categories[by_id[-1][1]] == PALETTE[(len(by_id) - 1) % len(PALETTE)]
    biggest_code, biggest_name = options.countries[0]  # by all-time net revenue
    assert colors.countries[biggest_name] == colors.country_codes[biggest_code] == PALETTE[0]
    assert colors.countries["Other countries"] == OTHER_COLOR
    assert len(set(colors.categories.values())) == len(colors.categories)  # all different


def test_a_category_has_the_same_colour_on_every_page_and_under_a_filter(
    open_page: OpenPage, trained: Engine, colors: Colors
) -> None:
    options = filter_options(trained)
    name = max(options.categories)[1]  # the highest id: not first in any order by name or id
    color = colors.categories[name].upper()
    assert color != PALETTE[0].upper()

    seen = {}
    at = open_page(trained, "sales")  # split by category
    assert_clean(at)
    seen["sales"] = trace_colors(figures(at)[1])[name]
    at = open_page(trained, "sales", params={"category": name})  # the only one on screen
    assert_clean(at)
    assert list(trace_colors(figures(at)[1])) == [name]
    seen["sales, only it"] = trace_colors(figures(at)[1])[name]
    at = open_page(trained, "overview", params={"period": "last_30", "channel": "web"})
    assert_clean(at)
    seen["overview top categories"] = trace_colors(figures(at)[2])[name]
    at = open_page(trained, "products")
    assert_clean(at)
    products = figures(at)
    seen["products margin scatter"] = trace_colors(products[2])[name]
    seen["products ratings"] = trace_colors(products[3])[name]
    at = open_page(trained, "products", params={"category": [name, min(options.categories)[1]]})
    assert_clean(at)
    seen["products scatter, two categories"] = trace_colors(figures(at)[2])[name]
    assert seen == dict.fromkeys(seen, color)


def test_a_country_has_the_same_colour_on_every_page_and_under_a_filter(
    open_page: OpenPage, trained: Engine, colors: Colors
) -> None:
    options = filter_options(trained)
    code, name = options.countries[3]  # fourth by all-time revenue
    color = colors.countries[name].upper()

    seen = {}
    at = open_page(trained, "overview")
    seen["overview top countries"] = trace_colors(figures(at)[1])[name]
    at = open_page(trained, "sales", params={"period": "last_365"})
    at.segmented_control(key="sales_by").set_value("country").run()
    assert_clean(at)
    split = trace_colors(figures(at)[1])
    seen["sales by country"] = split[name]
    assert split["Other countries"] == OTHER_COLOR.upper()
    at = open_page(trained, "geography")
    seen["geography treemap"] = treemap_colors(figures(at)[1])[name]
    at = open_page(trained, "geography", params={"country": [code]})
    assert_clean(at)
    seen["geography treemap, only it"] = treemap_colors(figures(at)[1])[name]
    assert seen == dict.fromkeys(seen, color)


def test_sales_channels_keep_their_fixed_colours(open_page: OpenPage, trained: Engine) -> None:
    at = open_page(trained, "sales", params={"channel": ["social"]})
    at.segmented_control(key="sales_by").set_value("channel").run()
    assert_clean(at)
    assert trace_colors(figures(at)[1]) == {"social": CHANNEL_COLORS["social"].upper()}
