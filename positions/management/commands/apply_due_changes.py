"""Apply every approved change whose effective date has come (positions/services/approval.py: apply_due).

The task queue applies each one on its day; this catches up after a worker was down, or runs from
cron where no worker runs. Running it again applies nothing twice.
"""

from django.core.management.base import BaseCommand

from positions.models import Proposal
from positions.services import approval


class Command(BaseCommand):
    help = "Apply every approved change to a job description whose effective date has come."

    def handle(self, *args, **options):
        done = approval.apply_due()
        for proposal in done:
            code = proposal.position.code
            if proposal.status == Proposal.Status.APPROVED:
                self.stdout.write(f"{code}: took effect (proposal {proposal.pk}, effective {proposal.effective_on})")
            else:
                reason = proposal.not_applied_because or "the job description changed after the approval"
                self.stdout.write(f"{code}: not applied (proposal {proposal.pk}): {reason}")
        if not done:
            self.stdout.write("Nothing is due.")
