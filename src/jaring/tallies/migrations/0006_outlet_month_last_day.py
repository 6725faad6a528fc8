"""The outlet roll-up keeps the latest day of each month its row counted something, filled here from the
daily tallies a month at a time (one UPDATE per month, the same SQL on SQLite and PostgreSQL)."""

from django.db import migrations, models

from jaring.rules.months import Month


def last_days_fill(apps, schema_editor):
    OutletMonth = apps.get_model("tallies", "OutletMonth")
    Tally = apps.get_model("tallies", "Tally")
    rollup, daily = OutletMonth._meta.db_table, Tally._meta.db_table
    # the kinds whose daily counts never go down (``tallies.writer.LAST_DAY_KINDS``)
    months = (
        OutletMonth.objects.filter(kind__in=["registered", "employers"])
        .values_list("month", flat=True)
        .distinct()
    )
    # One grouped read of the month's daily rows joined to its roll-up rows (UPDATE ... FROM: SQLite 3.33+).
    sql = (
        f"UPDATE {rollup} SET last_day = m.last_day FROM (SELECT kind, outlet_id, office_id, channel, "
        f"segment, MAX(day) AS last_day FROM {daily} WHERE day >= %s AND day <= %s AND count > 0 "
        f"GROUP BY kind, outlet_id, office_id, channel, segment) AS m "
        f"WHERE {rollup}.month = %s AND {rollup}.kind = m.kind AND {rollup}.outlet_id = m.outlet_id "
        f"AND {rollup}.office_id = m.office_id AND {rollup}.channel = m.channel "
        f"AND {rollup}.segment = m.segment AND {rollup}.kind IN ('registered', 'employers')"
    )
    with schema_editor.connection.cursor() as cursor:
        for index in sorted({int(getattr(m, "index", m)) for m in months}):
            month = Month(index)
            first, last = month.first_day(), month.last_day()
            if schema_editor.connection.vendor != "postgresql":
                first, last = first.isoformat(), last.isoformat()
            cursor.execute(sql, [first, last, index])


class Migration(migrations.Migration):
    dependencies = [("tallies", "0005_employers_tally")]

    operations = [
        migrations.AddField(
            model_name="outletmonth",
            name="last_day",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(last_days_fill, migrations.RunPython.noop),
    ]
