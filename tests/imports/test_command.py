"""The import_csv command: a thin adapter that prints what the service reports."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sales.models import Customer
from shopmgr.core.csvimport import KINDS
from shopmgr.core.management.commands.import_csv import Command


def test_help_lists_every_kind_with_its_columns():
    # when
    text = Command().create_parser("manage.py", "import_csv").format_help()

    # then
    for kind, spec in KINDS.items():
        assert f"  {kind} " in text
        assert spec.describe() in text


@pytest.mark.django_db
def test_a_file_with_a_byte_order_mark_imports(write_csv, capsys):
    # given an export from a spreadsheet: UTF-8 with BOM, CRLF line ends
    path = write_csv("\ufeffcustomer_id,name,kind\r\nK-1,Jürgen Müller,b2c\r\n".encode())

    # when
    call_command("import_csv", "customers", str(path))

    # then
    assert Customer.objects.get().name == "Jürgen Müller"
    assert "customers: 1 row(s) read, 1 new" in capsys.readouterr().out


@pytest.mark.django_db
def test_header_names_are_trimmed_and_case_insensitive_and_unknown_columns_are_reported(run_import):
    # when
    result = run_import("customers", " Customer_ID ,KIND,Newsletter\nK-1,b2c,ja\n\nK-2,b2b,nein\n")

    # then
    assert result.ok and result.rows == 2
    assert [str(w) for w in result.warnings] == ["line 1, column newsletter: unknown column, ignored"]


@pytest.mark.django_db
def test_an_unknown_kind_or_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_csv", "widgets", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_csv", "customers", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_an_empty_file_is_an_error(run_import):
    assert [str(e) for e in run_import("customers", "").errors] == ["the file is empty: expected a header row"]


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "analysed"), [(999, False), (1000, True)])
def test_a_big_import_analyses_the_table_it_wrote(run_import, rows, analysed):
    # given a file of customers (autovacuum may be off: nothing else would give the planner
    # statistics for the freshly loaded table)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    text = "customer_id,kind\n" + "".join(f"K-{n},b2c\n" for n in range(rows))

    # when it is imported
    with CaptureQueriesContext(connection) as queries:
        result = run_import("customers", text)

    # then from 1,000 new rows on, the customers table is analysed (PostgreSQL only)
    assert result.created == rows
    analyse = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor != "postgresql":
        assert analyse == []
    elif analysed:
        assert analyse == ['ANALYZE "sales_customer"']
    else:
        assert analyse == []
