"""The Celery application: workers and beat for every app's tasks.py."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealership.settings")

app = Celery("dealership")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender, **kwargs) -> None:
    """The embedded filesystem broker needs its folders before the first message."""
    if not sender.conf.broker_url.startswith("filesystem"):
        return
    options = sender.conf.broker_transport_options or {}
    folders = [options.get(key) for key in ("data_folder_in", "data_folder_out", "control_folder")]
    if sender.conf.result_backend and sender.conf.result_backend.startswith("file://"):
        folders.append(sender.conf.result_backend.removeprefix("file://"))
    for folder in filter(None, folders):
        Path(folder).mkdir(parents=True, exist_ok=True)


def broker_is_reachable(timeout_s: float = 2.0) -> bool:
    """Return whether a connection to the broker opens within `timeout_s`."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout_s)
            return True
    except Exception:
        return False
