"""Roles are Django groups named by their labels; roles_ensure sets them up; has_role reads them."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from ubpanel.models import User
from ubpanel.roles import ROLE_MODEL_PERMISSIONS, Role, has_role, roles_ensure, user_roles

pytestmark = pytest.mark.django_db

USER_MANAGEMENT_PERMISSIONS = {
    "ubpanel.view_user",
    "ubpanel.add_user",
    "ubpanel.change_user",
    "auth.view_group",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
}


def group_permissions(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def permissions_by_group() -> dict[str, set[str]]:
    return {group.name: group_permissions(group) for group in Group.objects.all()}


# --- roles_ensure ----------------------------------------------------------------------------


def test_roles_ensure_creates_a_group_for_each_of_the_thirteen_roles_named_by_its_label():
    Group.objects.all().delete()

    roles_ensure()

    assert Group.objects.count() == len(Role) == 13
    assert set(Group.objects.values_list("name", flat=True)) == {role.label for role in Role}


def test_roles_ensure_can_run_again_without_changing_anything():
    Group.objects.all().delete()
    roles_ensure()
    groups_before = set(Group.objects.values_list("pk", "name"))
    permissions_before = permissions_by_group()

    roles_ensure()

    assert Group.objects.count() == len(Role) == 13
    assert set(Group.objects.values_list("pk", "name")) == groups_before
    assert permissions_by_group() == permissions_before


def test_every_permission_a_role_names_exists():
    roles_ensure()

    for role, wanted in ROLE_MODEL_PERMISSIONS.items():
        group = Group.objects.get(name=role.label)
        assert group_permissions(group) == set(wanted), role.label


def test_assurance_officers_get_the_user_management_permissions():
    roles_ensure()

    granted = group_permissions(Group.objects.get(name=Role.ASSURANCE_OFFICER.label))

    assert granted >= USER_MANAGEMENT_PERMISSIONS
    assert "ubpanel.delete_user" not in granted
    assert not {p for p in granted if p.startswith("auth.") and p != "auth.view_group"}
    assert "auditlog.view_logentry" not in granted


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PANEL_CHAIR])
def test_audit_readers_get_the_permission_to_view_log_entries(role):
    roles_ensure()

    assert group_permissions(Group.objects.get(name=role.label)) == {"auditlog.view_logentry"}


@pytest.mark.parametrize(
    "role", [role for role in Role if role not in ROLE_MODEL_PERMISSIONS], ids=lambda r: r.value
)
def test_roles_without_admin_work_carry_no_model_permissions(role):
    roles_ensure()

    assert group_permissions(Group.objects.get(name=role.label)) == set()


def test_roles_ensure_puts_back_permissions_changed_by_hand():
    roles_ensure()
    auditors = Group.objects.get(name=Role.AUDITOR.label)
    auditors.permissions.add(
        Permission.objects.get(content_type__app_label="ubpanel", codename="delete_user")
    )
    auditors.permissions.remove(
        Permission.objects.get(content_type__app_label="auditlog", codename="view_logentry")
    )

    roles_ensure()

    assert group_permissions(auditors) == {"auditlog.view_logentry"}


def test_roles_ensure_leaves_other_groups_and_their_members_alone(make_user):
    roles_ensure()
    extra = Group.objects.create(name="Book club")
    member = make_user(Role.FRONTLINE)
    member.groups.add(extra)

    roles_ensure()

    assert Group.objects.filter(pk=extra.pk).exists()
    assert set(member.groups.values_list("name", flat=True)) == {"Book club", "Frontline staff"}


def test_a_user_in_a_role_gets_its_model_permissions(make_user):
    assurance = make_user(Role.ASSURANCE_OFFICER)
    auditor = make_user(Role.AUDITOR)

    assert assurance.has_perms(USER_MANAGEMENT_PERMISSIONS)
    assert not assurance.has_perm("auditlog.view_logentry")
    assert User.objects.get(pk=auditor.pk).has_perm("auditlog.view_logentry")
    assert not auditor.has_perm("ubpanel.change_user")


# --- has_role and user_roles -------------------------------------------------------------------


def test_a_user_has_exactly_the_roles_of_their_groups(make_user):
    user = make_user(Role.PANEL_MEMBER, Role.LEGAL_SERVICES)

    assert user_roles(user) == {Role.PANEL_MEMBER, Role.LEGAL_SERVICES}
    assert has_role(user, Role.PANEL_MEMBER)
    assert has_role(user, Role.FRONTLINE, Role.LEGAL_SERVICES)
    assert not has_role(user, Role.PANEL_CHAIR)


def test_has_role_with_no_roles_named_is_false(make_user):
    assert not has_role(make_user(Role.AUDITOR))


def test_a_user_without_groups_has_no_roles(make_user):
    user = make_user()

    assert user_roles(user) == frozenset()
    assert not has_role(user, *Role)


def test_an_inactive_user_has_no_roles(make_user):
    user = make_user(Role.PANEL_CHAIR, is_active=False)

    assert user_roles(user) == frozenset()
    assert not has_role(user, Role.PANEL_CHAIR)


def test_a_user_made_inactive_loses_their_roles_when_next_loaded(make_user):
    user = make_user(Role.PANEL_CHAIR)
    assert has_role(user, Role.PANEL_CHAIR)

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert not has_role(User.objects.get(pk=user.pk), Role.PANEL_CHAIR)


def test_an_anonymous_visitor_has_no_roles():
    assert user_roles(AnonymousUser()) == frozenset()
    assert not has_role(AnonymousUser(), *Role)


def test_groups_that_are_not_roles_give_no_role(make_user):
    user = make_user()
    user.groups.add(Group.objects.create(name="auditor"))  # the value, not the label

    assert user_roles(User.objects.get(pk=user.pk)) == frozenset()


def test_a_superuser_has_no_role_unless_given_one():
    root = User.objects.create_superuser("root", "root@council.example", "x" * 20)

    assert user_roles(root) == frozenset()


def test_roles_are_read_once_per_user_object(make_user, django_assert_num_queries):
    user = User.objects.get(pk=make_user(Role.AUDITOR).pk)

    with django_assert_num_queries(1):
        has_role(user, Role.AUDITOR)
        has_role(user, Role.PANEL_CHAIR)
        user_roles(user)
