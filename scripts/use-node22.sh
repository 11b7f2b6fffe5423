# Source this file (`. scripts/use-node22.sh`) to run the project on Node.js 22 LTS
# where the machine's own node is older. It installs the official Node 22 binary
# from the npm registry (the `node` package ships it; nothing else is downloaded)
# into .node22/ of the project, once, and puts it first on PATH for this shell.
# npm itself stays the machine's; it runs under whichever node comes first on PATH.
PEIYU_NODE_VERSION="${PEIYU_NODE_VERSION:-22.23.3}"
_peiyu_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_peiyu_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_peiyu_major" -lt 22 ]; then
  if [ ! -x "$_peiyu_root/.node22/node_modules/.bin/node" ] \
    || [ "$("$_peiyu_root/.node22/node_modules/.bin/node" --version)" != "v$PEIYU_NODE_VERSION" ]; then
    echo "peiyu: installing Node.js $PEIYU_NODE_VERSION from the npm registry into .node22/" >&2
    npm install --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
      --prefix "$_peiyu_root/.node22" "node@$PEIYU_NODE_VERSION" >&2
  fi
  PATH="$_peiyu_root/.node22/node_modules/.bin:$PATH"
  export PATH
fi
echo "peiyu: using node $(node --version)" >&2
unset _peiyu_root _peiyu_major
