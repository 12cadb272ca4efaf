"""The admin, where Assurance officers manage staff accounts and roles (and nobody else goes)."""

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from ubpanel.models import User
from ubpanel.roles import Role, has_role

from .factories import PASSWORD, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

USER_LIST = reverse("admin:ubpanel_user_changelist")
USER_ADD = reverse("admin:ubpanel_user_add")
NEW_PASSWORD = "a-long-enough-passphrase-for-tests"


def user_change_url(user) -> str:
    return reverse("admin:ubpanel_user_change", args=[user.pk])


def change_form_data(user, **overrides) -> dict:
    """What the user change form posts back for ``user`` as it stands, plus ``overrides``."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": user.job_title,
        "service": user.service_id or "",
        "is_active": "on" if user.is_active else "",
        "groups": [group.pk for group in user.groups.all()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value not in ("", None)}


def role_group(role: Role) -> Group:
    return Group.objects.get(name=role.label)


def user_entries(user, action=None) -> list[LogEntry]:
    entries = LogEntry.objects.get_for_object(user).order_by("pk")
    if action is not None:
        entries = entries.filter(action=action)
    return list(entries)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@council.example", PASSWORD)


@pytest.fixture
def colleague(db):
    return UserFactory(username="colleague", first_name="Cal", last_name="Lee")


# --- Assurance officers manage users --------------------------------------------------------


def test_an_assurance_officer_can_open_the_admin_index(assurance_client):
    response = assurance_client.get(reverse("admin:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Users and roles" in html
    assert USER_LIST in html


def test_an_assurance_officer_sees_staff_in_the_user_list(assurance_client, colleague):
    response = assurance_client.get(USER_LIST)

    assert response.status_code == 200
    assert "colleague" in response.content.decode()


def test_an_assurance_officer_can_add_a_user_and_give_them_a_role(assurance_client):
    housing = ServiceFactory(name="Housing")

    added = assurance_client.post(
        USER_ADD,
        {
            "username": "newstarter",
            "first_name": "Nia",
            "last_name": "Starter",
            "email": "newstarter@council.example",
            "service": housing.pk,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert added.status_code == 302, added.context["adminform"].form.errors
    new_user = User.objects.get(username="newstarter")
    assert added["Location"] == user_change_url(new_user)
    assert new_user.check_password(NEW_PASSWORD)
    assert not new_user.is_superuser
    assert not new_user.is_staff
    assert new_user.service == housing
    assert not has_role(new_user, *Role)

    changed = assurance_client.post(
        user_change_url(new_user),
        change_form_data(new_user, groups=[role_group(Role.FRONTLINE).pk], job_title="Adviser"),
    )

    assert changed.status_code == 302
    new_user = User.objects.get(pk=new_user.pk)
    assert has_role(new_user, Role.FRONTLINE)
    assert new_user.job_title == "Adviser"


def test_adding_a_user_is_recorded_in_the_audit_trail_with_the_assurance_officer_as_actor(
    assurance_client,
):
    assurance_client.post(
        USER_ADD,
        {
            "username": "newstarter",
            "first_name": "Nia",
            "last_name": "Starter",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    new_user = User.objects.get(username="newstarter")

    [created] = user_entries(new_user, LogEntry.Action.CREATE)
    assert created.actor == assurance_client.user
    assert created.remote_addr == "127.0.0.1"
    assert created.changes["username"][1] == "newstarter"
    # The password hash has no place in the audit trail.
    assert "password" not in created.changes
    assert new_user.password not in str(created.changes)


def test_giving_a_user_a_role_is_recorded_in_the_audit_trail(assurance_client, colleague):
    before = {entry.pk for entry in user_entries(colleague)}

    assurance_client.post(
        user_change_url(colleague),
        change_form_data(colleague, groups=[role_group(Role.PANEL_MEMBER).pk]),
    )

    new_entries = [entry for entry in user_entries(colleague) if entry.pk not in before]
    assert new_entries, "giving a role must leave an entry in the audit trail"
    assert {entry.actor for entry in new_entries} == {assurance_client.user}
    assert {entry.action for entry in new_entries} == {LogEntry.Action.UPDATE}
    assert any(
        "groups" in entry.changes and "Panel member" in str(entry.changes["groups"])
        for entry in new_entries
    )


def test_changing_a_users_details_is_recorded_with_the_old_and_new_values(
    assurance_client, colleague
):
    assurance_client.post(user_change_url(colleague), change_form_data(colleague, last_name="Ng"))

    updates = user_entries(colleague, LogEntry.Action.UPDATE)
    assert [entry.changes["last_name"] for entry in updates if "last_name" in entry.changes] == [
        ["Lee", "Ng"]
    ]
    assert {entry.actor for entry in updates} == {assurance_client.user}


def test_an_assurance_officer_can_disable_an_account(assurance_client, colleague):
    colleague_client = Client()
    colleague_client.force_login(colleague)

    response = assurance_client.post(
        user_change_url(colleague), change_form_data(colleague, is_active="")
    )

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert colleague_client.get(reverse("home")).status_code == 302


def test_an_assurance_officer_cannot_delete_users(assurance_client, colleague):
    response = assurance_client.post(
        reverse("admin:ubpanel_user_delete", args=[colleague.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert User.objects.filter(pk=colleague.pk).exists()


# --- Superusers and raw permissions are out of reach ---------------------------------------


def test_superusers_are_not_in_an_assurance_officers_user_list(
    assurance_client, superuser, colleague
):
    response = assurance_client.get(USER_LIST)

    usernames = {user.username for user in response.context["cl"].result_list}
    assert "colleague" in usernames
    assert "root" not in usernames
    assert "root@council.example" not in response.content.decode()


def test_an_assurance_officer_cannot_open_a_superusers_change_page(assurance_client, superuser):
    response = assurance_client.get(user_change_url(superuser))

    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
    assert "root@council.example" not in response.content.decode()


def test_an_assurance_officer_cannot_change_a_superuser(assurance_client, superuser):
    response = assurance_client.post(
        user_change_url(superuser), change_form_data(superuser, is_active="", email="x@evil.test")
    )

    assert response.status_code in (302, 404)
    superuser.refresh_from_db()
    assert superuser.is_active
    assert superuser.email == "root@council.example"


def test_an_assurance_officer_cannot_reset_a_superusers_password(assurance_client, superuser):
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])

    response = assurance_client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )

    assert response.status_code == 404
    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD)


@pytest.mark.parametrize("form_url", ["add", "change"])
def test_the_user_forms_offer_no_superuser_staff_or_raw_permission_fields(
    assurance_client, colleague, form_url
):
    url = USER_ADD if form_url == "add" else user_change_url(colleague)

    response = assurance_client.get(url)

    assert response.status_code == 200
    fields = set(response.context["adminform"].form.fields)
    assert not fields & {"is_superuser", "is_staff", "user_permissions"}
    html = response.content.decode()
    assert 'name="is_superuser"' not in html
    assert 'name="user_permissions"' not in html


def test_posting_superuser_and_permission_fields_does_not_grant_them(assurance_client, colleague):
    add_user = Permission.objects.get(codename="add_user")

    response = assurance_client.post(
        user_change_url(colleague),
        change_form_data(
            colleague, is_superuser="on", is_staff="on", user_permissions=[add_user.pk]
        ),
    )

    assert response.status_code == 302
    colleague = User.objects.get(pk=colleague.pk)
    assert not colleague.is_superuser
    assert not colleague.is_staff
    assert not colleague.user_permissions.exists()


def test_an_assurance_officer_cannot_make_themselves_a_superuser(assurance_client):
    me = assurance_client.user

    assurance_client.post(user_change_url(me), change_form_data(me, is_superuser="on"))

    me.refresh_from_db()
    assert not me.is_superuser


# --- Roles are defined in code: read-only here -------------------------------------------------


def test_an_assurance_officer_can_look_at_the_roles(assurance_client):
    response = assurance_client.get(reverse("admin:auth_group_changelist"))

    assert response.status_code == 200
    names = {group.name for group in response.context["cl"].result_list}
    assert names >= {role.label for role in Role}


def test_a_role_can_be_looked_at_but_not_saved(assurance_client):
    group = role_group(Role.FRONTLINE)
    url = reverse("admin:auth_group_change", args=[group.pk])

    viewed = assurance_client.get(url)
    saved = assurance_client.post(url, {"name": "Superpowers", "permissions": []})

    assert viewed.status_code == 200
    assert 'name="_save"' not in viewed.content.decode()
    assert saved.status_code == 403
    group.refresh_from_db()
    assert group.name == Role.FRONTLINE.label


def test_an_assurance_officer_cannot_add_or_delete_a_role(assurance_client):
    group = role_group(Role.AUDITOR)

    added = assurance_client.post(reverse("admin:auth_group_add"), {"name": "Shadow admins"})
    deleted = assurance_client.post(
        reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}
    )

    assert added.status_code == 403
    assert deleted.status_code == 403
    assert not Group.objects.filter(name="Shadow admins").exists()
    assert Group.objects.filter(pk=group.pk).exists()


# --- Nobody else gets in -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.PANEL_CHAIR, Role.FRONTLINE, Role.AUDITOR, Role.REFERRING_MANAGER, None]
)
def test_other_roles_do_not_get_the_user_list(role_client, role, colleague):
    client = role_client(role)

    response = client.get(USER_LIST)

    assert response.status_code != 200
    assert "colleague" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.PANEL_CHAIR, Role.FRONTLINE, Role.AUDITOR, None])
def test_other_roles_are_told_they_have_no_access_to_the_admin_without_a_redirect_loop(
    role_client, role
):
    client = role_client(role)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == 403
    assert "You do not have access" in response.content.decode()


@pytest.mark.parametrize("role", [Role.FRONTLINE, None])
def test_other_roles_cannot_add_users(role_client, role):
    client = role_client(role)

    client.post(
        USER_ADD, {"username": "sneaky", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert not User.objects.filter(username="sneaky").exists()


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(client):
    response = client.get(USER_LIST, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain
    assert response.resolver_match.url_name == "login"
    assert 'name="password"' in response.content.decode()


def test_an_assurance_officer_who_signs_in_from_the_admin_lands_in_the_admin(client, make_user):
    make_user(Role.ASSURANCE_OFFICER, username="asha")
    sign_in_page = client.get(reverse("admin:index"), follow=True)
    assert sign_in_page.resolver_match.url_name == "login"

    response = client.post(
        sign_in_page.request["PATH_INFO"] + "?" + sign_in_page.request["QUERY_STRING"],
        {"username": "asha", "password": PASSWORD},
        follow=True,
    )

    assert response.status_code == 200
    assert response.resolver_match.url_name == "index"
    assert response.resolver_match.namespace == "admin"


def test_a_superuser_still_sees_everything(client, superuser, colleague):
    client.force_login(superuser)

    listed = client.get(USER_LIST)
    form = client.get(user_change_url(colleague))

    assert {"root", "colleague"} <= {user.username for user in listed.context["cl"].result_list}
    assert "is_superuser" in form.context["adminform"].form.fields


# --- Unlocking a locked account ---------------------------------------------------------------


@pytest.fixture
def locked_attempt(colleague):
    return AccessAttempt.objects.create(
        username="colleague",
        ip_address="10.0.0.7",
        user_agent="test browser",
        http_accept="text/html",
        path_info="/accounts/sign-in/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )


def test_an_assurance_officer_sees_locked_accounts(assurance_client, locked_attempt):
    response = assurance_client.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 200
    assert [attempt.pk for attempt in response.context["cl"].result_list] == [locked_attempt.pk]
    assert "colleague" in response.content.decode()


def test_a_locked_account_cannot_sign_in(locked_attempt, colleague):
    response = Client().post(reverse("login"), {"username": "colleague", "password": PASSWORD})

    assert response.status_code == 429


def test_an_assurance_officer_unlocks_an_account_by_deleting_its_failed_attempts(
    assurance_client, locked_attempt
):
    response = assurance_client.post(
        reverse("admin:axes_accessattempt_delete", args=[locked_attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=locked_attempt.pk).exists()
    signed_in = Client().post(reverse("login"), {"username": "colleague", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("home")


def test_an_account_locked_by_real_failed_sign_ins_can_be_unlocked(assurance_client, colleague):
    browser = Client()
    for _ in range(5):
        browser.post(reverse("login"), {"username": "colleague", "password": "wrong password"})
    assert (
        browser.post(reverse("login"), {"username": "colleague", "password": PASSWORD}).status_code
        == 429
    )
    attempt = AccessAttempt.objects.get(username="colleague")

    listed = assurance_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert attempt in listed.context["cl"].result_list
    assurance_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert (
        browser.post(reverse("login"), {"username": "colleague", "password": PASSWORD}).status_code
        == 302
    )


def test_failed_attempts_cannot_be_added_by_hand(assurance_client):
    response = assurance_client.get(reverse("admin:axes_accessattempt_add"))

    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.PANEL_CHAIR, Role.FRONTLINE])
def test_other_roles_cannot_unlock_accounts(role_client, role, locked_attempt):
    client = role_client(role)

    client.post(
        reverse("admin:axes_accessattempt_delete", args=[locked_attempt.pk]), {"post": "yes"}
    )

    assert AccessAttempt.objects.filter(pk=locked_attempt.pk).exists()


def test_unlocking_an_account_is_recorded_in_the_audit_trail(assurance_client, locked_attempt):
    assurance_client.post(
        reverse("admin:axes_accessattempt_delete", args=[locked_attempt.pk]), {"post": "yes"}
    )

    [unlock] = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE,
        content_type__app_label="axes",
        object_pk=str(locked_attempt.pk),
    )
    assert unlock.actor == assurance_client.user


def test_an_assurance_officer_cannot_change_their_own_roles(assurance_client):
    me = assurance_client.user
    auditor = Group.objects.get(name=Role.AUDITOR.label)
    page = assurance_client.get(reverse("admin:ubpanel_user_change", args=[me.pk]))
    form = page.context["adminform"].form

    assert "groups" not in form.fields
    assert "is_active" not in form.fields
    assurance_client.post(
        reverse("admin:ubpanel_user_change", args=[me.pk]),
        {"username": me.username, "groups": [auditor.pk], "is_active": "on"},
    )
    assert not me.groups.filter(pk=auditor.pk).exists()
