# syntax=docker/dockerfile:1
# IOMS portal image: one image for the web server (gunicorn), the Celery worker and Celery beat.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders PDFs through Pango; the DejaVu fonts give it something to render with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. Only [project] dependencies:
# the embedded servers and the test tools stay out of the image. requirements.lock pins the versions.
COPY pyproject.toml requirements.lock ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
    && pip install --requirement /tmp/requirements.txt --constraint requirements.lock \
    && rm /tmp/requirements.txt

COPY . .

# Settings refuse to load without a database URL and a secret key; collectstatic needs neither for real.
RUN DATABASE_URL=postgres://unused@localhost/unused DJANGO_SECRET_KEY=collectstatic-only \
        python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin ioms
USER ioms

EXPOSE 8000
# gunicorn reads the number of workers from WEB_CONCURRENCY.
CMD ["gunicorn", "ioms.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
