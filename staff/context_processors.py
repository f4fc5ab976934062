from staff.roles import Role, user_roles


def staff_context(request):
    roles = user_roles(getattr(request, "user", None))
    return {
        "user_roles": roles,
        "user_role_labels": [Role(role).label for role in sorted(roles)],
        "Role": Role,
    }
