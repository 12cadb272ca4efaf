"""The home page and navigation by role, the placeholder pages, sign-in for every page, error pages."""

from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ubpanel.navigation import SECTIONS
from ubpanel.roles import LETTER_ROLES, PANEL_ROLES, REFERRAL_ROLES, SCHEDULE_ROLES, Role

pytestmark = pytest.mark.django_db

SERVICE_NAME = "Unreasonable Behaviours Panel"
ROLES_AND_NONE = [*Role, None]


class _LinkTextParser(HTMLParser):
    """The text of every link inside the element with ``data-testid=<testid>``."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid = testid
        self.links: list[str] = []
        self._open: list[str] = []  # tags opened since the region started
        self._link: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if self._open:
            self._open.append(tag)
        elif dict(attrs).get("data-testid") == self.testid:
            self._open.append(tag)
            return
        if self._open and tag == "a":
            self._link = []

    def handle_endtag(self, tag):
        if not self._open:
            return
        if tag == "a" and self._link is not None:
            self.links.append(" ".join("".join(self._link).split()))
            self._link = None
        while self._open:
            if self._open.pop() == tag:
                break

    def handle_data(self, data):
        if self._link is not None:
            self._link.append(data)


def link_texts(response, testid: str) -> list[str]:
    parser = _LinkTextParser(testid)
    parser.feed(response.content.decode())
    return parser.links


def expected_sections(role) -> list[str]:
    return [section.label for section in SECTIONS if role in section.roles]


def role_id(role) -> str:
    return role.value if role else "no-role"


# --- Home page and navigation -----------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=role_id)
def test_the_navigation_shows_exactly_the_sections_of_the_users_role(role_client, role):
    response = role_client(role).get(reverse("home"))

    assert response.status_code == 200
    assert expected_sections(role), f"{role.label} should have at least one section"
    assert link_texts(response, "role-navigation") == expected_sections(role)


@pytest.mark.parametrize("role", list(Role), ids=role_id)
def test_the_home_page_lists_exactly_the_sections_of_the_users_role(role_client, role):
    response = role_client(role).get(reverse("home"))

    assert link_texts(response, "home-sections") == expected_sections(role)
    html = response.content.decode()
    assert role.label in html
    assert "You have no role" not in html


@pytest.mark.parametrize("role", list(Role), ids=role_id)
def test_every_section_link_on_the_home_page_opens_for_that_role(role_client, role):
    client = role_client(role)

    for section in SECTIONS:
        if role in section.roles:
            # Assurance's "Referrals" lands on their triage queue, one redirect away.
            response = client.get(reverse(section.url_name), follow=True)
            assert response.status_code == 200, f"{section.label} refused {role.label}"


def test_a_user_with_two_roles_sees_the_sections_of_both(make_user, client):
    user = make_user(Role.FRONTLINE, Role.AUDITOR)
    client.force_login(user)

    response = client.get(reverse("home"))

    expected = [
        section.label for section in SECTIONS if {Role.FRONTLINE, Role.AUDITOR} & section.roles
    ]
    assert link_texts(response, "role-navigation") == expected
    assert "Schedule" in expected
    assert "Audit trail" in expected


def test_a_user_with_no_role_is_told_so_and_sees_no_sections(outsider_client):
    response = outsider_client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "You have no role in this service yet" in html
    assert 'data-testid="role-navigation"' not in html
    assert link_texts(response, "home-sections") == []


def test_an_inactive_user_is_signed_out_rather_than_shown_sections(make_user, client):
    user = make_user(Role.PANEL_CHAIR)
    client.force_login(user)
    user.is_active = False
    user.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Placeholder pages: every role x every page ------------------------------------------------

PLACEHOLDER_PAGES = {
    "referrals:index": REFERRAL_ROLES,
    "panel:seats": PANEL_ROLES,
    "schedule:index": SCHEDULE_ROLES,
    "correspondence:index": LETTER_ROLES,
}


@pytest.mark.parametrize("url_name", list(PLACEHOLDER_PAGES))
@pytest.mark.parametrize("role", ROLES_AND_NONE, ids=role_id)
def test_each_part_of_the_service_opens_only_for_its_roles(role_client, role, url_name):
    allowed = role in PLACEHOLDER_PAGES[url_name]

    response = role_client(role).get(reverse(url_name), follow=True)

    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert "You do not have access" in response.content.decode()


@pytest.mark.parametrize("url_name", [name for name in PLACEHOLDER_PAGES if name != "panel:seats"])
def test_the_navigation_and_the_page_agree_on_who_may_open_it(url_name):
    [section] = [section for section in SECTIONS if section.url_name == url_name]

    assert section.roles == PLACEHOLDER_PAGES[url_name]


# --- Signing in is required everywhere but two pages -------------------------------------------

# The favicon has no name: it is listed by its route.
OPEN_PAGES = {"healthz", "healthz_live", "healthz_ready", "login", "favicon.ico"}
# Every page outside the admin that needs signing in, with an id for those that need one.
SIGNED_IN_PAGES = {
    "home": [],
    "logout": [],
    "mfa_account": [],
    "mfa_verify": [],
    "mfa_enrol": [],
    "mfa_backup_codes": [],
    "password_change": [],
    "audit_list": [],
    "notification_list": [],
    "referrals:index": [],
    "referrals:person_list": [],
    "referrals:person_detail": [1],
    "referrals:adjustment_record": [1],
    "referrals:adjustment_end": [1],
    "referrals:new": [],
    "referrals:escalate": [],
    "referrals:health_safety_list": [],
    "referrals:health_safety_notice": [1],
    "referrals:detail": [1],
    "referrals:edit": [1],
    "referrals:check": [1],
    "referrals:draft_delete": [1],
    "referrals:answer": [1],
    "referrals:suggest_person": [1],
    "referrals:evidence_download": [1],
    "referrals:triage_queue": [],
    "referrals:triage_detail": [1],
    "referrals:link_person": [1],
    "referrals:merge": [1],
    "referrals:subject_edit": [1],
    "referrals:triage_action": [1, "close"],
    "referrals:failed_email": [1],
    "referrals:raw_email": [1],
    "referrals:confirm_repeat_behaviour": [1],
    "referrals:legal_queue": [],
    "referrals:legal_advice": [1],
    "panel:index": [],
    "panel:seats": [],
    "panel:meeting_new": [],
    "panel:meeting_detail": [1],
    "panel:meeting_open": [1],
    "panel:meeting_open_elected": [1],
    "panel:meeting_join": [1],
    "panel:meeting_close": [1],
    "panel:attendance": [1],
    "panel:minutes": [1],
    "panel:item_add": [1],
    "panel:item_move": [1],
    "panel:item_withdraw": [1],
    "panel:item_invitees": [1],
    "panel:invitee_remove": [1],
    "panel:item_detail": [1],
    "panel:item_live": [1],
    "panel:declare": [1],
    "panel:proposal": [1],
    "panel:care_system": [1],
    "panel:statement": [1],
    "panel:ballot_open": [1],
    "panel:ballot_close": [1],
    "panel:vote": [1],
    "panel:evidence_download": [1, 1],
    "panel:declaration_rule": [1],
    "panel:decision_correct": [1],
    "schedule:index": [],
    "schedule:entry_list": [],
    "schedule:entry_detail": [1],
    "schedule:entry_record_owner": [1],
    "schedule:emergency_add": [],
    "schedule:access_register": [],
    "schedule:access_request": [],
    "schedule:access_decide": [1],
    "schedule:access_revoke": [1],
    "schedule:access_register_csv": [],
    "schedule:access_register_xlsx": [],
    "schedule:single_access_request": [],
    "schedule:single_access_decide": [1],
    "schedule:single_access_revoke": [1],
    "schedule:address_warning_list": [],
    "schedule:address_warning_add": [],
    "schedule:address_warning_detail": [1],
    "schedule:address_warning_edit": [1],
    "schedule:address_warning_end": [1],
    "schedule:appeal_list": [],
    "schedule:appeal_detail": [1],
    "schedule:appeal_nominate_representative": [1],
    "schedule:appeal_record": [1],
    "schedule:review_overview": [],
    "schedule:contact_check": [1],
    "correspondence:index": [],
    "correspondence:letter_from_decision": [1],
    "correspondence:letter_for_referral": [1],
    "correspondence:letter_for_emergency": [1],
    "correspondence:letter_for_removal": [1],
    "correspondence:letter_detail": [1],
    "correspondence:letter_edit": [1],
    "correspondence:letter_preview": [1],
    "correspondence:letter_approve": [1],
    "correspondence:letter_send": [1],
    "correspondence:letter_pdf": [1, "standard"],
    "correspondence:questionnaire_return": [1],
    "rights:export_request": [1],
    "rights:export_list": [],
    "rights:export_detail": [1],
    "rights:export_download": [1],
    "rights:retention": [],
    "rights:legal_hold_place": [1],
    "rights:legal_hold_lift": [1],
    "rights:person_viewed": [1],
    "rights:person_viewed_csv": [1],
    "reports:statistics": [],
    "reports:statistics_csv": ["referrals-by-source"],
    "reports:statistics_xlsx": [],
    "reports:committee_report_new": [],
    "reports:committee_report": [1],
    "reports:committee_report_download": [1],
}
ADMIN_PAGES = [
    "admin:index",
    "admin:ubpanel_user_changelist",
    "admin:ubpanel_user_add",
    "admin:auth_group_changelist",
    "admin:axes_accessattempt_changelist",
]


def _named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(namespace + (pattern.name or str(pattern.pattern)))
    return names


def test_every_page_outside_the_admin_is_covered_by_the_sign_in_tests():
    assert _named_urls(get_resolver()) == set(SIGNED_IN_PAGES) | OPEN_PAGES


@pytest.mark.parametrize("url_name", list(SIGNED_IN_PAGES))
def test_an_anonymous_visitor_is_sent_to_sign_in(client, url_name):
    url = reverse(url_name, args=SIGNED_IN_PAGES[url_name])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url_name", ADMIN_PAGES)
def test_an_anonymous_visitor_is_sent_from_the_admin_to_sign_in(client, url_name):
    response = client.get(reverse(url_name), follow=True)

    assert response.redirect_chain
    assert response.status_code == 200
    assert response.resolver_match.url_name == "login"


def test_the_sign_in_page_opens_without_signing_in(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_the_favicon_is_served_without_signing_in(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("/govuk/assets/images/favicon.ico")
    assert not response["Location"].startswith(reverse("login"))


def test_the_health_check_answers_without_signing_in(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


# --- Error pages ---------------------------------------------------------------------------------


def test_a_missing_page_is_the_gov_uk_page_not_found(outsider_client):
    response = outsider_client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert SERVICE_NAME in html
    assert "govuk-template" in html
    assert "Traceback" not in html


def test_a_refused_page_says_you_do_not_have_access(frontline_client):
    response = frontline_client.get(reverse("panel:seats"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have access" in html
    assert SERVICE_NAME in html
    assert "govuk-template" in html


def test_the_server_error_page_renders_without_any_context():
    html = render_to_string("500.html")

    assert "Sorry, there is a problem with the service" in html
    assert SERVICE_NAME in html
    assert "govuk-template" in html
    assert "{%" not in html
    assert "{{" not in html


def test_only_the_closest_section_is_marked_current_in_the_navigation(make_user):
    from ubpanel.navigation import sections_for

    user = make_user(Role.PANEL_CHAIR)

    active = [s["label"] for s in sections_for(user, "/schedule/entries/3/") if s["active"]]

    assert active == ["Schedule entries"]
    assert [s["label"] for s in sections_for(user, "/schedule/") if s["active"]] == ["Schedule"]
    assert not [s for s in sections_for(user, "/") if s["active"]]
