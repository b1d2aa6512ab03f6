#!/bin/sh
# Create the node on first start (JISR_AGENCY, JISR_AGENCY_NAME, JISR_COUNTRY), then run the
# command. `jisr init` never overwrites: a restarted container keeps its node.
set -eu
if [ ! -f "${JISR_DATA_DIR}/node.env" ] && [ -n "${JISR_AGENCY:-}" ]; then
    jisr init --data-dir "${JISR_DATA_DIR}" --agency "${JISR_AGENCY}" \
        --name "${JISR_AGENCY_NAME:-$JISR_AGENCY}" --country "${JISR_COUNTRY:?set JISR_COUNTRY}"
fi
exec "$@"
