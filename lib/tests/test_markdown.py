from lib.markdown import render


def test_headings_lists_tables_and_inline_markup():
    html = render(
        "## At risk\n\nOnly **active** pairs, `Pair.status`, *latest*:\n\n"
        "- **silent**: no check-in\n  for a while\n- never met\n\n"
        "| figure | definition |\n|---|---|\n| Applied | mentee *enrolments* |\n"
    )
    assert '<h2 id="at-risk">At risk</h2>' in html
    assert "<strong>active</strong>" in html and "<code>Pair.status</code>" in html
    assert "<em>latest</em>" in html
    assert "<li><strong>silent</strong>: no check-in for a while</li><li>never met</li>" in html
    assert '<th scope="col">figure</th>' in html and "<td>mentee <em>enrolments</em></td>" in html


def test_everything_is_escaped_and_only_safe_links_are_kept():
    html = render("<script>alert(1)</script> [x](javascript:alert(1)) [ok](https://gov.uk)")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://gov.uk">ok</a>' in html


def test_headings_can_be_demoted_under_a_page_title():
    assert render("# Title", shift_headings=1).startswith('<h2 id="title">')
