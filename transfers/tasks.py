"""The task the worker runs (`manage.py db_worker`): one per import step or export job."""

from django_tasks import task

from transfers import jobs


@task()
def run_job(job_id):
    jobs.run(job_id)
