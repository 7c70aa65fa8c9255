# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
RUN useradd --create-home --uid 1000 sdc

COPY pyproject.toml README.md ./
COPY sdc_ops ./sdc_ops
COPY teams ./teams
COPY scheduling ./scheduling
COPY performance ./performance
RUN pip install -e .

COPY manage.py ./
COPY templates ./templates
COPY static ./static
# collectstatic needs settings but no database or real secret.
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

# Candidates' CVs: a volume shared by web and worker (docker-compose.yml), never served.
ENV PRIVATE_MEDIA_ROOT=/data/private
RUN mkdir -p /data/private && chown sdc /data/private

USER sdc
EXPOSE 8000
CMD ["gunicorn", "sdc_ops.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
