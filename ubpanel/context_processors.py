from .navigation import sections_for
from .roles import user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "user_role_labels": []}
    return {
        "nav_sections": sections_for(user, request.path),
        "user_role_labels": sorted(role.label for role in user_roles(user)),
    }
