"""Each request that may change something is one action of the signed-in user (positions/history.py)."""

from positions import history


class ActionPerRequestMiddleware:
    SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.SAFE:
            return self.get_response(request)
        # The user is read when the first version is written: DRF's token login happens inside the
        # view, and sets request.user then.
        with history.acting(lambda: getattr(request, "user", None)):
            return self.get_response(request)
