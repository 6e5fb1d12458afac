"""Password hashing: Argon2id with OWASP's parameters.

Django's own ``Argon2PasswordHasher`` defaults (100 MiB, 8 lanes, time cost 2) cost about 210 ms
of CPU per check on this project's two-core machines, close to PBKDF2's 220 ms: a 9 a.m. sign-in
burst queues behind them. OWASP's Password Storage Cheat Sheet recommends Argon2id with at least
19 MiB of memory, 2 iterations and 1 degree of parallelism: memory-hard (so GPU and ASIC attacks
stay expensive) at about a tenth of the CPU. Figures: docs/performance.md, "Password hashing".
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, memory 19 MiB (19,456 KiB), time cost 2, parallelism 1.

    Same algorithm name as Django's hasher ("argon2"), so hashes stay readable by it; Django's
    ``must_update`` compares the parameters stored in each hash with these and re-hashes at the
    next sign-in when they differ (and PBKDF2 hashes are upgraded because this hasher is first).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
