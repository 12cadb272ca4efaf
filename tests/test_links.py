"""One reverse() for many links (ubpanel.links): each link is the one reverse() would make."""

from django.urls import reverse

from ubpanel.links import link_maker


def test_each_link_is_what_reverse_makes_for_its_key():
    detail = link_maker("panel:item_detail")
    absolute = link_maker("schedule:entry_detail", prefix="https://ubpanel.example")

    for pk in (1, 7, 987654321, 12345678901):
        assert detail(pk) == reverse("panel:item_detail", args=[pk])
        assert absolute(pk) == "https://ubpanel.example" + reverse(
            "schedule:entry_detail", args=[pk]
        )
