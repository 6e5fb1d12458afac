"""Cost of one password check: ``python -m bench.password_hashing [--checks 20]``.

Prints one JSON line per hasher: the project's Argon2id (OWASP parameters), Django's own Argon2
defaults and Django's default PBKDF2, each measured in the same run as CPU milliseconds
(``time.process_time``) and wall milliseconds per ``check_password``, with the load average.
"""

import argparse
import json
import os
import statistics
import sys
import time

PASSWORD = "correct-horse-battery-42"  # noqa: S105 (a benchmark input, not a secret)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.password_hashing", description=__doc__)
    ap.add_argument("--checks", type=int, default=20)
    args = ap.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import (
        Argon2PasswordHasher,
        PBKDF2PasswordHasher,
        check_password,
        make_password,
    )

    from people.hashers import OwaspArgon2PasswordHasher

    for name, hasher in [
        ("argon2id-owasp (project)", OwaspArgon2PasswordHasher()),
        ("argon2-django-defaults", Argon2PasswordHasher()),
        ("pbkdf2-django-default", PBKDF2PasswordHasher()),
    ]:
        encoded = make_password(PASSWORD, hasher=hasher)
        cpu, wall = [], []
        for _ in range(args.checks):
            c0, w0 = time.process_time(), time.perf_counter()
            assert check_password(PASSWORD, encoded, preferred=hasher)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        params = {
            k: getattr(hasher, k)
            for k in ("iterations", "memory_cost", "time_cost", "parallelism")
            if hasattr(hasher, k)
        }
        print(
            json.dumps(
                {
                    "benchmark": "password_check",
                    "hasher": name,
                    **params,
                    "checks": args.checks,
                    "cpu_ms_median": round(statistics.median(cpu) * 1000, 1),
                    "wall_ms_median": round(statistics.median(wall) * 1000, 1),
                    "load_avg_1m": round(os.getloadavg()[0], 2),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
