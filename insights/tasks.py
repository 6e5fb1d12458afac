"""Periodic work of the dashboards, run by Celery beat."""

from celery import shared_task

from . import figures


@shared_task(name="insights.figures_refresh", ignore_result=True)
def insights_figures_refresh() -> dict:
    """Keep the active cohorts' and programmes' dashboard figures warm (insights/figures.py)."""
    return figures.figures_refresh()
