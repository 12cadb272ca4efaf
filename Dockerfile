# The production image: gunicorn serving ubpanel, also used for the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/venv PATH=/venv/bin:$PATH
# WeasyPrint's Pango, and the fonts letters are set in.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libmagic1 fonts-liberation curl \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv \
 && useradd --system --uid 10001 --create-home --home-dir /home/ubpanel ubpanel
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
COPY --from=assets /app/static/build ./static/build
COPY --from=assets /app/node_modules/govuk-frontend ./node_modules/govuk-frontend
# collectstatic needs settings to load, not real secrets.
RUN DJANGO_ENV=production SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') \
    ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 CELERY_BROKER_URL=redis://build:6379/0 \
    python manage.py collectstatic --no-input \
 && mkdir -p /var/lib/ubpanel/media && chown -R ubpanel /var/lib/ubpanel
USER ubpanel
EXPOSE 8000
# --no-control-socket: gunicorn's runtime control socket is not used, and would otherwise be made in
# the home folder at start. No --access-logfile: its lines carry query strings (searches carry
# names); ubpanel logs each request as a JSON line with the URL's name instead. Trusting a proxy's
# X-Forwarded-* headers is Django's decision (USE_X_FORWARDED_FOR), not gunicorn's: no forwarded IPs.
# tests/test_production_checks.py starts the server with exactly this command.
CMD ["gunicorn", "ubpanel.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket", "--forwarded-allow-ips", "", "--worker-tmp-dir", "/dev/shm"]
