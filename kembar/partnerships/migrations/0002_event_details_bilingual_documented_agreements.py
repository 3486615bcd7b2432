# Event details in both languages (the stored detail was English, so it is
# renamed, not dropped), and agreements recorded from public sources: no file,
# no uploader, dates as precise as the source gives them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PRECISION = [("day", "day"), ("month", "month"), ("year", "year")]
LANGUAGES = [
    ("id", "Indonesian"),
    ("en", "English"),
    ("id+en", "Indonesian and English"),
    ("partner", "partner's language"),
    ("id+en+partner", "Indonesian, English and the partner's language"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("partnershipevent", "detail", "detail_en"),
        migrations.RenameField("historicalpartnershipevent", "detail", "detail_en"),
        migrations.AlterField(
            model_name="partnershipevent",
            name="detail_en",
            field=models.TextField(blank=True, verbose_name="detail (English)"),
        ),
        migrations.AlterField(
            model_name="historicalpartnershipevent",
            name="detail_en",
            field=models.TextField(blank=True, verbose_name="detail (English)"),
        ),
        migrations.AddField(
            model_name="partnershipevent",
            name="detail_id",
            field=models.TextField(blank=True, verbose_name="detail (Indonesian)"),
        ),
        migrations.AddField(
            model_name="historicalpartnershipevent",
            name="detail_id",
            field=models.TextField(blank=True, verbose_name="detail (Indonesian)"),
        ),
        migrations.AlterField(
            model_name="partnershipdocument",
            name="language",
            field=models.CharField(
                blank=True, choices=LANGUAGES, max_length=16, verbose_name="language"
            ),
        ),
        migrations.AlterField(
            model_name="historicalpartnershipdocument",
            name="language",
            field=models.CharField(
                blank=True, choices=LANGUAGES, max_length=16, verbose_name="language"
            ),
        ),
        migrations.AlterField(
            model_name="partnershipdocument",
            name="file",
            field=models.FileField(blank=True, upload_to="documents/%Y/", verbose_name="file"),
        ),
        migrations.AlterField(
            model_name="historicalpartnershipdocument",
            name="file",
            field=models.TextField(blank=True, max_length=100, verbose_name="file"),
        ),
        migrations.AlterField(
            model_name="partnershipdocument",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="uploaded by",
            ),
        ),
        migrations.AddField(
            model_name="partnershipdocument",
            name="source",
            field=models.CharField(blank=True, max_length=300, verbose_name="source"),
        ),
        migrations.AddField(
            model_name="historicalpartnershipdocument",
            name="source",
            field=models.CharField(blank=True, max_length=300, verbose_name="source"),
        ),
        migrations.AddField(
            model_name="partnershipdocument",
            name="signed_on_precision",
            field=models.CharField(
                choices=PRECISION, default="day", max_length=5, verbose_name="signing date precision"
            ),
        ),
        migrations.AddField(
            model_name="historicalpartnershipdocument",
            name="signed_on_precision",
            field=models.CharField(
                choices=PRECISION, default="day", max_length=5, verbose_name="signing date precision"
            ),
        ),
        migrations.AddField(
            model_name="partnershipdocument",
            name="valid_until_precision",
            field=models.CharField(
                choices=PRECISION, default="day", max_length=5, verbose_name="validity end precision"
            ),
        ),
        migrations.AddField(
            model_name="historicalpartnershipdocument",
            name="valid_until_precision",
            field=models.CharField(
                choices=PRECISION, default="day", max_length=5, verbose_name="validity end precision"
            ),
        ),
    ]
