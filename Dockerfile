# 业绩补录平台 — one image for web (gunicorn), worker and beat (celery). See docker-compose.yml and README.md.
#
# The project is installed from pyproject.toml. Its setuptools package list ([tool.setuptools.packages.find])
# names only the Python packages: manage.py, templates/, static/, locale/ and tools/ are not part of the
# distribution, and config/settings.py finds them relative to its own file (BASE_DIR). So the source tree stays in
# /app and is installed *editable*: the code runs from /app, with no second copy in site-packages.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3 \
    GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000 --timeout 60 --access-logfile -"

WORKDIR /app

# An unprivileged user; the code stays owned by root and read-only for it.
RUN groupadd --system --gid 10001 yeji \
 && useradd --system --uid 10001 --gid yeji --home-dir /app --no-create-home --shell /usr/sbin/nologin yeji

# 0. A TrueType Chinese font that reportlab can embed in the PDFs it writes (config/pdf.py; without it the PDFs
#    fall back on the non-embedded CID font STSong-Light).
RUN apt-get update \
 && apt-get install --yes --no-install-recommends fonts-wqy-zenhei \
 && rm -rf /var/lib/apt/lists/*

# 1. The pinned dependencies of [project].dependencies, in their own layer (rebuilt only when pyproject.toml changes).
#    The [dev] extra (pytest, playwright, ruff …) is not installed.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install --requirement /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# 2. The project itself (.dockerignore keeps var/, .venv/, .git/, .env and tests out).
COPY . .
RUN pip install --no-deps --editable . \
 && pip check

# 3. Static files, collected once at build time (whitenoise serves them from STATIC_ROOT). The settings need a
#    SECRET_KEY to import; this one exists only in this build step and is never used at run time.
RUN mkdir -p static \
 && SECRET_KEY=collectstatic-build-only-not-a-secret python manage.py collectstatic --noinput --verbosity 0

# 4. Writable places, each a volume in docker-compose.yml: uploaded attachments, the beat schedule and the mock
#    national platform's SQLite file.
#    Created here so that a fresh named volume starts owned by the app user.
RUN mkdir -p /data/media /data/beat /data/national \
 && chown -R yeji:yeji /data

USER yeji
EXPOSE 8000

# Bind address, timeout and access log come from GUNICORN_CMD_ARGS, the number of workers from WEB_CONCURRENCY;
# both can be overridden in the environment. Migrations are not run here: docker-compose.yml's web service runs
# `python manage.py migrate --noinput` before it starts gunicorn.
CMD ["gunicorn", "config.wsgi:application"]
