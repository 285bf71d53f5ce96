"""The tasks the worker runs (`manage.py db_worker`) for job descriptions: a change approved for a
later date, applied on that date (positions/services/approval.py: apply_scheduled)."""

from django_tasks import task


@task()
def apply_scheduled_change(proposal_id):
    from positions.services import approval

    proposal = approval.apply_scheduled(proposal_id)
    return None if proposal is None else proposal.status
