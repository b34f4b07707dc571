# The salesdw app image used by docker-compose.yml (DATABASE_URL points at the db service).
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
COPY sql ./sql
COPY dashboard ./dashboard
RUN pip install -e .
EXPOSE 8501
CMD ["sh", "-c", "salesdw migrate && exec salesdw dashboard --host 0.0.0.0 --headless"]
