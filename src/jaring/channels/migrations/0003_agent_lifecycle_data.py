from django.db import migrations
from django.db.models import OuterRef, Subquery


def forward(apps, schema_editor):
    """Agents made before the lifecycle belong to their outlet's branch; a deactivated one keeps no date
    (none was recorded) and may rejoin at once."""
    Agent = apps.get_model("channels", "Agent")
    Outlet = apps.get_model("channels", "Outlet")
    Agent.objects.filter(office__isnull=True, outlet__isnull=False).update(
        office_id=Subquery(Outlet.objects.filter(pk=OuterRef("outlet_id")).values("office_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("channels", "0002_agent_lifecycle")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
