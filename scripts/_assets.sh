# Sourced by scripts/_venv.sh: installs the browser libraries (package.json: htmx, Chart.js, and for the
# field desk Workbox and idb) with npm and copies them into jaring's static files
# (src/jaring/web/static/web/vendor/ and src/jaring/field/static/field/vendor/, not committed).
# JARING_SKIP_ASSETS=1 skips this on a machine without Node (pages then work without charts and live forms).
VENDOR="src/jaring/web/static/web/vendor"
if [ "${JARING_SKIP_ASSETS:-}" != "1" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "jaring needs Node.js with npm to build its web assets (or set JARING_SKIP_ASSETS=1)" >&2
    exit 1
  fi
  ASSETS_WANT="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
  ASSETS_STAMP="node_modules/.jaring-assets"
  FIELD_VENDOR="src/jaring/field/static/field/vendor"
  if [ ! -f "$ASSETS_STAMP" ] || [ "$(cat "$ASSETS_STAMP")" != "$ASSETS_WANT" ] || [ ! -f "$VENDOR/htmx.min.js" ] \
    || [ ! -f "$FIELD_VENDOR/workbox/workbox-sw.js" ]; then
    echo "installing web assets (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    mkdir -p "$VENDOR"
    cp node_modules/htmx.org/dist/htmx.min.js "$VENDOR/htmx.min.js"
    cp node_modules/chart.js/dist/chart.umd.min.js "$VENDOR/chart.umd.min.js"
    cp node_modules/htmx.org/LICENSE "$VENDOR/htmx.LICENSE" 2>/dev/null || true
    cp node_modules/chart.js/LICENSE.md "$VENDOR/chart.js.LICENSE.md" 2>/dev/null || true
    # The field desk (works offline): Workbox for its service worker, idb for IndexedDB.
    mkdir -p "$FIELD_VENDOR/workbox"
    cp node_modules/idb/build/index.js "$FIELD_VENDOR/idb.js"
    cp node_modules/idb/LICENSE "$FIELD_VENDOR/idb.LICENSE" 2>/dev/null || true
    cp node_modules/workbox-sw/build/workbox-sw.js "$FIELD_VENDOR/workbox/workbox-sw.js"
    for module in core precaching routing strategies; do
      cp "node_modules/workbox-$module/build/workbox-$module.prod.js" "$FIELD_VENDOR/workbox/"
    done
    cp node_modules/workbox-sw/LICENSE "$FIELD_VENDOR/workbox/LICENSE" 2>/dev/null || true
    echo "$ASSETS_WANT" > "$ASSETS_STAMP"
  fi
fi
