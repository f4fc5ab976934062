"""The entry point of a court worker process of the bench (demo.bench.run_court_workers_bench).

Workers are started with multiprocessing's "spawn": a fresh interpreter that sets Django up itself
and connects to the database it is named. A forked child would inherit every connection the
parent's threads hold (a browser test's live server, say), and its exit could close one of them
under the parent. Nothing here may import models before `django.setup()`.
"""

import os


def court_worker_main(database_name: str, pks: list[int], capture_last_warm_up: bool, start, results) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioms.settings")
    django.setup()
    from django.conf import settings

    # The parent's database, which is the test database when a test runs the bench.
    settings.DATABASES["default"]["NAME"] = database_name

    from demo.bench import _court_worker

    _court_worker(pks, capture_last_warm_up, start, results)
