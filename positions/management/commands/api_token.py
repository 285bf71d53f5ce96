"""Print a user's API token (created on first use): `manage.py api_token USERNAME [--rotate | --revoke]`.

The token is printed alone on the last line, so scripts can take it with `tail -n 1`.
Scripts send it as `Authorization: Token <key>`.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print USERNAME's API token, creating it on first use; --rotate replaces it, --revoke deletes it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rotate", action="store_true", help="replace the token with a new one")
        group.add_argument("--revoke", action="store_true", help="delete the token: calls with it get 401")

    def handle(self, *args, username, rotate, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username} is not active; an inactive user's token would be refused anyway.")
        if revoke or rotate:
            deleted, _ = Token.objects.filter(user=user).delete()
            if revoke:
                self.stdout.write(f"{username}'s token is revoked." if deleted else f"{username} had no token.")
                return
        token, created = Token.objects.get_or_create(user=user)
        if options["verbosity"] > 1:
            self.stdout.write("A new token:" if created else "The existing token:")
        self.stdout.write(token.key)
