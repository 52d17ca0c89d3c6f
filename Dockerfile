# Image for the worker and beat services of docker-compose.yml.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 10001 communique
COPY pyproject.toml README.md ./
COPY pipeline ./pipeline
COPY workers ./workers
COPY config ./config
RUN pip install --upgrade pip && pip install .
USER communique
CMD ["celery", "-A", "workers.app", "worker", "--loglevel", "INFO", "-Q", "communique.poll,communique.fetch,communique.process,communique.reprocess,communique.maintenance"]
