"""Journey: single sign-on through the test identity provider (tests/oidc_idp), a real OpenID
Connect provider on loopback. A person signs in on the provider's own login form and lands in
ubpanel with the roles of their groups; the sign-in page passes axe."""

import pytest
from playwright.sync_api import expect

from tests.oidc_idp.harness import running_provider, single_sign_on
from ubpanel.models import User
from ubpanel.navigation import sections_for
from ubpanel.roles import Role, roles_ensure, user_roles

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "provider-password-2026"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with running_provider(tmp_path_factory.mktemp("oidc_idp")) as provider:
        yield provider


@pytest.fixture
def sso(provider, live_server, transactional_db):
    roles_ensure()  # the role groups, as after migrate (a transactional test starts empty)
    provider.register_client(f"{live_server.url}/oidc/callback/")
    with single_sign_on(provider) as configured:
        yield configured


def test_a_person_signs_in_through_the_council_provider_with_the_roles_of_their_groups(
    sso, page, axe, screenshot
):
    sso.put_user(
        "nadia",
        password=PASSWORD,
        email="nadia@council.example",
        groups=["ubpanel-chair", "ubpanel-assurance", "canteen-rota"],
        first_name="Nadia",
        last_name="Hussain",
    )
    page.goto("/accounts/sign-in/")
    button = page.get_by_role("button", name="Sign in with your Dorset Council account")
    expect(button).to_be_visible()
    axe(page)
    screenshot(page, "sign-in-with-council-account")

    button.click()
    expect(page.get_by_role("heading", name="Council account")).to_be_visible()
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to your council account").click()

    expect(page.get_by_test_id("signed-in-user")).to_have_text("Nadia Hussain")
    nadia = User.objects.get(email="nadia@council.example")
    assert user_roles(nadia) == {Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER}
    expected = [section["label"] for section in sections_for(nadia)]
    expect(page.get_by_test_id("role-navigation").get_by_role("link")).to_have_text(expected)
    # Her password is the council's: ubpanel offers no password change.
    expect(page.get_by_role("link", name="Change password")).to_have_count(0)
    axe(page)
    screenshot(page, "signed-in-through-provider")
    assert page.console_errors == [], page.console_errors


def test_a_person_in_no_ubpanel_group_sees_why_they_cannot_sign_in(sso, page, axe, screenshot):
    sso.put_user("owen", password=PASSWORD, email="owen@council.example", groups=["canteen-rota"])
    page.goto("/accounts/sign-in/")
    page.get_by_role("button", name="Sign in with your Dorset Council account").click()
    page.get_by_label("Username").fill("owen")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to your council account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot sign in to this service")
    expect(page.get_by_test_id("sso-refusal")).to_contain_text("not in any of the groups")
    axe(page)
    screenshot(page, "refused-no-group")
