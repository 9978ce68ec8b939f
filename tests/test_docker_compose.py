"""docker-compose.yml, the Dockerfile and .env.example: the scaled-out mode (DESIGN.md §7).

These read the files as data; no Docker engine is needed.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent

APP_SERVICES = ("web", "worker", "beat")
BEAT_SCHEDULE = "/tmp/celerybeat-schedule"  # noqa: S108 - inside the beat container
IMAGE_SERVICES = ("migrate", *APP_SERVICES)

# Read by the settings in production; each must be documented in .env.example.
SETTINGS_VARIABLES = {
    "DJANGO_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "PARLEY_BASE_URL",
    "SECURE_SSL_REDIRECT",
}

# Read by the settings but meaningless in a container deployment: the embedded mode's
# data directory and broker folder, development and test switches.
NOT_FOR_PRODUCTION = {
    "PARLEY_VAR_DIR",
    "CELERY_BROKER_DIR",
    "DJANGO_DEBUG",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_FILE_PATH",
    "PARLEY_CELERY_QUEUE",
}


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service(name: str) -> dict[str, Any]:
    return compose()["services"][name]


def command(name: str) -> str:
    value = service(name)["command"]
    return value if isinstance(value, str) else " ".join(value)


def healthcheck(name: str) -> list[str]:
    test = service(name)["healthcheck"]["test"]
    return ["CMD-SHELL", test] if isinstance(test, str) else test


def environment(name: str) -> dict[str, str]:
    value = service(name).get("environment", {})
    if isinstance(value, list):
        value = dict(item.split("=", 1) for item in value)
    # What compose does with ${VAR:-default} when VAR is unset.
    return {key: re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", str(val)) for key, val in value.items()}


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


def compose_variables() -> set[str]:
    """Names compose interpolates: $VAR and ${VAR...}; $$ is a literal dollar."""
    names = set()
    for text in strings(compose()):
        for match in re.finditer(r"\$\$|\$\{([A-Za-z_]\w*)[^}]*\}|\$([A-Za-z_]\w*)", text):
            if match.group(0) != "$$":
                names.add(match.group(1) or match.group(2))
    return names


def env_example_lines() -> list[str]:
    return (ROOT / ".env.example").read_text().splitlines()


def env_example() -> dict[str, str]:
    assignments = [line for line in env_example_lines() if re.match(r"\w+=", line)]
    return {name: value for name, _, value in (line.partition("=") for line in assignments)}


def settings_variables() -> set[str]:
    """Names the settings module reads with os.environ / os.getenv / env_bool / env_list."""
    sources = [*ROOT.glob("config/settings*.py"), *ROOT.glob("config/settings/**/*.py")]
    text = "\n".join(path.read_text() for path in sources)
    pattern = (
        r"""(?:environ\.get|getenv|env_\w+)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
        r"""|environ\[\s*["']([A-Z][A-Z0-9_]*)["']"""
    )
    return {a or b for a, b in re.findall(pattern, text)}


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuations joined."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        keyword, _, args = (current + stripped).partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        current = ""
    stages: list[list[tuple[str, str]]] = []
    for keyword, args in instructions:
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, args))
    return stages


def nginx_conf() -> str:
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    without_comments = re.sub(r"#[^\n]*", "", text)
    return re.sub(r"\s+", " ", without_comments)


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether a pattern excludes the path or one of its folders."""
    candidates = [path, *(str(parent) for parent in Path(path).parents if str(parent) != ".")]
    return any(fnmatch.fnmatch(c, pattern) for c in candidates for pattern in patterns)


def python_code(check: list[str]) -> str:
    assert check[:3] == ["CMD", "python", "-c"], check
    return check[3]


# --- services ------------------------------------------------------------------------------


def test_it_defines_every_service():
    services = set(compose()["services"])
    assert services == {"postgres", "redis", "migrate", "web", "worker", "beat", "proxy"}


def test_it_gives_every_long_running_service_a_healthcheck():
    for name, definition in compose()["services"].items():
        if name == "migrate":
            continue
        assert definition.get("healthcheck", {}).get("test"), name
        assert not definition["healthcheck"].get("disable"), name
    assert "healthcheck" not in service("migrate")


def test_it_checks_postgres_and_redis_with_their_own_clients():
    assert healthcheck("postgres") == ["CMD", "pg_isready", "-U", "parley", "-d", "parley"]
    assert healthcheck("redis") == ["CMD", "redis-cli", "ping"]


def test_it_runs_postgres_16_and_redis_7_in_named_volumes():
    assert service("postgres")["image"].startswith("postgres:16")
    assert service("redis")["image"].startswith("redis:7")
    assert "postgres-data:/var/lib/postgresql/data" in service("postgres")["volumes"]
    assert "redis-data:/data" in service("redis")["volumes"]
    assert {"postgres-data", "redis-data"} <= set(compose()["volumes"])


def test_it_restarts_long_running_services():
    for name in ("postgres", "redis", "proxy", *APP_SERVICES):
        assert service(name)["restart"] == "unless-stopped", name


# --- migrate, web, worker, beat --------------------------------------------------------------


def test_it_migrates_once_after_postgres_is_healthy():
    assert command("migrate") == "python manage.py migrate --noinput"
    # With the app's "unless-stopped", an exit 0 would start it again, forever.
    assert service("migrate")["restart"] == "no"
    assert service("migrate")["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_it_starts_the_app_after_healthy_backing_services_and_migrate():
    for name in APP_SERVICES:
        depends_on = service(name)["depends_on"]
        assert depends_on["postgres"] == {"condition": "service_healthy"}, name
        assert depends_on["redis"] == {"condition": "service_healthy"}, name
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}, name


def test_it_builds_one_image_for_every_app_service():
    configs = {
        yaml.safe_dump([service(n).get("build"), service(n)["image"]]) for n in IMAGE_SERVICES
    }
    build = service("web")["build"]
    assert len(configs) == 1
    assert (build if isinstance(build, str) else build["context"]) in {".", "./"}
    assert all(service(n)["env_file"] in (".env", [".env"]) for n in IMAGE_SERVICES)


def test_it_runs_the_app_in_production_mode():
    for name in IMAGE_SERVICES:
        env = environment(name)
        assert env["DJANGO_ENV"] == "production", name
        database = urlsplit(env["DATABASE_URL"])
        assert (database.scheme, database.hostname, database.path) == (
            "postgres",
            "postgres",
            "/parley",
        ), name
        assert urlsplit(env["REDIS_URL"]).hostname == "redis", name


def test_it_does_not_run_the_app_as_root():
    for name in IMAGE_SERVICES:
        assert service(name).get("user") in (None, "parley"), name
        assert not service(name).get("privileged"), name


def test_it_runs_daphne_and_celery():
    assert command("web").startswith("daphne ")
    assert re.search(r"-b 0\.0\.0\.0 -p 8000 config\.asgi:application$", command("web"))
    assert command("worker") == "celery -A config worker -l info"
    assert command("beat") == f"celery -A config beat -l info -s {BEAT_SCHEDULE}"


def test_it_runs_beat_exactly_once():
    assert service("beat").get("deploy", {}).get("replicas", 1) == 1
    assert service("beat").get("scale", 1) == 1
    # A worker started with -B embeds a second beat, one per worker replica.
    assert not {"-B", "--beat"} & set(command("worker").split())


def test_it_lets_web_and_worker_scale():
    assert service("web").get("deploy", {}).get("replicas", 1) >= 2
    assert "ports" not in service("web")  # a fixed host port would collide between replicas
    for name in ("web", "worker"):
        assert "container_name" not in service(name), name


def test_it_checks_web_through_healthz():
    code = python_code(healthcheck("web"))
    compile(code, "web healthcheck", "exec")
    assert "http://127.0.0.1:8000/healthz" in code
    assert "timeout=3" in code


def test_it_pings_the_worker_by_its_own_node_name():
    kind, check = healthcheck("worker")
    assert kind == "CMD-SHELL"
    assert check.startswith("celery -A config inspect ping")
    # $$ reaches the container as $HOSTNAME; a single $ would be replaced by compose.
    assert "-d celery@$$HOSTNAME" in check


def test_it_checks_that_beat_keeps_writing_its_schedule():
    code = python_code(healthcheck("beat"))
    compile(code, "beat healthcheck", "exec")
    assert BEAT_SCHEDULE in code
    assert "getmtime" in code


# --- the proxy -------------------------------------------------------------------------------


def test_it_publishes_only_the_proxy():
    published = {name for name, d in compose()["services"].items() if d.get("ports")}
    assert published == {"proxy"}
    assert [port.rsplit(":", 1)[-1] for port in service("proxy")["ports"]] == ["80"]


def test_it_starts_the_proxy_with_its_config_after_web():
    mount = "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"
    assert mount in service("proxy")["volumes"]
    assert (ROOT / "deploy" / "nginx.conf").is_file()
    assert service("proxy")["depends_on"]["web"] == {"condition": "service_healthy"}


def test_it_balances_over_every_web_replica():
    conf = nginx_conf()
    # A name in a variable is resolved per request, so replicas added later are seen.
    assert "resolver 127.0.0.11 " in conf
    assert "set $web http://web:8000;" in conf
    assert "proxy_pass $web;" in conf


def test_it_proxies_websockets():
    conf = nginx_conf()
    assert "proxy_http_version 1.1;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf


def test_it_forwards_a_client_address_the_client_cannot_choose():
    conf = nginx_conf()
    # Daphne takes the first X-Forwarded-For address: the proxy must replace the header.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "proxy_set_header X-Forwarded-Proto $forwarded_proto;" in conf
    assert "--proxy-headers" in command("web").split()


# --- .env.example ----------------------------------------------------------------------------


def test_it_documents_every_compose_variable():
    variables = compose_variables()
    assert "POSTGRES_PASSWORD" in variables
    assert sorted(variables - set(env_example())) == []


def test_it_documents_every_production_setting():
    assert sorted(SETTINGS_VARIABLES - set(env_example())) == []


def test_it_documents_what_the_settings_module_reads():
    read = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL"} <= read  # the scan still finds them
    assert sorted(read - set(env_example()) - NOT_FOR_PRODUCTION) == []


def test_it_comments_every_variable_once():
    lines = env_example_lines()
    names = [line.split("=", 1)[0] for line in lines if re.match(r"\w+=", line)]
    uncommented = [
        line
        for i, line in enumerate(lines)
        if re.match(r"\w+=", line) and not lines[i - 1].startswith("#")
    ]
    assert len(names) == len(set(names))
    assert uncommented == []


def test_it_ships_placeholders_not_secrets():
    env = env_example()
    # The settings refuse a SECRET_KEY under 50 characters: the placeholder cannot go live.
    assert env["SECRET_KEY"].startswith("change-me")
    assert len(env["SECRET_KEY"]) < 50
    assert all(env[k].startswith("change-me") for k in ("EMAIL_HOST_PASSWORD", "POSTGRES_PASSWORD"))


def test_it_defaults_to_the_safe_choices():
    env = env_example()
    assert env["DJANGO_ENV"] == "production"
    assert env["SECURE_SSL_REDIRECT"] == "true"
    assert "127.0.0.1" in env["ALLOWED_HOSTS"].split(",")  # the web healthcheck's host


# --- Dockerfile and .dockerignore ----------------------------------------------------------


def test_it_builds_the_front_end_in_a_node_stage():
    first, final = dockerfile_stages()[0], dockerfile_stages()[-1]
    image, _, name = first[0][1].partition(" AS ")
    assert image.startswith("node:20")
    assert [args for kw, args in first if kw == "RUN"] == ["npm ci", "npm run build"]
    assert any(kw == "COPY" and args.startswith(f"--from={name} ") for kw, args in final)


def test_it_installs_the_package_from_pyproject():
    final = dockerfile_stages()[-1]
    runs = [args for kw, args in final if kw == "RUN"]
    assert final[0][1].startswith("python:3.11-slim")
    assert any(re.search(r"\bpip install(\s+-\S+)*\s+\.(\s|$)", args) for args in runs)
    assert any("manage.py collectstatic --noinput" in args for args in runs)


def test_it_collects_static_files_without_production_settings():
    final = dockerfile_stages()[-1]
    env_and_args = " ".join(args for kw, args in final if kw in {"ENV", "ARG"})
    assert "DJANGO_ENV" not in env_and_args
    assert "SECRET_KEY" not in env_and_args


def test_it_runs_the_final_stage_as_a_user_not_root():
    final = dockerfile_stages()[-1]
    users = [args for kw, args in final if kw == "USER"]
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_it_keeps_secrets_and_host_builds_out_of_the_image():
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".env", ".git", "frontend/node_modules", "frontend/dist"} <= set(ignored)
    # pip install . and collectstatic need these; a pattern may name a parent folder.
    needed = ["pyproject.toml", "README.md", "manage.py", "config/settings.py"]
    assert [path for path in needed if dockerignored(path, ignored)] == []


def test_its_redis_keeps_queued_tasks_through_a_restart():
    """Redis is the Celery broker: with its append-only file, a task queued is on disk."""
    command = service("redis")["command"]
    assert command[command.index("--appendonly") + 1] == "yes"


def test_it_keeps_documents_on_one_volume_every_web_replica_and_the_worker_share():
    for name in ("web", "worker"):
        assert "documents:/data/documents" in service(name)["volumes"]
        assert service(name)["environment"]["PARLEY_DOCUMENTS_DIR"] == "/data/documents"
    assert "documents" in compose()["volumes"]
