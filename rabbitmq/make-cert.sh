#!/usr/bin/env bash
# Makes a self-signed certificate authority and a server certificate for 127.0.0.1 / localhost, for the node of
# MICROCOMMS_RABBITMQ_PORT (default 5672), in rabbitmq/.data/<port>/tls/: ca.pem (what clients trust:
# MicroComms:RabbitMq:TlsCaFile), server.pem and server.key (what the node presents). Local runs only: a real
# deployment uses certificates from its own authority. Harmless if they exist (kept; delete the folder for new ones).
#   MICROCOMMS_RABBITMQ_PORT=5700 rabbitmq/make-cert.sh
set -euo pipefail

# shellcheck source=SCRIPTDIR/node-env.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/node-env.sh"

command -v openssl >/dev/null || rmq_die "openssl is not installed (apt-get install openssl)"
DAYS=825 # the longest validity clients accept for a server certificate

if [[ -s "$RMQ_TLS_DIR/server.pem" && -s "$RMQ_TLS_DIR/server.key" && -s "$RMQ_TLS_DIR/ca.pem" ]]; then
  echo "$RMQ_TLS_DIR/ca.pem"
  exit 0
fi

mkdir -p "$RMQ_TLS_DIR"
chmod 700 "$RMQ_TLS_DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(
  umask 077
  openssl req -x509 -newkey rsa:2048 -nodes -days "$DAYS" -subj "/CN=MicroComms local CA ($RMQ_NODE)" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$work/server.ext"
  openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days "$DAYS" \
    -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null
) || rmq_die "openssl could not make the certificates in $RMQ_TLS_DIR"
# The CA's key is not kept: nothing else is ever signed with it.
mv "$work/ca.pem" "$work/server.pem" "$work/server.key" "$RMQ_TLS_DIR/"
chmod 644 "$RMQ_TLS_DIR/ca.pem" "$RMQ_TLS_DIR/server.pem"
echo "$RMQ_TLS_DIR/ca.pem"
