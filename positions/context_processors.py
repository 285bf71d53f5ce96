"""Template context shared by every page: the posts the signed-in person holds (the "My team" menu)."""

from positions.access import held_positions


def my_positions(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_positions": held_positions(user)}
