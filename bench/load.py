"""Load test of the production setup (a benchmark, not a test): prints figures.

Builds a fresh PostgreSQL database with the demo world, starts gunicorn with the production
settings on 127.0.0.1 only, runs locust headless with 50 simulated users (cadres saving their
village-years, officials reading rankings; 3–10 s between a user's actions) for 60 seconds after all
of them have logged in (the ramp-up and the logins are not counted), then checks that the database holds
exactly the amounts the server accepted (no lost updates). Prints requests/s, p50/p95 per page and
the error count; the last line is one JSON object.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) as on the development machines.
"""

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = 8765
SPAWN_RATE = 2  # users a second: their logins then arrive about as fast as two cores can hash passwords
PG = "postgres://postgres@127.0.0.1:5432"


def run(*args, env, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--think", default="3 10", help="seconds between a user's actions: 'MIN MAX'")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")

    database = f"cunji_load_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="cunji-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"{PG}/{database}",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no TLS redirect, no secure-only cookies.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(work / "static"),
        "AXES_FAILURE_LIMIT": "1000",
        "LOG_LEVEL": "WARNING",
    }
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", database, env=env)
    server = None
    try:
        print("preparing database …", flush=True)
        run(PY, "manage.py", "migrate", "--noinput", "-v0", env=env)
        run(PY, "manage.py", "load_demo", env=env, stdout=subprocess.DEVNULL)
        run(PY, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
        plan_path, result_path = work / "plan.json", work / "result.json"
        cadres = args.users // 2 + args.users % 2
        officials = args.users // 2
        prepare = subprocess.run([PY, "-c", PREPARE, str(cadres), str(officials)], cwd=ROOT, env=env, check=True,
                                 capture_output=True, text=True)
        plan_path.write_text(prepare.stdout, encoding="utf-8")

        server = subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi",
             "--bind", f"127.0.0.1:{PORT}", "--workers", str(args.workers), "--access-logfile", "/dev/null"],
            cwd=ROOT, env=env)
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not start")

        print(f"running {args.users} users for {args.seconds}s …", flush=True)
        subprocess.run(
            # Statistics restart once every user is spawned and logged in: logins (PBKDF2, about 0.4 s
            # of CPU each) all land in the first seconds and would otherwise stand for the steady state.
            [str(Path(PY).parent / "locust"), "-f", "bench/locustfile.py", "--headless", "--only-summary",
             "--reset-stats", "-u", str(args.users), "-r", str(SPAWN_RATE),
             "-t", f"{args.seconds + args.users // SPAWN_RATE + 5}s",
             "--host", f"http://127.0.0.1:{PORT}", "--csv", str(work / "stats"), "--stop-timeout", "5",
             "--exit-code-on-error", "0", "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "LOAD_PLAN": str(plan_path), "LOAD_RESULT": str(result_path), "LOAD_THINK": args.think}, check=True,
            timeout=args.seconds + 120)

        result = json.loads(result_path.read_text(encoding="utf-8"))
        check = subprocess.run([PY, "-c", CHECK, str(result_path), str(plan_path)], cwd=ROOT, env=env,
                               check=True, capture_output=True, text=True)
        lost = json.loads(check.stdout)
        pages, total = {}, {}
        with open(work / "stats_stats.csv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                entry = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                         "rps": round(float(row["Requests/s"]), 1), "p50_ms": float(row["50%"]),
                         "p95_ms": float(row["95%"])}
                if row["Name"] == "Aggregated":
                    total = entry
                else:
                    pages[row["Name"]] = entry
        print(f"\n{'page':<22}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
        for name, entry in sorted(pages.items()):
            print(f"{name:<22}{entry['requests']:>10}{entry['failures']:>8}{entry['p50_ms']:>9.0f}"
                  f"{entry['p95_ms']:>9.0f}")
        print(f"\nrequests/s {total['rps']}, errors {total['failures']}, p95 {total['p95_ms']:.0f} ms, "
              f"saves accepted {lost['saves_checked']}, conflicts refused {result['conflicts']}, "
              f"lost updates {lost['lost_updates']}")
        print(json.dumps({"users": args.users, "seconds": args.seconds, "workers": args.workers,
                          "think_s": args.think,
                          "requests": total["requests"], "rps": total["rps"], "errors": total["failures"],
                          "p95_ms": total["p95_ms"], "lost_updates": lost["lost_updates"],
                          "saved_sum_yuan": lost["saved_sum"], "db_sum_yuan": lost["db_sum"],
                          "pages": pages}, ensure_ascii=False))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], env=env)


# Runs inside the project with the production settings: users and their village-years for the run.
PREPARE = r"""
import json, sys, django
django.setup()
from django.contrib.auth import get_user_model
from ledger import services
from ledger.models import LineItem
from villages.models import County, UserRole, Village
cadres, officials = int(sys.argv[1]), int(sys.argv[2])
User = get_user_model()
qinyang = County.objects.get(code="410882000000")
villages = list(Village.objects.filter(town__county=qinyang).select_related("town").order_by("code")[:cadres])
item = LineItem.objects.get(system__code="2023", code="operating_revenue")
plan = {"password": "load-pass-2025", "cadres": [], "officials": []}
for i, village in enumerate(villages):
    user = User.objects.create_user(f"load_cadre_{i}", password=plan["password"])
    UserRole.objects.create(user=user, role="cadre", county=qinyang, town=village.town)
    services.ledger_year_open(village=village, year=2025, actor=user)
    plan["cadres"].append({"username": user.username, "path": f"/ledger/villages/{village.pk}/2025/",
                           "item_id": item.pk, "village_id": village.pk})
profile_ids = list(Village.objects.filter(town__county=qinyang).values_list("pk", flat=True)[:50])
for i in range(officials):
    user = User.objects.create_user(f"load_official_{i}", password=plan["password"])
    UserRole.objects.create(user=user, role="official", county=qinyang)
    plan["officials"].append({"username": user.username, "villages": profile_ids})
print(json.dumps(plan))
"""

# Compares what the server accepted with what the database holds.
CHECK = r"""
import json, sys, django
from decimal import Decimal
django.setup()
from ledger.models import LedgerYear
result = json.load(open(sys.argv[1])); plan = json.load(open(sys.argv[2]))
by_path = {c["path"]: c for c in plan["cadres"]}
saved_sum = db_sum = Decimal(0); lost = 0
for path, amount in result["saved"].items():
    ly = LedgerYear.objects.get(village_id=by_path[path]["village_id"], year=2025)
    held = sum((line.amount for line in ly.lines.all()), Decimal(0))
    saved_sum += Decimal(amount); db_sum += held
    lost += held != Decimal(amount) or ly.operating_income != Decimal(amount)
print(json.dumps({"saves_checked": len(result["saved"]), "lost_updates": lost,
                  "saved_sum": str(saved_sum), "db_sum": str(db_sum)}))
"""

if __name__ == "__main__":
    main()
