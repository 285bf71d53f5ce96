"""Template context shared by every page: the signed-in person's posts, the HR worklist count, and the
proposals waiting for the approver or back with their author."""

from django.utils.functional import SimpleLazyObject

from positions.access import held_positions, may_edit


def my_positions(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context = {"my_positions": held_positions(user)}
    if may_edit(user):
        from positions.quality import open_problems
        from positions.services.approval import menu_counts

        context["open_problems"] = open_problems  # called by the template, so only pages with a menu pay
        # One query, made only when a page draws the menu, however many of its numbers it shows.
        context["proposal_counts"] = SimpleLazyObject(lambda: menu_counts(user))
    return context
