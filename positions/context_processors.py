"""Template context shared by every page: the signed-in person's posts, and the HR worklist count."""

from positions.access import held_positions, may_edit


def my_positions(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context = {"my_positions": held_positions(user)}
    if may_edit(user):
        from positions.quality import open_problems

        context["open_problems"] = open_problems  # called by the template, so only pages with a menu pay
    return context
