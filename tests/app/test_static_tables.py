"""The overview's static tables (ui.tables.html_table): escaped, numbers aligned, links ours."""

from __future__ import annotations

import pandas as pd

from ui.tables import Links, html_table


def test_every_header_and_cell_is_escaped() -> None:
    frame = pd.DataFrame({"<b>Area</b>": ["<script>alert('x')</script> & \"q\""], "n": [3]})
    markup = html_table(frame, 'By "area" <i>')
    assert "<script>" not in markup and "<b>" not in markup and "<i>" not in markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;" in markup
    assert 'aria-label="By &quot;area&quot; &lt;i&gt;"' in markup


def test_numbers_are_right_aligned_and_headers_name_their_columns() -> None:
    markup = html_table(pd.DataFrame({"Area": ["Cancer"], "Red": [2]}), "By area")
    assert '<th scope="col">Area</th><th scope="col" class="num">Red</th>' in markup
    assert '<td>Cancer</td><td class="num">2</td>' in markup


def test_a_link_column_draws_our_address_with_our_words_named_by_its_row() -> None:
    frame = pd.DataFrame({"Area": ["Cancer <b>"], "Go": ["objectives?area=a&quarter=2023-24+Q1"]})
    links = {"Go": Links("Open", named_by="Area", title="Opens the area's objectives")}
    markup = html_table(frame, "By area", links=links)
    assert ('<td><a href="objectives?area=a&amp;quarter=2023-24+Q1" aria-label="Open Cancer &lt;b&gt;" '
            'title="Opens the area&#x27;s objectives">Open</a></td>') in markup


def test_the_table_is_a_named_region_reachable_with_the_keyboard() -> None:
    markup = html_table(pd.DataFrame({"a": [1]}), "Exceptions")
    assert markup.startswith('<div class="tracker-table" role="region" tabindex="0" '
                             'aria-label="Exceptions">')


def test_an_id_is_kept_on_one_line() -> None:
    markup = html_table(pd.DataFrame({"ID": ["LW-CAN-01"], "Why": ["Late"]}), "Exceptions")
    assert '<td class="whole">LW-CAN-01</td><td>Late</td>' in markup
