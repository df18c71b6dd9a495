# authmock container image.
#
#   docker build -t authmock .
#   docker run --rm -p 8080:8080 authmock
#   docker run --rm -p 8080:8080 -v "$PWD/my-fixtures:/fixtures:ro" \
#       -e AUTHMOCK_FIXTURES=/fixtures authmock
#
# HTTPS beside HTTP (docs/tls.md): the CA is made on first start and kept in
# the /tls volume, so clients that trusted it keep trusting it:
#
#   docker run --rm -p 8080:8080 -p 8443:8443 -e AUTHMOCK_TLS_PORT=8443 \
#       -v authmock-tls:/tls authmock
#   docker run --rm -v authmock-tls:/tls authmock ca > authmock-ca.pem
#
# Add -e AUTHMOCK_TLS_SAN=vendor.host.example for the name a network alias or
# /etc/hosts points at the mock. A bind mount on /tls must be writable by uid
# 65532; a named volume takes the image's /tls, which is.
#
# Stage 1 (`builder`) compiles a fully static binary (glibc, +crt-static) to
# /out/authmock. Stage 2 is `scratch`: the binary alone, run as a non-root
# numeric uid. The binary embeds its default fixtures and handles SIGTERM as
# PID 1, so `docker stop` ends it at once; it is not wrapped in a shell.
#
# scripts/container-smoke.sh builds the runtime stage without a Docker engine
# (buildah), feeding it a host-built binary laid out as this builder's /out.

ARG RUST_VERSION=1.95

# The binary is x86_64 (the issue's target), so both stages are pinned to
# linux/amd64: on an arm64 host the builder runs emulated and the image is
# still labelled with the architecture of the binary it holds.
FROM --platform=linux/amd64 rust:${RUST_VERSION}-bookworm AS builder
WORKDIR /src
COPY . .
ENV RUSTFLAGS="-C target-feature=+crt-static"
# Cache mounts (BuildKit, buildah) keep the registry and target dir between
# builds; the binary is copied out of the cached target dir in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --target x86_64-unknown-linux-gnu \
 && mkdir -p /out/tls \
 && cp target/x86_64-unknown-linux-gnu/release/authmock /out/authmock
# Fail here, not at run time in an empty image, if the binary is not static.
RUN ldd /out/authmock 2>&1 | grep -Eq 'statically linked|not a dynamic executable' \
 && /out/authmock --help >/dev/null

FROM --platform=linux/amd64 scratch
ARG VERSION=0.1.0
ARG SOURCE=https://github.com/authmock/authmock
LABEL org.opencontainers.image.title="authmock" \
      org.opencontainers.image.description="A fast, stateful mock of the Huawei KooDrive, Huawei Cloud OneAccess and EnOS Application Portal authentication APIs" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=builder /out/authmock /authmock
# An empty /tls owned by the runtime user: where the generated CA is kept.
COPY --from=builder --chown=65532:65532 /out/tls /tls
USER 65532:65532
ENV AUTHMOCK_HOST=0.0.0.0 \
    AUTHMOCK_PORT=8080 \
    AUTHMOCK_TLS_DIR=/tls
# 8443 serves HTTPS when AUTHMOCK_TLS_PORT=8443 is set.
EXPOSE 8080 8443
# Readiness (docs/operations.md): healthy once the fixtures are loaded and the store answers.
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
    CMD ["/authmock", "healthcheck", "--ready"]
ENTRYPOINT ["/authmock"]
