# syntax=docker/dockerfile:1
# One image for every Parley process: web (Daphne), worker and beat (Celery) and the
# one-shot migrate. docker-compose.yml chooses the command.

# --- Front end: Svelte + Vite, built into frontend/dist ------------------------------------
FROM node:20 AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ ./
RUN npm run build

# --- Application ---------------------------------------------------------------------------
FROM python:3.11-slim AS app

# PYTHONPATH: import config/, accounts/ and negotiation/ from /app rather than from the
# installed copy in site-packages, so settings' BASE_DIR is /app, where frontend/dist and
# staticfiles are.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

RUN useradd --system --user-group --create-home --uid 10001 parley

WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install . && rm -rf build ./*.egg-info
COPY --from=frontend /src/frontend/dist/ frontend/dist/

# DJANGO_ENV is unset here on purpose: the default settings need no secret, and the
# static files storage is the same in every mode, so the output is what production serves.
RUN python manage.py collectstatic --noinput

# The documents volume takes this folder's owner when it is first mounted.
RUN mkdir -p /data/documents && chown parley /data/documents && chmod 700 /data/documents

USER parley
EXPOSE 8000
CMD ["daphne", "--proxy-headers", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
