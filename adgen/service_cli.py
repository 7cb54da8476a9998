"""Service commands of the `adgen` CLI: serve, worker, scheduler, tenant create, migrate.

`adgen.cli` hands argv (starting with the subcommand) to `main`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adgen.settings")
    import django

    django.setup()


QUEUES = ("io", "cpu", "gpu")


class QueuesAction(argparse.Action):
    """`--queues io,cpu` and `--queues io cpu` (and a mix) give the same list, each queue once."""

    def __call__(self, parser, namespace, values, option_string=None):
        queues = list(dict.fromkeys(q.strip() for value in values for q in value.split(",") if q.strip()))
        unknown = [q for q in queues if q not in QUEUES]
        if unknown or not queues:
            parser.error(f"argument --queues: unknown queue(s) {', '.join(unknown) or '(none)'}; "
                         f"choose from {', '.join(QUEUES)}")
        setattr(namespace, self.dest, queues)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adgen", description="adgen service commands")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--dev", action="store_true", help="Django's auto-reloading development server")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                       help="web worker processes (production mode)")

    worker = sub.add_parser("worker", help="run dramatiq workers for the job queues (+ the sweeper)")
    worker.add_argument("--queues", nargs="+", default=["io", "cpu", "gpu"], action=QueuesAction, metavar="QUEUE",
                        help="queues to consume: io cpu gpu, spaced or comma-separated (GPU machines: --queues gpu)")
    worker.add_argument("--processes", type=int, default=int(os.environ.get("ADGEN_WORKER_PROCESSES", "1")))
    worker.add_argument("--threads", type=int, default=int(os.environ.get("ADGEN_WORKER_THREADS", "2")))
    worker.add_argument("--no-sweeper", action="store_true",
                        help="do not re-enqueue lost stage runs from this worker machine")

    scheduler = sub.add_parser("scheduler", help="fire scheduled campaign runs (one active process, lock-guarded)")
    scheduler.add_argument("--interval", type=int, default=30, help="seconds between schedule checks")

    tenant = sub.add_parser("tenant", help="manage tenants")
    tenant_sub = tenant.add_subparsers(dest="tenant_command", required=True)
    create = tenant_sub.add_parser("create", help="create an organization, its first workspace, owner and API key")
    create.add_argument("name")
    create.add_argument("--email", required=True, help="the owner's email (a user is created if needed)")
    create.add_argument("--agency", action="store_true", help="an agency organization (many brand workspaces)")
    create.add_argument("--password", help="the owner's dashboard password (checked like a sign-up's); "
                                           "without it the owner cannot log in to the dashboard")
    create.add_argument("--json", action="store_true", help='print {"organization_id", "workspace_id", "api_key"}')

    sub.add_parser("migrate", help="create or update the database tables")
    return parser


def cmd_serve(args) -> int:
    _django()
    if args.dev:
        from django.core.management import call_command

        call_command("runserver", f"{args.host}:{args.port}")
        return 0
    # uvicorn serves the ASGI app: server-sent event streams do not pin a worker process.
    import uvicorn

    from django.conf import settings

    # on SIGTERM open server-sent event streams get ADGEN_SHUTDOWN_GRACE_S to end, then are cut
    # (browsers reconnect to another web process), so a deploy never waits on a watcher's tab
    uvicorn.run("adgen.asgi:application", host=args.host, port=args.port, workers=args.workers,
                proxy_headers=True, log_level=settings.LOG_LEVEL.lower(),
                timeout_graceful_shutdown=settings.ADGEN_SHUTDOWN_GRACE_S)
    return 0


def worker_command(args) -> list[str]:
    return [sys.executable, "-m", "dramatiq", "django_dramatiq.setup", "adgen.ads.actors",
            "--processes", str(args.processes), "--threads", str(args.threads), "--queues", *args.queues]


def worker_env(args) -> dict[str, str]:
    """dramatiq's Prometheus exposition: one port per worker command (9191 unless set), its
    multiprocess files in a folder of this command's own, so two workers on a host don't mix."""
    import tempfile

    env = dict(os.environ)
    if "dramatiq_prom_db" not in env:
        env["dramatiq_prom_db"] = tempfile.mkdtemp(prefix="adgen-worker-metrics-")
    # prometheus_client picks its multiprocess mode when first imported, which django_prometheus
    # does before dramatiq's middleware could set it: say it from the start
    env["PROMETHEUS_MULTIPROC_DIR"] = env["dramatiq_prom_db"]
    return env


def cmd_worker(args) -> int:
    _django()
    from django.conf import settings

    if not settings.BROKER_URL:
        print("adgen worker: BROKER_URL is not set (e.g. redis://127.0.0.1:6379/0)", file=sys.stderr)
        return 2
    proc = subprocess.Popen(worker_command(args), env=worker_env(args))
    stop = threading.Event()

    def forward(signum, frame):
        stop.set()
        proc.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    if not args.no_sweeper:
        threading.Thread(target=_sweep_forever, args=(stop, settings.ADGEN_STAGE_STALE_S), daemon=True).start()
    code = proc.wait()
    stop.set()
    return code


def _sweep_forever(stop: threading.Event, stale_s: float) -> None:
    import logging

    from django.db import connection

    from adgen.ads.lifecycle import stage_runs_sweep

    while not stop.wait(max(1.0, stale_s / 2)):
        try:
            stage_runs_sweep()
        except Exception:  # the database may be restarting; try again next round
            logging.getLogger(__name__).warning("sweep failed", exc_info=True)
            connection.close()


def cmd_scheduler(args) -> int:
    _django()
    from django.core.management import call_command

    # any number may run; only the holder of the scheduler lock fires runs, the rest stand by
    call_command("campaign_scheduler", interval=args.interval)
    return 0


def cmd_tenant(args) -> int:
    _django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from tenants.services import tenant_create

    existing = get_user_model().objects.filter(email__iexact=args.email).first()
    if args.password is not None:
        if existing is not None and existing.has_usable_password():  # it is its owner's to change
            print(f"adgen tenant create: {args.email} already has a password; leave out --password",
                  file=sys.stderr)
            return 2
        try:
            validate_password(args.password, user=get_user_model()(username=args.email, email=args.email))
        except ValidationError as exc:
            print("adgen tenant create: --password: " + " ".join(exc.messages), file=sys.stderr)
            return 2
    created = tenant_create(name=args.name, email=args.email, agency=args.agency, password=args.password)
    login = f"{settings.SITE_URL.rstrip('/')}/login/"
    can_log_in = created.user.has_usable_password()
    if args.json:
        print(json.dumps({"organization_id": str(created.organization.pk), "workspace_id": str(created.workspace.pk),
                          "api_key": created.raw_api_key}))
    else:
        print(f"organization  {created.organization.pk}  ({created.organization.kind})")
        print(f"workspace     {created.workspace.pk}")
        print(f"owner         {created.user.email}")
        print(f"api key       {created.raw_api_key}   (shown once; store it now)")
        print(f"dashboard     {login}  (log in as {created.user.email})" if can_log_in else
              "dashboard     the owner cannot log in: no password (give --password)")
    return 0


def cmd_migrate(args) -> int:
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False)
    return 0


COMMANDS = {"serve": cmd_serve, "worker": cmd_worker, "scheduler": cmd_scheduler, "tenant": cmd_tenant,
            "migrate": cmd_migrate}


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
