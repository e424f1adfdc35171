"""`python manage.py import_csv KIND FILE`: a thin adapter around the import service."""

from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from shopmgr.core.csvimport import KINDS, import_csv_file


class HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    pass


class Command(BaseCommand):
    help = (
        "Import one CSV file of one kind (docs/import.md).\n"
        "A file with any invalid row imports nothing and lists every bad line on stderr;\n"
        "a known key updates its row; importing the same file twice changes nothing;\n"
        "implausible but well-formed values are imported and listed as warnings."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, formatter_class=HelpFormatter, **kwargs)
        width = max(len(name) for name in KINDS)
        parser.epilog = "kinds, in import order (* = may be empty or absent):\n" + "\n".join(
            f"  {name:<{width}}  {kind.describe()}" for name, kind in KINDS.items()
        )
        return parser

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), metavar="KIND", help="one of: " + ", ".join(KINDS))
        parser.add_argument("file", metavar="FILE", help="UTF-8 CSV file with a header row")

    def handle(self, *args, kind: str, file: str, **options):
        result = import_csv_file(kind=kind, path=file)
        for warning in result.sorted_warnings():
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        if result.errors:
            for error in result.sorted_errors():
                self.stderr.write(str(error), style_func=lambda text: text)
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
