"""The process the crash tests kill: the same service loops the production commands run
(`approve_due`, `payouts_process`), slowed by the seam each service offers (`between`,
`after_send`) so the test can SIGKILL it at a known point. It lives with the tests so that no
production command carries a hook for it.

    python -m microwork.payments.tests.crash_child approve_due|payouts_process PAUSE_SECONDS
"""

import os
import sys
import time


def main(job: str, pause: float) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    def step(label: str):
        def report(item) -> None:
            print(f"{label} {item.pk}", flush=True)
            time.sleep(pause)

        return report

    if job == "approve_due":
        from microwork.payments.services.earnings import submissions_approve_due

        submissions_approve_due(between=step("approved"))
    elif job == "payouts_process":
        from microwork.ledger.services.payouts import payouts_process_due

        payouts_process_due(after_send=step("sent"))
    else:
        raise SystemExit(f"unknown job {job}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
