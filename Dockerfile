# Mentor Coach in a container: the installed console script is the entry point (PID 1, so
# SIGTERM from `docker stop` reaches it and it closes cleanly), running as a non-root user,
# its state (database, backups) in a volume, its health endpoint on localhost for HEALTHCHECK.
#   docker build -t mentor-coach .
#   docker run -d --env-file .env -v mentor-coach:/var/lib/mentor-coach mentor-coach
# tests/install/test_wheel.py runs this file's ENTRYPOINT/CMD and HEALTHCHECK commands from an
# installed wheel (no Docker engine in CI).

FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STATE_DIR=/var/lib/mentor-coach \
    HEALTH_HOST=127.0.0.1 \
    HEALTH_PORT=8080
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/mentor-coach --create-home mentor
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /wheels /wheels
RUN pip install --no-compile -c /tmp/constraints.txt /wheels/*.whl && rm -rf /wheels /tmp/constraints.txt
USER mentor
WORKDIR /var/lib/mentor-coach
VOLUME ["/var/lib/mentor-coach"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["mentor-coach", "health"]
ENTRYPOINT ["mentor-coach"]
CMD ["run"]
