#!/bin/sh
# Waits until Temporal answers, then makes sure the app's namespace exists (with the retention a desk
# needs: closed orders stay visible) and carries the app's search attributes (core/search_attributes.py),
# so the first order created after `docker compose up` never races their registration. Idempotent.
set -eu

address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${NAMESPACE:-default}"
retention="${RETENTION:-720h}"

attempt=1
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  if [ "$attempt" -ge 60 ]; then
    echo "Temporal at $address did not become healthy" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done

if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  echo "Namespace $namespace exists"
else
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention "$retention"
fi

# name:type, as core/search_attributes.py declares them (tests/test_compose.py keeps the two in step).
for attribute in OrderStatus:Keyword OrderItem:Keyword OrderQuantity:Int OrderCreatedBy:Keyword \
                 OrderUpdatedAt:Datetime; do
  name="${attribute%%:*}"
  type="${attribute##*:}"
  if temporal operator search-attribute list --address "$address" --namespace "$namespace" | grep -qw "$name"; then
    echo "Search attribute $name exists"
  else
    temporal operator search-attribute create --address "$address" --namespace "$namespace" \
      --name "$name" --type "$type"
  fi
done
