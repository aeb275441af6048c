# syntax=docker/dockerfile:1

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p api --bin innovation-hub

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --home-dir /var/lib/innovation-hub --shell /usr/sbin/nologin hub \
    && install -d -o hub -g hub /var/lib/innovation-hub /var/lib/innovation-hub/files
COPY --from=builder /src/target/release/innovation-hub /usr/local/bin/innovation-hub
USER hub
WORKDIR /var/lib/innovation-hub
ENV HUB_BIND=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["innovation-hub"]
CMD ["serve"]
