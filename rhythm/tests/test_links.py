"""lib.urls.absolute_reverse reverses a view with ids once and puts the ids in place (a rhythm run
makes tens of thousands of links): the same URLs as ``reverse``. Tested here, with the views the
rhythm links to (lib's own tests may not name the apps above it)."""

import pytest

from lib.urls import absolute_reverse


def test_absolute_reverse_with_ids_is_what_reverse_gives(settings):
    """Views with ids only are reversed once and the ids put in place: the same URLs as
    reverse, for every id, the site URL and the URLconf read at each call."""
    from django.urls import NoReverseMatch, reverse

    settings.SITE_URL = "https://a.example/"
    for pk in (0, 7, 12345678901234567890):
        assert absolute_reverse("pairing:detail", args=[pk]) == "https://a.example" + reverse(
            "pairing:detail", args=[pk]
        )
    settings.SITE_URL = "https://b.example"
    assert absolute_reverse("pairing:detail", args=[3]).startswith("https://b.example/")
    # Not ids: through reverse (a token, a negative number, keyword arguments).
    assert absolute_reverse("notifications:unsubscribe", args=["a:b"]).endswith("/a:b/")
    with pytest.raises(NoReverseMatch):
        absolute_reverse("pairing:detail", args=[-1])
    with pytest.raises(NoReverseMatch):
        absolute_reverse("no-such-view")
    with pytest.raises(NoReverseMatch):
        absolute_reverse("pairing:detail", args=[1, 2])
