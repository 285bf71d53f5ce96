"""The menu's "My assessments" counts: what waits for the signed-in person (one query, only on pages that draw
the menu, only for people who hold a post: the posts' query is the menu's already)."""

from django.utils.functional import SimpleLazyObject

from assessments.worklist import counts


def my_assessments(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"assessment_counts": SimpleLazyObject(lambda: counts(user))}
