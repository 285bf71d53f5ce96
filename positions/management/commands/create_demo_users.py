"""Demo logins for a local trial; refuses to run unless DEBUG is on."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from portal.roles import ADMINISTRATOR, APPROVER, HR_EDITOR, MANAGER, VIEWER, ensure_roles
from positions import history
from positions.models import Assignment, Person, Position
from positions.services.people import assign

# username, password, role, display name, position code held (or None), also an approver
DEMO_USERS = [
    ("admin", "demo-admin-123", ADMINISTRATOR, "演示管理员", None),
    ("hr", "demo-hr-123", HR_EDITOR, "演示人事专员", None),
    ("approver", "demo-approver-123", HR_EDITOR, "演示人事经理", None),
    ("manager", "demo-manager-123", MANAGER, "演示技术支持部经理", "DPT-YW-04"),
    ("viewer", "demo-viewer-123", VIEWER, "演示员工", None),
]
DEMO_EMPLOYEE_NUMBER = "DEMO-{username}"


class Command(BaseCommand):
    help = "Create demo accounts (admin, hr, approver, manager, viewer) and print their logins. DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts have well-known passwords; create them only with DEBUG=true.")
        ensure_roles()
        User = get_user_model()
        for username, password, role, display, code in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.first_name = display
            user.is_staff = role in (ADMINISTRATOR, HR_EDITOR)
            user.is_superuser = role == ADMINISTRATOR
            user.save()
            roles = [role, APPROVER] if username == "approver" else [role]
            user.groups.set(Group.objects.filter(name__in=roles))
            if code:
                position = Position.objects.filter(code=code).first()
                if position:
                    person, _ = Person.objects.get_or_create(
                        employee_number=DEMO_EMPLOYEE_NUMBER.format(username=username),
                        defaults={"name": display, "user": user},
                    )
                    if not Assignment.objects.current().filter(person=person, position=position).exists():
                        # Through the service, so the post's new holder is a version in its history.
                        with history.acting(comment="create_demo_users"):
                            assign(person, position)
            self.stdout.write(f"  {' + '.join(roles):<22} {username:<8} / {password}")
