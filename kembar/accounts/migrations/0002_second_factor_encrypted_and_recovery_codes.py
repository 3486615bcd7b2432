"""The second-factor secret moves to an encrypted column; recovery codes; no plain API tokens.

Existing secrets are encrypted into ``totp_key`` (kembar.accounts.crypto)
before the plain column is dropped, so nobody has to enrol again.  API
tokens of rest_framework.authtoken were stored in plain; the app is replaced
by django-rest-knox (hashed tokens), so the old rows are deleted where the
table exists.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def encrypt_secrets(apps, schema_editor):
    from kembar.accounts import crypto

    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(totp_secret="").only("pk", "totp_secret"):
        User.objects.filter(pk=user.pk).update(totp_key=crypto.encrypt(user.totp_secret))


def decrypt_secrets(apps, schema_editor):
    from kembar.accounts import crypto

    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(totp_key="").only("pk", "totp_key"):
        User.objects.filter(pk=user.pk).update(totp_secret=crypto.decrypt(user.totp_key))


def delete_plain_api_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="totp_key",
            field=models.TextField(
                blank=True, editable=False, verbose_name="second-factor key (encrypted)"
            ),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.RemoveField(
            model_name="user",
            name="totp_secret",
        ),
        migrations.RunPython(delete_plain_api_tokens, migrations.RunPython.noop),
        migrations.CreateModel(
            name="RecoveryCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(editable=False, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "used_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="used"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recovery_codes",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "recovery code",
                "verbose_name_plural": "recovery codes",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "digest"), name="accounts_recovery_code_once"
                    )
                ],
            },
        ),
    ]
