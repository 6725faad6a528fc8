# Sourced by scripts/_venv.sh: installs the browser libraries (package.json: htmx, Chart.js) with npm and
# copies them into jaring's static files (src/jaring/web/static/web/vendor/, not committed).
# JARING_SKIP_ASSETS=1 skips this on a machine without Node (pages then work without charts and live forms).
VENDOR="src/jaring/web/static/web/vendor"
if [ "${JARING_SKIP_ASSETS:-}" != "1" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "jaring needs Node.js with npm to build its web assets (or set JARING_SKIP_ASSETS=1)" >&2
    exit 1
  fi
  ASSETS_WANT="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
  ASSETS_STAMP="node_modules/.jaring-assets"
  if [ ! -f "$ASSETS_STAMP" ] || [ "$(cat "$ASSETS_STAMP")" != "$ASSETS_WANT" ] || [ ! -f "$VENDOR/htmx.min.js" ]; then
    echo "installing web assets (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    mkdir -p "$VENDOR"
    cp node_modules/htmx.org/dist/htmx.min.js "$VENDOR/htmx.min.js"
    cp node_modules/chart.js/dist/chart.umd.min.js "$VENDOR/chart.umd.min.js"
    cp node_modules/htmx.org/LICENSE "$VENDOR/htmx.LICENSE" 2>/dev/null || true
    cp node_modules/chart.js/LICENSE.md "$VENDOR/chart.js.LICENSE.md" 2>/dev/null || true
    echo "$ASSETS_WANT" > "$ASSETS_STAMP"
  fi
fi
