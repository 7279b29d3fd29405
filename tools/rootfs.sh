#!/usr/bin/env bash
# Builds the minimal root file system prg runs in: the AOT binary, the C library it links (libc, libm,
# the loader, found with ldd) and OpenSSL 3 (libcrypto, libssl: loaded with dlopen, so ldd cannot see
# them; their own dependencies are followed with ldd). No shell, no package manager, nothing else.
# The Dockerfile's final image is exactly this directory; the end-to-end test runs prg chrooted in it.
#
#   tools/rootfs.sh OUT_DIR [PRG_BINARY]     (default binary: artifacts/prg/prg)
#
# Layout: /usr/local/bin/prg, the libraries at their host paths, /etc/passwd and /etc/group naming the
# unprivileged user prg (uid/gid 65532), /data (0700, owned by 65532) and /tmp (1777).
set -euo pipefail

out=${1:?usage: tools/rootfs.sh OUT_DIR [PRG_BINARY]}
binary=${2:-artifacts/prg/prg}
uid=65532

[[ -x $binary ]] || { echo "rootfs.sh: $binary is not an executable (publish first: dotnet publish src/Prg -c Release -o artifacts/prg)" >&2; exit 1; }
if [[ -e $out ]] && [[ -n $(ls -A "$out") ]]; then
    echo "rootfs.sh: $out exists and is not empty" >&2
    exit 1
fi

# The shared objects a file needs, as absolute paths (the vDSO has none).
needs() {
    ldd "$1" | awk '/=>/ && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# OpenSSL 3 is dlopen'ed by prg (frames) and .NET's TLS; resolve it the way the loader would.
openssl_lib() {
    local path
    path=$(ldconfig -p | awk -v name="$1" '$1 == name && /x86-64/ { print $NF; exit }')
    [[ -n $path ]] || { echo "rootfs.sh: $1 not found (install OpenSSL 3: apt-get install libssl3)" >&2; exit 1; }
    echo "$path"
}

libs=$( { needs "$binary"; for so in libcrypto.so.3 libssl.so.3; do p=$(openssl_lib $so); echo "$p"; needs "$p"; done; } | sort -u)

mkdir -p "$out"/usr/local/bin "$out"/etc "$out"/data "$out"/tmp
install -m 0755 "$binary" "$out"/usr/local/bin/prg
for lib in $libs; do
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"   # the file itself under the name the loader asks for
done
printf 'root:x:0:0:root:/:/nonexistent\nprg:x:%d:%d:prg:/data:/nonexistent\n' $uid $uid > "$out"/etc/passwd
printf 'root:x:0:\nprg:x:%d:\n' $uid > "$out"/etc/group
chmod 0700 "$out"/data
chown $uid:$uid "$out"/data 2>/dev/null || echo "rootfs.sh: not root: /data stays owned by $(id -u); chown it to $uid" >&2
chmod 1777 "$out"/tmp
echo "rootfs.sh: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1) in $out"
