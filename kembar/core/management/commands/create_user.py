from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kembar.accounts.models import Organisation, Role, User


class Command(BaseCommand):
    help = (
        "Create a Kembar user with a role and organisation. The password is asked twice, "
        "or read from KEMBAR_NEW_PASSWORD for scripts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--organisation", help="organisation code (slug), e.g. bagian-kerja-sama-semarang"
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="full name")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} exists already.")
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                known = ", ".join(Organisation.objects.values_list("slug", flat=True)[:20])
                raise CommandError(
                    f"No organisation {options['organisation']!r}. Known: {known or 'none'}."
                )
        elif options["role"] != Role.ADMINISTRATOR:
            raise CommandError("Give --organisation for every role but administrator.")
        password = os.environ.get("KEMBAR_NEW_PASSWORD") or self._ask_password()
        first, _, last = options["name"].partition(" ")
        user = User(
            username=username,
            email=options["email"],
            first_name=first,
            last_name=last,
            role=options["role"],
            organisation=organisation,
            is_staff=options["role"] == Role.ADMINISTRATOR,
            is_superuser=options["role"] == Role.ADMINISTRATOR,
        )
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
        self.stdout.write(self.style.SUCCESS(f"Created {username} ({options['role']})."))

    def _ask_password(self) -> str:
        if not sys.stdin.isatty():
            # getpass would read the password from a pipe or fail without a terminal.
            raise CommandError(
                "No terminal to ask the password on. Run the command in a terminal, or set the "
                "password in the environment variable KEMBAR_NEW_PASSWORD, e.g. "
                "KEMBAR_NEW_PASSWORD='…' manage.py create_user NAME --role ROLE."
            )
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
