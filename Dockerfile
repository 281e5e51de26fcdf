FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY . .
# /app/staticfiles exists, owned by app, so the static volume mounted there lets collectstatic write.
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --create-home app && mkdir -p /data/media /data/private /data/backups /app/staticfiles && chown -R app /data /app
USER app
EXPOSE 8000
