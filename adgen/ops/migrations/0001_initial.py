from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("name", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("hostname", models.CharField(max_length=200)),
                ("pid", models.IntegerField()),
                ("queues", models.JSONField(default=list)),
                ("started_at", models.DateTimeField()),
                ("seen_at", models.DateTimeField(db_index=True)),
                ("processed", models.BigIntegerField(default=0)),
                ("failed", models.BigIntegerField(default=0)),
                ("in_progress", models.IntegerField(default=0)),
                ("cache_bytes", models.BigIntegerField(blank=True, null=True)),
            ],
            options={"ordering": ["hostname", "pid"]},
        ),
    ]
