"""`make load-test`: the application on gunicorn + PostgreSQL + Redis under Locust (see README.md).

Nothing here is imported by the test suite: Locust's gevent patching breaks a Django or pytest
process, so ``locustfile.py`` only ever runs inside the ``locust`` command.
"""
