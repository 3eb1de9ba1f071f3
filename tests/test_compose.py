"""docker-compose.yml, the Dockerfile and deploy/, checked without a Docker engine: the stack must be
wired the way docs/DEPLOY.md says (ports, pinned images, health checks, the app's ORDER_DESK_* settings),
and the files it mounts must exist and say what the app needs."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from core import search_attributes as sa
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("api", "worker")
PINNED = re.compile(r"^[a-z0-9][a-z0-9./_-]*:v?\d+(\.\d+)+([-.][a-z0-9.]+)?$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def env(service: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in service.get("environment", {}).items()}


def default_of(value: str) -> str:
    """`${NAME:-default}` -> `default`: what the stack uses when the variable is unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def published(service: dict[str, Any]) -> dict[int, int]:
    """{host port: container port} of `"[ip:]host:container"` entries."""
    ports = {}
    for entry in service.get("ports", []):
        *_, host, container = str(entry).split(":")
        ports[int(host)] = int(container)
    return ports


def mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    return [tuple(str(volume).split(":")[:2]) for volume in service.get("volumes", [])]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_stack_has_temporal_on_postgres_its_ui_a_worker_and_the_api(services: dict[str, Any]) -> None:
    assert {"postgresql", "temporal", "temporal-ui", "worker", "api"} <= set(services)
    assert "redis" not in services  # docs/DEPLOY.md: "Why no Redis"
    assert env(services["temporal"])["DB"] == "postgres12"
    assert env(services["temporal"])["POSTGRES_SEEDS"] == "postgresql"


def test_ports_web_ui_8088_temporal_7233_api_8000(services: dict[str, Any]) -> None:
    assert published(services["temporal-ui"]) == {8088: 8080}
    assert published(services["temporal"]) == {7233: 7233}
    assert published(services["api"]) == {8000: 8000}
    assert published(services["postgresql"]) == {5432: 5432}  # a desktop on the stack shares the ledger
    # Everything is reachable from this machine only; deploy/compose.https.yml opens the API, over HTTPS.
    for name in ("temporal", "temporal-ui", "postgresql", "api"):  # the API in plain HTTP too: tokens in clear
        assert all(str(entry).startswith("127.0.0.1:") for entry in services[name]["ports"]), name
    exposed = {name for name, service in services.items() if service.get("ports")}
    assert exposed == {"temporal", "temporal-ui", "postgresql", "api", "prometheus", "grafana"}
    assert published(services["prometheus"]) == {9090: 9090} and published(services["grafana"]) == {3000: 3000}
    for name in ("prometheus", "grafana"):  # no login in Prometheus, Grafana's first one is admin/admin
        assert all(str(entry).startswith("127.0.0.1:") for entry in services[name]["ports"]), name


def test_every_image_is_pinned_to_a_version(services: dict[str, Any]) -> None:
    for name, service in services.items():
        image = service.get("image")
        assert image, f"{name} has no image (a built service still needs a versioned tag)"
        assert PINNED.match(image) and not image.endswith(":latest"), f"{name}: {image}"
    server, tools = services["temporal"]["image"], services["temporal-schema"]["image"]
    assert server.split(":")[1] == tools.split(":")[1], "admin-tools sets up the schema of the same server release"


def test_app_services_reach_temporal_by_service_name_and_share_namespace_and_queue(
        services: dict[str, Any]) -> None:
    temporal_port = published(services["temporal"])[7233]
    defaults = Settings(_env_file=None)
    namespaces = {default_of(env(services["temporal-namespace"])["NAMESPACE"]),
                  default_of(env(services["temporal-ui"])["TEMPORAL_DEFAULT_NAMESPACE"])}
    for name in APP_SERVICES:
        variables = env(services[name])
        assert variables["ORDER_DESK_TEMPORAL_ADDRESS"] == f"temporal:{temporal_port}"
        assert variables["ORDER_DESK_TASK_QUEUE"] == defaults.task_queue
        namespaces.add(default_of(variables["ORDER_DESK_NAMESPACE"]))
    assert namespaces == {defaults.namespace}
    keys = {env(services[name]).get("ORDER_DESK_PAYLOAD_ENCRYPTION_KEY") for name in APP_SERVICES}
    assert len(keys) == 1, "the api and the worker must encode payloads with the same key"
    # Required (compose refuses to start without it): a decision sent straight to Temporal without the key is refused
    # (tests/test_encryption.py), so only serve, for a signed-in user, decides an order.
    assert re.fullmatch(r"\$\{ORDER_DESK_PAYLOAD_ENCRYPTION_KEY:\?[^}]+\}", keys.pop() or ""), keys
    assert env(services["temporal-ui"])["TEMPORAL_ADDRESS"] == f"temporal:{temporal_port}"


def test_app_services_keep_their_ledger_in_the_orderdesk_database(services: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        url = default_of(env(services[name])["ORDER_DESK_DATABASE_URL"])
        assert re.fullmatch(r"postgresql\+psycopg://orderdesk:[^@]+@postgresql:5432/orderdesk", url), url
    init = dict(mounts(services["postgresql"]))
    script = next(host for host, target in init.items() if target.startswith("/docker-entrypoint-initdb.d/"))
    text = (ROOT / script).read_text()
    assert "CREATE DATABASE orderdesk OWNER orderdesk" in text
    assert "CREATE DATABASE temporal_visibility" in text
    assert "ORDER_DESK_DB_PASSWORD" in env(services["postgresql"])


def test_the_api_uses_the_user_store_and_listens_on_all_interfaces(services: dict[str, Any]) -> None:
    variables = env(services["api"])
    assert Settings(_env_file=None, team=variables["ORDER_DESK_TEAM"]).team, "closed until users are added"
    for name in APP_SERVICES:  # a shared token cannot say who acts: serve refuses it beside users
        assert not {"ORDER_DESK_API_TOKEN", "ORDER_DESK_TOKENS_FILE"} & set(env(services[name])), name
    assert "ORDER_DESK_API_TOKEN" not in (ROOT / "docker-compose.yml").read_text()
    command = services["api"]["command"]
    assert command[0] == "serve" and command[command.index("--host") + 1] == "0.0.0.0"
    assert int(command[command.index("--port") + 1]) == published(services["api"])[8000]
    assert "--no-worker" in command, "the worker service does the work"
    assert services["worker"]["command"] == ["worker"]
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])  # start order waits for readiness


def test_health_checks_and_start_order(services: dict[str, Any]) -> None:
    for name in ("postgresql", "temporal"):
        assert services[name]["healthcheck"]["test"], name
    assert services["temporal-schema"]["depends_on"]["postgresql"]["condition"] == "service_healthy"
    assert services["temporal"]["depends_on"]["temporal-schema"]["condition"] == "service_completed_successfully"
    assert services["temporal-namespace"]["depends_on"]["temporal"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        assert services[name]["depends_on"] == {
            "postgresql": {"condition": "service_healthy"},
            "temporal": {"condition": "service_healthy"},
            "temporal-namespace": {"condition": "service_completed_successfully"},
        }, name


def test_named_volumes_are_declared_and_used(compose: dict[str, Any], services: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    used = {source for service in services.values() for source, _ in mounts(service)
            if not source.startswith((".", "/"))}
    assert declared and declared == used
    assert ("postgresql-data", "/var/lib/postgresql/data") in mounts(services["postgresql"])


def test_every_mounted_file_exists(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for source, _ in mounts(service):
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts {source}"


def test_dynamic_config_enables_workflow_update(services: dict[str, Any]) -> None:
    temporal = services["temporal"]
    relative = env(temporal)["DYNAMIC_CONFIG_FILE_PATH"]  # relative to /etc/temporal in the image
    target = f"/etc/temporal/{relative}"
    source = next(host for host, mounted in mounts(temporal) if target.startswith(f"{mounted}/"))
    config = yaml.safe_load((ROOT / source / Path(target).name).read_text())
    for key in ("frontend.enableUpdateWorkflowExecution", "frontend.enableUpdateWorkflowExecutionAsyncAccepted"):
        assert [entry["value"] for entry in config[key]] == [True], key


def test_namespace_job_registers_the_apps_search_attributes(services: dict[str, Any]) -> None:
    job = services["temporal-namespace"]
    script = ROOT / next(host for host, _ in mounts(job))
    assert job["entrypoint"][-1] == next(target for _, target in mounts(job))
    registered = dict(re.findall(r"\b(Order\w+):(\w+)\b", script.read_text()))
    assert registered == {key.name: sa.type_name(key) for key in sa.ALL}


def test_one_shot_jobs_run_scripts_that_exist(services: dict[str, Any]) -> None:
    for name in ("temporal-schema", "temporal-namespace"):
        job = services[name]
        targets = {target: host for host, target in mounts(job)}
        script = job["entrypoint"][-1]
        assert script in targets and (ROOT / targets[script]).is_file(), name
        syntax = subprocess.run(["sh", "-n", str(ROOT / targets[script])], capture_output=True, text=True)
        assert syntax.returncode == 0, syntax.stderr


def test_dockerfile_runs_order_desk_as_a_non_root_user() -> None:
    instructions = dockerfile_instructions()
    images = [argument.split()[0] for op, argument in instructions if op == "FROM"]
    assert images and all(image.startswith("python:3.11-slim") for image in images)
    entrypoint = [argument for op, argument in instructions if op == "ENTRYPOINT"]
    assert entrypoint == ['["order-desk"]']
    users = [argument for op, argument in instructions if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(op == "RUN" and "pip install ." in argument for op, argument in instructions)


def test_the_docker_build_context_builds_a_wheel_with_all_the_code(tmp_path: Path) -> None:
    """What the Dockerfile copies (and .dockerignore lets through) is enough for `pip install .`, and the
    wheel carries every module and data file of our packages, the ledger's migrations included."""
    copies = [shlex.split(argument) for op, argument in dockerfile_instructions()
              if op == "COPY" and not argument.startswith("--from")]
    ignore_lines = (ROOT / ".dockerignore").read_text().splitlines()
    allowed = {line.strip().removeprefix("!").rstrip("/") for line in ignore_lines if line.startswith("!")}
    context = tmp_path / "context"
    for *sources, _ in copies:
        for source in sources:
            assert source in allowed, f".dockerignore keeps {source} out of the build context"
            path = ROOT / source
            if path.is_dir():
                shutil.copytree(path, context / source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                context.mkdir(exist_ok=True)
                (context / source).write_bytes(path.read_bytes())
    wheels = tmp_path / "wheels"
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels),
                             str(context)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = wheels.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ("core", "workflows", "activities", "desktop"):
        for path in (ROOT / package).rglob("*"):
            if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
                assert path.relative_to(ROOT).as_posix() in names, path
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "order-desk = core.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()



def test_the_web_ui_cannot_change_orders(services: dict[str, Any]) -> None:
    """Terminate, signal, cancel and reset in the Temporal Web UI would go around the app's roles and rules."""
    assert services["temporal-ui"]["environment"]["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"


# ---- the view: Prometheus scraping the app, Grafana's provisioned dashboard (docs/OPERATIONS.md) ----------------

METRICS_PORT = 9100
DASHBOARD = ROOT / "deploy/grafana/dashboards/order-desk.json"
ALERTS = ROOT / "deploy/prometheus/alerts.yml"
METRIC_NAME = re.compile(r"\b(?:order_desk|temporal)_[a-z0-9_]+")


def target(service: dict[str, Any], path: str) -> Path:
    """The host file mounted at ``path`` in ``service``."""
    return ROOT / next(host for host, mounted in mounts(service) if mounted == path)


def dashboard_queries() -> dict[str, list[str]]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return {panel["title"]: [query["expr"] for query in panel["targets"]] for panel in panels}


def alert_queries() -> dict[str, str]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}


def test_app_services_serve_metrics_on_a_private_port_and_log_json(services: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        variables = env(services[name])
        settings = Settings(_env_file=None, metrics_port=variables["ORDER_DESK_METRICS_PORT"],
                            metrics_host=variables["ORDER_DESK_METRICS_HOST"],
                            log_format=default_of(variables["ORDER_DESK_LOG_FORMAT"]))
        assert (settings.metrics_port, settings.metrics_host, settings.log_format) == (METRICS_PORT, "0.0.0.0", "json")
        assert METRICS_PORT not in published(services[name]), "the metrics port has no token: never published"
        assert default_of(variables["ORDER_DESK_OTLP_ENDPOINT"]) == "", "tracing is off until a collector is named"
    assert f"{METRICS_PORT}/metrics" in " ".join(services["worker"]["healthcheck"]["test"])


def test_prometheus_scrapes_the_api_and_every_worker_replica(services: dict[str, Any]) -> None:
    prometheus = services["prometheus"]
    config = yaml.safe_load(target(prometheus, "/etc/prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"order-desk-api", "order-desk-worker"}
    for name in APP_SERVICES:  # DNS discovery: `--scale worker=3` is three targets
        [discovery] = jobs[f"order-desk-{name}"]["dns_sd_configs"]
        assert discovery == {"names": [name], "type": "A", "port": METRICS_PORT}
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    assert target(prometheus, "/etc/prometheus/alerts.yml") == ALERTS
    assert "prometheus-data" in {source for source, _ in mounts(prometheus)}


def test_grafana_provisions_the_prometheus_datasource_and_the_dashboard(services: dict[str, Any]) -> None:
    grafana = services["grafana"]
    provisioning = target(grafana, "/etc/grafana/provisioning")
    [datasource] = yaml.safe_load((provisioning / "datasources/prometheus.yml").read_text())["datasources"]
    assert datasource["url"] == f"http://prometheus:{published(services['prometheus'])[9090]}"
    [provider] = yaml.safe_load((provisioning / "dashboards/order-desk.yml").read_text())["providers"]
    assert target(grafana, provider["options"]["path"]) == DASHBOARD.parent
    panels = json.loads(DASHBOARD.read_text())["panels"]
    assert {panel["datasource"]["uid"] for panel in panels} == {datasource["uid"]}
    assert all(panel["targets"] and all(query["expr"].strip() for query in panel["targets"]) for panel in panels)
    assert env(grafana)["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"].startswith(provider["options"]["path"])


def test_the_dashboard_shows_what_an_operator_asked_for() -> None:
    queries = {title: " ".join(exprs) for title, exprs in dashboard_queries().items()}
    wanted = {  # issue 21: orders by status, decisions per minute by outcome, decision latency p50/p99, HTTP
        # error rate, worker slots and schedule-to-start latency
        "Orders by status": ["order_desk_orders", "by (status)"],
        "Decisions per minute by outcome": ["order_desk_decisions_total", "by (outcome)", "* 60"],
        "Decision latency p50 / p99": ["histogram_quantile(0.5,", "histogram_quantile(0.99,",
                                       "order_desk_decision_seconds_bucket"],
        "HTTP error rate": ['status=~"5.."', "order_desk_http_request_duration_seconds_count"],
        "Worker task slots used / available": ["temporal_worker_task_slots_used",
                                               "temporal_worker_task_slots_available"],
        "Schedule-to-start latency p99": ["temporal_workflow_task_schedule_to_start_latency_seconds_bucket",
                                          "temporal_activity_schedule_to_start_latency_seconds_bucket"],
    }
    for title, parts in wanted.items():
        assert all(part in queries[title] for part in parts), (title, queries[title])


async def test_every_panel_and_alert_names_a_metric_the_app_exports(temporal_address: str, tmp_path: Path) -> None:
    """The names come from a real scrape: an app and a worker measured as serve measures them, taking one order
    through, with a real transient failure of an activity (the ledger refuses its write until a trigger is
    dropped), so the SDK's metrics of every kind have appeared."""
    from core import telemetry
    from core.api import create_app
    from core.service import OrderService
    from core.telemetry import stale_orders
    from core.worker import build_worker
    from tests.helpers import assert_eventually, free_port

    settings = Settings(_env_file=None, temporal_address=temporal_address, task_queue=f"compose-{free_port()}",
                        data_dir=tmp_path, database_url=None, api_token=None, tokens_file=None, roles={},
                        payload_encryption_key=None, approval_reminder=None)
    installed = telemetry.install(telemetry.Telemetry.create(settings, "order-desk-test", metrics=True))
    try:
        service = await OrderService.connect(settings, temporal_address)
        async with build_worker(service.client, settings):
            transport = httpx.ASGITransport(app=create_app(settings, service))
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
                with sqlite3.connect(tmp_path / "ledger.db") as ledger:
                    ledger.execute("CREATE TRIGGER refuse BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'no'); END")
                order_id = (await client.post("/orders", json={"item": "Dashboard", "quantity": 1})).json()["order_id"]

                async def failed_once() -> None:
                    assert "temporal_activity_execution_failed_total{" in (await client.get("/metrics")).text

                await assert_eventually(failed_once, timeout=30)
                with sqlite3.connect(tmp_path / "ledger.db") as ledger:
                    ledger.execute("DROP TRIGGER refuse")

                async def decided() -> str:
                    answer = await client.post(f"/orders/{order_id}/approve")
                    assert answer.status_code == 200, answer.text
                    return (await client.get("/metrics")).text

                await assert_eventually(decided, timeout=30)
                await service.client.get_workflow_handle(order_id).result()
                await stale_orders.count_stale(service, installed.metrics)  # serve's lifespan does it every 15 s

                async def completed() -> str:
                    text = (await client.get("/metrics")).text
                    assert "temporal_workflow_completed_total{" in text
                    return text

                scraped = await assert_eventually(completed)
    finally:
        telemetry.install(telemetry.OFF)
        installed.close()
    exported = {sample.name for family in text_string_to_metric_families(scraped) for sample in family.samples}
    named = {title: set(METRIC_NAME.findall(" ".join(exprs))) for title, exprs in dashboard_queries().items()}
    named.update({alert: set(METRIC_NAME.findall(expr)) for alert, expr in alert_queries().items()})
    assert all(names for title, names in named.items() if title not in ("OrderDeskTargetDown", "OrderDeskNoWorker"))
    missing = {title: names - exported for title, names in named.items() if names - exported}
    assert not missing, missing


class _Tagged(yaml.SafeLoader):
    """Reads compose's merge tags (`!override`, `!reset`) as the plain values they carry."""


_Tagged.add_constructor("!override", lambda loader, node: loader.construct_sequence(node)
                        if isinstance(node, yaml.SequenceNode) else loader.construct_mapping(node))


def test_the_https_override_opens_the_api_over_tls_only(services: dict[str, Any]) -> None:
    override = yaml.load((ROOT / "deploy" / "compose.https.yml").read_text(), Loader=_Tagged)["services"]["api"]
    command = override["command"]
    assert command[:len(services["api"]["command"])] == services["api"]["command"]  # the same serve, plus TLS
    assert command[command.index("--ssl-certfile") + 1] == "/certs/server.pem"
    assert command[command.index("--ssl-keyfile") + 1] == "/certs/server.key"
    assert ("./certs", "/certs") in mounts(override) and override["volumes"] == ["./certs:/certs:ro"]
    assert published(override) == {8000: 8000}  # on every interface: desks on other machines
    assert "https://127.0.0.1:8000/readyz" in " ".join(override["healthcheck"]["test"])
    assert "!override" in (ROOT / "deploy" / "compose.https.yml").read_text()  # replaces the loopback entry
