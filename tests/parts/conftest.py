from importlib import import_module

import pytest


@pytest.fixture(autouse=True)
def _new_date_advisor_sms_template(db):
    """The SMS template parts' migration 0006 creates, put back after a transactional test emptied the
    tables (until tests/conftest.py's REFERENCE_DATA names that migration)."""
    from django.apps import apps

    import_module("parts.migrations.0006_backorder_new_date_advisor_sms").create(apps, schema_editor=None)
