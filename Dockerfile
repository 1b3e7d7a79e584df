# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN useradd --system --create-home --uid 1000 statuspage

COPY pyproject.toml README.md ./
COPY statuspage statuspage
COPY monitors monitors
RUN pip install .

COPY manage.py ./
COPY templates templates
COPY static static
RUN STATUSPAGE_ENV=development python manage.py collectstatic --no-input -v 0 \
    && chown -R statuspage /app

USER statuspage
EXPOSE 8000
CMD ["granian", "--interface", "wsgi", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", \
     "statuspage.wsgi:application"]
