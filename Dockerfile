# The minimal prg image: the native AOT binary plus the C library and OpenSSL 3, nothing else (no
# shell, no package manager). tools/rootfs.sh builds the same file set into a directory; the
# end-to-end test ContainerRootfsTests runs prg chrooted into it.
#
#   docker build -t prg .
#   docker run -p 8080:8080 -v prg-data:/data \
#     -e PROGRESSDB_SERVER_ADDRESS=0.0.0.0 -e PROGRESSDB_DB_PATH=/data/db \
#     -e PROGRESSDB_API_ADMIN_KEYS=... -e PROGRESSDB_API_BACKEND_KEYS=... -e PROGRESSDB_API_SIGNING_KEYS=... \
#     -e PROGRESSDB_KMS_MASTER_KEY_FILE=/run/secrets/prg-master-key prg
#   (or mount a config file and run: prg serve --config /data/config.yaml)

# Build: the SDK (it has OpenSSL 3, which .NET needs too) plus the native toolchain AOT links with.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/Prg -c Release -o /out \
    && tools/rootfs.sh /rootfs /out/prg

# Run: exactly the rootfs (prg, libc, libm, the loader, libcrypto/libssl 3, passwd/group, /data, /tmp).
FROM scratch
COPY --from=build /rootfs /
USER 65532:65532
WORKDIR /data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/prg"]
CMD ["serve"]
