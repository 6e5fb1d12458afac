from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    """Applications, project proposals, invitations, the talent pool, line-manager sign-off and
    duplicate-project detection: everything between a programme opening a cohort and the
    coordinator deciding who takes part. One floor above programmes."""

    name = "recruitment"
    verbose_name = "Recruitment"

    def ready(self):
        # Register the email kinds this app sends before any email is queued.
        from programmes import retention

        from . import emails, personal_data  # noqa: F401
        from .models import TalentPoolEntry

        personal_data.register()  # export and erasure sections (people/personal_data.py)

        # Retention deletes project descriptions: the cached similarity index must go too.
        def forget_similarity(cohort_ids):
            from programmes.models import Cohort

            from .selectors import similarity_cache_forget

            similarity_cache_forget(
                programme_ids=Cohort.objects.filter(pk__in=cohort_ids).values_list(
                    "programme_id", flat=True
                )
            )

        retention.register_on_retained(forget_similarity)

        # Someone a programme added to its talent pool recently is not anonymised by retention.
        retention.register_keep(
            lambda user_ref, since: TalentPoolEntry.objects.filter(
                user=user_ref, created_at__gte=since
            )
        )
