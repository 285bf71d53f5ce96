"""Template context shared by every page."""

from positions.access import held_positions


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_positions": held_positions(user)}
