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

# The builder runs on the machine's own platform ($BUILDPLATFORM, never emulated) and cross-compiles
# to the platform asked for ($TARGETARCH: `docker buildx build --platform linux/arm64,linux/amd64`),
# with Debian's cross gcc and static glibc for the C in ring. Written after Docker's documented
# buildx cross-compilation pattern; not built here (no Docker engine on the machine that wrote it).
FROM --platform=$BUILDPLATFORM rust:${RUST_VERSION}-bookworm AS builder
ARG TARGETARCH
WORKDIR /src
RUN set -eu; \
    TARGETARCH=${TARGETARCH:-$(dpkg --print-architecture)}; \
    case "$TARGETARCH" in \
      amd64) triple=x86_64-unknown-linux-gnu; cc=x86_64-linux-gnu-gcc; \
             pkgs="gcc-x86-64-linux-gnu libc6-dev-amd64-cross"; var=X86_64_UNKNOWN_LINUX_GNU ;; \
      arm64) triple=aarch64-unknown-linux-gnu; cc=aarch64-linux-gnu-gcc; \
             pkgs="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"; var=AARCH64_UNKNOWN_LINUX_GNU ;; \
      *) echo "unsupported TARGETARCH=$TARGETARCH (amd64 or arm64)" >&2; exit 1 ;; \
    esac; \
    echo "$triple" > /rust-target; \
    rustup target add "$triple"; \
    : > /cross-env; \
    if [ "$(dpkg --print-architecture)" != "$TARGETARCH" ]; then \
      apt-get update; \
      apt-get install -y --no-install-recommends $pkgs; \
      rm -rf /var/lib/apt/lists/*; \
      lower=$(echo "$var" | tr A-Z a-z); \
      printf 'export CC_%s=%s\nexport CARGO_TARGET_%s_LINKER=%s\n' "$lower" "$cc" "$var" "$cc" > /cross-env; \
    fi
COPY . .
ENV RUSTFLAGS="-C target-feature=+crt-static"
# Cache mounts (BuildKit, buildah) keep the registry and target dir between
# builds; the binary is copied out of the cached target dir in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    . /cross-env \
 && T=$(cat /rust-target) \
 && cargo build --release --locked --target "$T" \
 && mkdir -p /out/tls \
 && cp "target/$T/release/authmock" /out/authmock
# Fail here, not at run time in an empty image, if the binary is not static (no NEEDED library);
# run it only when it is of the builder's own architecture.
RUN ! readelf -d /out/authmock | grep -q NEEDED \
 && if [ "$(dpkg --print-architecture)" = "${TARGETARCH:-$(dpkg --print-architecture)}" ]; then /out/authmock --help >/dev/null; fi

FROM scratch
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
