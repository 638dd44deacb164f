"""Every change to a learner's record is audited, however it is made (pages, admin, import)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from trellis.audit.log import record
from trellis.people.models import CaseAssignment, GuardianLink, Learner


@receiver(post_save, sender=Learner)
def learner_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    record("learner.create" if created else "learner.change", learner=instance, obj=instance)


@receiver(post_delete, sender=Learner)
def learner_deleted(sender, instance, **kwargs):
    record("learner.delete", learner=instance, obj=instance)


@receiver(post_save, sender=CaseAssignment)
@receiver(post_save, sender=GuardianLink)
def learner_link_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    kind = sender._meta.model_name
    record(
        f"{kind}.{'create' if created else 'change'}",
        learner=instance.learner,
        obj=instance,
        detail={"summary": str(instance)},
    )


@receiver(post_delete, sender=CaseAssignment)
@receiver(post_delete, sender=GuardianLink)
def learner_link_deleted(sender, instance, **kwargs):
    record(
        f"{sender._meta.model_name}.delete",
        learner=instance.learner,
        obj=instance,
        detail={"summary": str(instance)},
    )
